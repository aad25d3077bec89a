"""What the exercises' checks share: the ``Wrong`` verdict and array comparisons."""

from __future__ import annotations

import numpy as np


class Wrong(Exception):
    """The answer ran but is wrong; the message is the hint."""


def same(got, want, rtol=1e-7, atol=1e-10) -> bool:
    """Whether an answer has the expected shape and values."""
    got = np.asarray(got, dtype=float)
    return got.shape == np.shape(want) and np.allclose(got, want, rtol=rtol, atol=atol)


def as_array(value, name: str, shape: tuple, meaning: str) -> np.ndarray:
    """The answer as an array of the expected shape, or a hint naming that shape."""
    array = np.asarray(value, dtype=float)
    if array.shape != shape:
        raise Wrong(f"{name} has shape {array.shape}; expected {shape}, {meaning}")
    return array
