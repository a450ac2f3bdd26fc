"""Provides an integration for Tensorflow and Keras with MLpype."""
from . import data, model, pipeline
