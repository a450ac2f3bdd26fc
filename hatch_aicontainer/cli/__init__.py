"""The ``aicontainer`` command: project commands (``main``) and commands on built archives (``archive``)."""
