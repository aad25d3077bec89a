"""``Input``: the shape of one sample, first in a ``Sequential``."""

from __future__ import annotations

import numpy as np


def check_shape(shape) -> tuple[int]:
    """``(width,)`` for one sample of a Dense network's input, checked."""
    if (
        not isinstance(shape, tuple | list)
        or len(shape) != 1
        or isinstance(shape[0], bool)
        or not isinstance(shape[0], int | np.integer)
        or shape[0] < 1
    ):
        raise ValueError(
            "The input shape must be (features,), one positive integer: a Dense "
            f"network reads 2-D (samples, features) data. Received: {shape!r}"
        )
    return (int(shape[0]),)


class Input:
    """The input's shape, as ``keras.Input(shape=(264,))``, first in a Sequential.

    A ``Sequential`` that starts with it knows its input width and builds each
    layer as it is added, as Keras does.

    >>> Input(shape=(264,)).shape
    (264,)
    """

    def __init__(self, shape: tuple[int], name: str | None = None) -> None:
        self.shape = check_shape(shape)
        self.name = name

    def __repr__(self) -> str:
        return f"Input(shape={self.shape})"
