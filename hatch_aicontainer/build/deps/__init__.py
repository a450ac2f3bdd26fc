"""The image's dependencies: the lock (uv), installing it for the target, what was installed and whether it is consistent."""
