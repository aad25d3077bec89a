"""The layers a ``Sequential`` stacks, one file each as in Keras
(``keras/src/layers/``): ``dense.py`` (the study's), ``activation.py``,
``dropout.py`` and ``input_layer.py``."""

from minigenre.layers.activation import Activation
from minigenre.layers.dense import Dense
from minigenre.layers.dropout import Dropout
from minigenre.layers.input_layer import Input, check_shape

__all__ = ["Activation", "Dense", "Dropout", "Input", "check_shape"]
