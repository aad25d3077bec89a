"""A speed trick run by default: all of a model's weights in one flat vector.

Adam and SGD are elementwise, so updating the concatenation ``[kernel_0, bias_0,
kernel_1, bias_1]`` at once is exactly updating each array, in a quarter of the NumPy
calls. At batch 32 the calls' fixed cost is a large part of the optimizer's time:
training the study's network is about 13% faster this way.

The layers do not know about it, nor does the optimizer, whose state (``m``, ``v``)
is then one flat array per slot: ``split`` and ``join`` convert it to and from one
array per weight, in ``get_weights`` order, for the model's files. This file is the
one place that knows the layout.

Each layer's ``kernel`` and ``bias`` are replaced by
reshaped views of their slice of ``weights``, and ``grad_kernel`` and ``grad_bias`` by
the same views of ``gradients``: a layer that writes its gradients in place (``out=``)
fills the flat gradient vector as it goes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

# (weight, its gradient): the attribute names of every trainable parameter, Keras's
# order: a Dense layer's kernel and bias, a BatchNormalization's gamma and beta (its
# moving statistics are not trained, so not here: the optimizer never sees them).
PARAMETERS = (
    ("kernel", "grad_kernel"),
    ("bias", "grad_bias"),
    ("gamma", "grad_gamma"),
    ("beta", "grad_beta"),
)


class FlatParameters:
    """Two flat vectors, ``weights`` and ``gradients``, that the layers' arrays view.

    The current values are copied in, so flattening changes no number.
    """

    def __init__(self, layers: list, dtype: DTypeLike) -> None:
        arrays = [(layer, names) for layer in layers for names in _present(layer)]
        size = sum(getattr(layer, w).size for layer, (w, _) in arrays)
        self.weights = np.empty(size, dtype)
        self.gradients = np.zeros(size, dtype)
        start = 0
        for layer, (w_name, g_name) in arrays:
            old = getattr(layer, w_name)
            part = slice(start, start + old.size)
            view = self.weights[part].reshape(old.shape)
            view[...] = old
            setattr(layer, w_name, view)
            setattr(layer, g_name, self.gradients[part].reshape(old.shape))
            start += old.size

    def holds(self, layers: list) -> bool:
        """Whether every weight and gradient of ``layers`` is still a view of ours.

        Not if a layer was rebuilt, or an array assigned to it, since flattening.
        """
        return all(
            getattr(layer, w).base is self.weights
            and getattr(layer, g).base is self.gradients
            for layer in layers
            for w, g in _present(layer)
        )


def flat_parameters(
    layers: list, dtype: DTypeLike, current: FlatParameters | None
) -> FlatParameters:
    """``current`` if it still holds ``layers``' arrays, else a new flattening."""
    if current is not None and current.holds(layers):
        return current
    return FlatParameters(layers, dtype)


def split(vector: np.ndarray, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    """``vector``'s parts as copies of ``shapes``, in order (the reverse of ``join``).

    >>> [a.tolist() for a in split(np.arange(5.0), [(2, 2), (1,)])]
    [[[0.0, 1.0], [2.0, 3.0]], [4.0]]
    """
    ends = np.cumsum([int(np.prod(shape)) for shape in shapes])[:-1]
    parts = np.split(vector, ends)
    return [p.reshape(s).copy() for p, s in zip(parts, shapes, strict=True)]


def join(arrays: list[np.ndarray], dtype: DTypeLike) -> np.ndarray:
    """One flat vector of ``dtype`` holding ``arrays`` in order."""
    return np.concatenate([a.ravel() for a in arrays]).astype(dtype)


def _present(layer) -> list[tuple[str, str]]:
    return [names for names in PARAMETERS if getattr(layer, names[0], None) is not None]
