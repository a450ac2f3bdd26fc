"""hatch-aicontainer: OCI images of TensorFlow projects as a hatchling build target."""

__version__ = "0.1.0"
