"""Configuration: ``[tool.aicontainer]`` as frozen settings, the compatibility data, and the names derived from them."""
