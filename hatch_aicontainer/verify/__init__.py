"""Checking a released image: its signature and attestations (``aicontainer verify``), and rebuilding it from its provenance."""
