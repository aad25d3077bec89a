"""Activation functions and their derivatives, looked up by name as in Keras.

Each activation ``f`` comes with ``f_grad(z, a, grad_a)``: given the pre-activation
``z``, the output ``a = f(z)`` and the gradient of the loss with respect to ``a``, it
returns the gradient with respect to ``z`` (the chain rule through ``f``). Passing
both ``z`` and ``a`` lets each derivative use whichever is cheaper.
"""

from __future__ import annotations

from collections.abc import Callable

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


def softmax(z: Array) -> Array:
    """``exp(z) / sum(exp(z))`` along the last axis, rows summing to 1.

    Subtracting each row's maximum first changes nothing mathematically (the factor
    ``exp(-max)`` cancels) but keeps ``exp`` from overflowing for large logits.

    >>> softmax(np.array([[1.0, 2.0, 3.0]])).round(4)
    array([[0.09  , 0.2447, 0.6652]])
    """
    with np.errstate(over="ignore"):  # a span beyond float max gives -inf: exp 0
        e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_grad(z: Array, a: Array, grad_a: Array) -> Array:
    # Jacobian-vector product of softmax: da_i/dz_j = a_i (delta_ij - a_j), so
    # grad_z = a * (grad_a - sum_j grad_a_j a_j), without forming the (units, units)
    # Jacobian. When softmax feeds cross-entropy, the model skips this (fused path).
    return a * (grad_a - (grad_a * a).sum(axis=-1, keepdims=True))


def sigmoid(z: Array) -> Array:
    """The logistic function ``1 / (1 + exp(-z))``, each output in (0, 1).

    A binary classifier's output, read as the probability of the positive class;
    with binary cross-entropy the model takes the loss from ``z``, as Keras does
    (see ``losses.sigmoid_binary_crossentropy``).

    >>> sigmoid(np.array([-1.0, 0.0, 1.0])).round(4)
    array([0.2689, 0.5   , 0.7311])
    """
    with np.errstate(over="ignore"):  # exp(-z) is inf for z < -88 (float32): 1/inf 0
        return 1 / (1 + np.exp(-z))


def sigmoid_grad(z: Array, a: Array, grad_a: Array) -> Array:
    # d sigmoid / dz = a (1 - a): the output alone gives the slope.
    return grad_a * (a * (1 - a))


def tanh(z: Array) -> Array:
    """The hyperbolic tangent, outputs in (-1, 1)."""
    return np.tanh(z)


def tanh_grad(z: Array, a: Array, grad_a: Array) -> Array:
    # d tanh / dz = 1 - tanh(z)**2, again from the output.
    return grad_a * (1 - a * a)


Activation = tuple[Callable[[Array], Array], Callable[[Array, Array, Array], Array]]

ACTIVATIONS: dict[str, Activation] = {
    "linear": (linear, linear_grad),
    "relu": (relu, relu_grad),
    "elu": (elu, elu_grad),
    "softmax": (softmax, softmax_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
}


# TensorFlow's and Keras's own functions, recognised by where they are defined and
# their name, so that ``Dense(128, activation=tf.nn.elu)`` works without minigenre
# ever importing TensorFlow. ``tf.nn.softmax`` is TensorFlow's ``softmax_v2``.
FOREIGN_NAMES = {
    "elu": "elu",
    "relu": "relu",
    "softmax": "softmax",
    "softmax_v2": "softmax",
    "linear": "linear",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
}
FOREIGN_MODULES = ("tensorflow.", "keras.", "tf_keras.")


def name_of(function: Callable) -> str | None:
    """The name of a known activation function, or None.

    Known are minigenre's own functions (by identity) and TensorFlow's or Keras's
    ``elu``, ``relu``, ``softmax``, ``sigmoid``, ``tanh`` and ``linear`` (by their
    module and name).

    >>> name_of(elu), name_of(print)
    ('elu', None)
    """
    for name, (f, _) in ACTIVATIONS.items():
        if function is f:
            return name
    module = getattr(function, "__module__", None) or ""
    if module.startswith(FOREIGN_MODULES):
        return FOREIGN_NAMES.get(getattr(function, "__name__", None))
    return None


def get(identifier: str | Callable | None) -> tuple[str, Activation]:
    """Returns ``(name, (f, f_grad))`` for an activation; ``None`` means linear.

    Accepts a name (``"elu"``), or a known function: minigenre's own, or
    TensorFlow's or Keras's (``tf.nn.elu``, ``keras.activations.relu``, ...), which
    stand for minigenre's function of the same name.

    Raises:
        ValueError: If the name or function is unknown; the message lists the valid
            names.
    """
    name = "linear" if identifier is None else identifier
    if callable(name):
        name = name_of(name)
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"Unknown activation: {identifier!r}. "
            f"Valid names: {', '.join(sorted(ACTIVATIONS))} (or None), or one of "
            "these functions from minigenre, TensorFlow or Keras."
        )
    return name, ACTIVATIONS[name]
