"""Provides a Model to integrate Keras models with the mlpype framework."""
from .keras_pype_model import KerasPypeModel
from .mlp_keras import MLPKeras
from .mlp_pype_model import MLPPypeModel
