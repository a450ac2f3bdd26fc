"""A tiny TensorFlow service: a one-unit Keras model whose weights ship as a file."""

__version__ = "0.1.0"
