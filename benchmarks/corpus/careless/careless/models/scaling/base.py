from tensorflow import keras as tfk

from careless.models.base import BaseModel


class Scaler(tfk.models.Model, BaseModel):
    """ Base class for scaling models """
