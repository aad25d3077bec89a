"""``Activation``: a layer that applies an activation function, with no weights."""

from __future__ import annotations

from numpy.typing import NDArray

from minigenre import activations
from minigenre.layers.layer import Layer


class Activation(Layer):
    """``keras.layers.Activation``: applies an activation function; no weights.

    ``Dense(10)`` then ``Activation("softmax")`` is ``Dense(10, activation=
    "softmax")``; as the last layer before cross-entropy it is fused with the loss
    the same way (Keras's softmax keeps its logits wherever it is applied).

    >>> import numpy as np
    >>> Activation("relu").forward(np.array([[-1.0, 2.0]]))
    array([[0., 2.]])
    """

    def __init__(self, activation, name=None, input_shape=None, input_dim=None):
        super().__init__(name, input_shape, input_dim)
        self.activation, (self._f, self._f_grad) = activations.get(activation)
        self.z = self.a = None

    def forward(self, x, training: bool = False, logits: bool = False) -> NDArray:
        a = x if logits else self._f(x)  # (batch, units)
        if training:
            self.z, self.a = x, a
        return a

    def backward(self, grad, input_grad: bool = True, logits: bool = False):
        if not input_grad:
            return None
        return grad if logits else self._f_grad(self.z, self.a, grad)

    def get_config(self) -> dict:
        return {
            "class_name": "Activation",
            "name": self.name,
            "activation": self.activation,
        }

    def __repr__(self) -> str:
        return f"Activation({self.activation!r}, name={self.name!r})"
