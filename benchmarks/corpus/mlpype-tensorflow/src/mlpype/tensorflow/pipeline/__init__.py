"""Provides pipeline functions for mlpype and Tensorflow."""
from .tensor_checker import TensorflowTypeChecker
