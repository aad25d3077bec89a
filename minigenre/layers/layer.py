"""``Layer``: what every layer shares, as Keras's base ``Layer`` does: its
``name`` and ``input_shape`` (or Keras 2's ``input_dim``), its width once built,
and its weights through Keras's calls, ``count_params``, ``get_weights`` and
``set_weights``. A layer with weights says which arrays they are (``weights``,
in Keras's order); one without has none and is as wide as its input."""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike, NDArray

from minigenre.layers.input_layer import check_shape
from minigenre.training.checks import check_weights


class Layer:
    """The base of every layer.

    Args:
        name: Layer name; a ``Sequential`` assigns one (``dense``, ``dense_1``,
            ...) if None.
        input_shape: ``(input_dim,)`` for a first layer: its ``Sequential`` is
            then built at once, as in Keras (which prefers an ``Input`` first).
        input_dim: Keras 2's spelling of ``input_shape=(input_dim,)``.
    """

    kernel = bias = None  # a Dense layer's weights; other layers have none
    activation = "linear"  # applied last; a softmax or sigmoid may fuse with a loss
    units: int | None = None  # the output's width, known at build for most layers

    def __init__(self, name=None, input_shape=None, input_dim=None) -> None:
        if input_dim is not None:
            if input_shape is not None:
                raise ValueError("Give input_shape or input_dim, not both.")
            input_shape = (input_dim,)
        self.name = name
        self.input_shape = None if input_shape is None else check_shape(input_shape)

    # A layer without weights: built once it knows its input's width, its own.
    built = property(lambda self: self.units is not None)
    input_width = property(lambda self: self.units)
    weights = trainable_weights = gradients = property(lambda self: [])

    def build(self, input_dim: int, rng=None, dtype: DTypeLike = np.float32) -> None:
        self.units = int(input_dim)  # as wide as its input

    def count_params(self) -> int:
        return sum(w.size for w in self.weights)

    def get_weights(self) -> list[NDArray]:
        """Copies of ``weights``, as ``layer.get_weights()`` in Keras."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Replaces ``weights`` in place, count and shapes checked first."""
        weights = [np.asarray(w) for w in weights]
        check_weights(weights, self.weights)
        for new, old in zip(weights, self.weights, strict=True):
            old[...] = new  # in place: the model's flat vector stays attached
