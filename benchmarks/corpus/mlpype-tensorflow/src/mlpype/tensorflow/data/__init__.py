"""Provides some tools for datasets for MLpypein Tensorflow."""
from .tensor_source import TensorSource
