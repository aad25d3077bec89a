"""``Layer``: what every layer with weights shares, as Keras's base ``Layer`` does:
its weights through Keras's calls, ``count_params``, ``get_weights`` and
``set_weights``. A layer says which arrays are its weights (``weights``, in
Keras's order); the rest is the same for all."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from minigenre.training.checks import check_weights


class Layer:
    """The base of ``Dense`` and ``BatchNormalization``: their ``weights`` by
    Keras's calls."""

    weights: list[NDArray]  # each layer's own, e.g. [kernel, bias]

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
