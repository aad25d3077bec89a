"""The layers a ``Sequential`` stacks, one file each as in Keras
(``keras/src/layers/``): ``dense.py`` (the study's), ``activation.py``,
``dropout.py``, ``batch_normalization.py`` and ``input_layer.py``."""

from minigenre.layers.activation import Activation
from minigenre.layers.batch_normalization import BatchNormalization
from minigenre.layers.dense import Dense
from minigenre.layers.dropout import Dropout
from minigenre.layers.input_layer import Input, check_shape

__all__ = [
    "Activation",
    "BatchNormalization",
    "Dense",
    "Dropout",
    "Input",
    "check_shape",
]

# The layers a Sequential takes, by Keras's class names, and their default names.
LAYERS = {"Dense": Dense, "Activation": Activation, "Dropout": Dropout,
          "BatchNormalization": BatchNormalization}  # fmt: skip
SNAKE_NAMES = {"Dense": "dense", "Activation": "activation", "Dropout": "dropout",
               "BatchNormalization": "batch_normalization"}  # fmt: skip
Layer = Dense | Activation | Dropout | BatchNormalization
