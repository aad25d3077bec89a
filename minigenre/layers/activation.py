"""``Activation``: a layer that applies an activation function, with no weights."""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike, NDArray

from minigenre import activations
from minigenre.layers.input_layer import check_shape
from minigenre.training.checks import check_weights


class Activation:
    """``keras.layers.Activation``: applies an activation function; no weights.

    ``Dense(10)`` then ``Activation("softmax")`` is ``Dense(10, activation=
    "softmax")``; as the last layer before cross-entropy it is fused with the loss
    the same way (Keras's softmax keeps its logits wherever it is applied).

    >>> Activation("relu").forward(np.array([[-1.0, 2.0]]))
    array([[0., 2.]])
    """

    kernel = bias = None  # no weights: nothing for the optimizer

    def __init__(self, activation, name=None, input_shape=None) -> None:
        self.activation, (self._f, self._f_grad) = activations.get(activation)
        self.name = name
        self.input_shape = None if input_shape is None else check_shape(input_shape)
        self.units: int | None = None  # the width, known at build
        self.z = self.a = None

    built = property(lambda self: self.units is not None)
    input_width = property(lambda self: self.units)
    weights = gradients = trainable_weights = property(lambda self: [])
    get_weights = lambda self: []  # noqa: E731 (no weights)
    set_weights = lambda self, weights: check_weights(list(weights), [])  # noqa: E731

    def build(self, input_dim: int, rng=None, dtype: DTypeLike = np.float32) -> None:
        self.units = int(input_dim)  # as wide as its input

    def count_params(self) -> int:
        return 0

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
