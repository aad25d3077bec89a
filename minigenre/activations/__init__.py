"""Activation functions and their derivatives, looked up by name as in Keras.

One file per kind, as the layers, losses and optimizers have: ``hidden.py`` holds
those of hidden layers (``linear``, ``relu``, ``elu``, ``tanh``), ``output.py``
those that turn an output layer's scores into probabilities (``softmax``,
``sigmoid``). Each activation ``f`` comes with ``f_grad(z, a, grad_a)``, the
chain rule through ``f``. Here: the table of names, and ``get``, which a layer
calls with its ``activation`` argument.
"""

from __future__ import annotations

from collections.abc import Callable

from minigenre.activations.hidden import (
    Array,
    elu,
    elu_grad,
    linear,
    linear_grad,
    relu,
    relu_grad,
    tanh,
    tanh_grad,
)
from minigenre.activations.output import sigmoid, sigmoid_grad, softmax, softmax_grad

__all__ = [
    "ACTIVATIONS", "elu", "elu_grad", "get", "linear", "linear_grad", "name_of",
    "relu", "relu_grad", "sigmoid", "sigmoid_grad", "softmax", "softmax_grad",
    "tanh", "tanh_grad",
]  # fmt: skip

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
