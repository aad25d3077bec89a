"""Weight initializers, named and defined as in Keras.

Each takes a shape, a ``numpy.random.Generator`` and a dtype, so every random draw comes
from the model's seed. The numbers differ from Keras's own draws (different random
generators); the distributions are the same, and parity tests copy weights across.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import DTypeLike, NDArray

Initializer = Callable[[tuple[int, ...], np.random.Generator, DTypeLike], NDArray]


def glorot_uniform(shape, rng, dtype=np.float32):
    """Uniform on ``[-limit, limit]`` with ``limit = sqrt(6 / (fan_in + fan_out))``.

    Keras's default kernel initializer (Glorot & Bengio, 2010): it keeps the variance of
    activations and gradients roughly equal across layers.

    >>> w = glorot_uniform((264, 128), np.random.default_rng(0))
    >>> bool(np.abs(w).max() <= np.sqrt(6 / (264 + 128)))
    True
    """
    fan_in, fan_out = shape
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def he_uniform(shape, rng, dtype=np.float32):
    """Uniform on ``[-limit, limit]`` with ``limit = sqrt(6 / fan_in)``, for relu."""
    fan_in, _ = shape
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def zeros(shape, rng, dtype=np.float32):
    """All zeros, Keras's default bias initializer."""
    return np.zeros(shape, dtype=dtype)


def ones(shape, rng, dtype=np.float32):
    return np.ones(shape, dtype=dtype)


INITIALIZERS: dict[str, Initializer] = {
    "glorot_uniform": glorot_uniform,
    "he_uniform": he_uniform,
    "zeros": zeros,
    "ones": ones,
}


def get(identifier: str | Initializer) -> Initializer:
    """Resolves an initializer name, or passes a callable through.

    Raises:
        ValueError: If the name is unknown; the message lists the valid names.
    """
    if callable(identifier):
        return identifier
    if not isinstance(identifier, str) or identifier not in INITIALIZERS:
        raise ValueError(
            f"Unknown initializer: {identifier!r}. "
            f"Valid names: {', '.join(sorted(INITIALIZERS))}."
        )
    return INITIALIZERS[identifier]


def name_of(initializer: Initializer) -> str:
    """The name ``get`` resolves to ``initializer``, for a model's file.

    Raises:
        ValueError: For a custom callable, which no file can name.
    """
    for name, function in INITIALIZERS.items():
        if initializer is function:
            return name
    raise ValueError(
        f"Cannot save a custom initializer: {initializer!r}. "
        f"Valid names: {', '.join(sorted(INITIALIZERS))}."
    )
