"""The build cache's administration: its size limit, ``clean``, ``prune``, ``verify``, and reading its folder."""
