"""hatchling glue: the builders, the wheel hook, the run of one build, and the facts read from hatchling's metadata."""
