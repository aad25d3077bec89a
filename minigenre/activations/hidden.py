"""The activations of hidden layers: ``linear``, ``relu``, ``elu`` (the study's)
and ``tanh``, each with its derivative ``f_grad(z, a, grad_a)``.

Each works on every value alone. ``f_grad`` takes the pre-activation ``z``, the
output ``a = f(z)`` and dL/da, and returns dL/dz (the chain rule through ``f``);
passing both ``z`` and ``a`` lets each derivative use whichever is cheaper.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


def linear(z: Array) -> Array:
    """The identity, Keras's ``activation=None``."""
    return z


def linear_grad(z: Array, a: Array, grad_a: Array) -> Array:
    return grad_a


def relu(z: Array) -> Array:
    """``max(z, 0)``.

    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    """
    return np.maximum(z, 0)


def relu_grad(z: Array, a: Array, grad_a: Array) -> Array:
    # d relu / dz is 1 where z > 0 and 0 elsewhere (0 at z == 0, as TensorFlow).
    return grad_a * (z > 0)


def elu(z: Array, alpha: float = 1.0) -> Array:
    """Exponential linear unit: ``z`` if ``z > 0`` else ``alpha * (exp(z) - 1)``.

    ``expm1`` rather than ``exp(z) - 1``: for z near 0 the subtraction cancels almost
    every significant digit of ``exp(z)``, while ``expm1`` stays exact to the last bit.

    Written as a sum of the two branches, each zero where the other applies: for
    ``z > 0`` it is ``z + alpha * expm1(0) = z + 0``, otherwise ``0 + alpha *
    expm1(z)``, so every value is exactly that of its branch. That is faster than
    choosing between the branches with ``np.where``, and ``minimum(z, 0)`` keeps
    ``expm1`` from overflowing on large positive inputs.

    >>> elu(np.array([-1.0, 0.0, 2.0])).round(6)
    array([-0.632121,  0.      ,  2.      ])
    """
    return np.maximum(z, 0) + alpha * np.expm1(np.minimum(z, 0))


def elu_grad(z: Array, a: Array, grad_a: Array, alpha: float = 1.0) -> Array:
    # For z <= 0, d/dz alpha*(exp(z) - 1) = alpha*exp(z) = a + alpha: reuse the output.
    if alpha == 1:
        # Then the slope a + 1 is at most 1 for z <= 0, and a + 1 = z + 1 is at least
        # 1 for z > 0, where the slope is 1: min(a + 1, 1) is the slope everywhere,
        # exactly, and twice as fast as choosing between the branches with np.where.
        return grad_a * np.minimum(a + 1, 1)
    return np.where(z > 0, grad_a, grad_a * (a + alpha))


def tanh(z: Array) -> Array:
    """The hyperbolic tangent, outputs in (-1, 1)."""
    return np.tanh(z)


def tanh_grad(z: Array, a: Array, grad_a: Array) -> Array:
    # d tanh / dz = 1 - tanh(z)**2, again from the output.
    return grad_a * (1 - a * a)
