"""Optimizers that update weights in place from their gradients, as Keras's do.

One file per optimizer, as in Keras (``keras/src/optimizers/``): ``adam.py`` (the
study's), ``sgd.py`` and ``rmsprop.py``. Each keeps its state per weight array,
by Keras's names, and its ``update_step`` is the formula of its docstring;
``optimizer.py`` holds what they share (Keras's base ``Optimizer``).
"""

from __future__ import annotations

from minigenre.optimizers.adam import Adam, check_gradient, squares_finite
from minigenre.optimizers.optimizer import Optimizer
from minigenre.optimizers.rmsprop import RMSprop
from minigenre.optimizers.sgd import SGD

__all__ = [
    "SGD", "Adam", "Optimizer", "RMSprop", "check_gradient", "get", "squares_finite",
]  # fmt: skip

OPTIMIZERS = {"adam": Adam, "sgd": SGD, "rmsprop": RMSprop}
# Keras's other optimizer names, refused where they are used, naming what is here.
KERAS_ONLY = (
    "adadelta", "adafactor", "adagrad", "adamax", "adamw", "ftrl", "lamb",
    "lion", "loss_scale_optimizer", "muon", "nadam",
)  # fmt: skip


def get(identifier) -> Optimizer:
    """Resolves ``"adam"``, ``"sgd"`` or ``"rmsprop"`` (case-insensitive, as Keras)
    or passes an instance through.

    Raises:
        ValueError: If the name is unknown; the message lists the valid names.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    name = identifier.lower() if isinstance(identifier, str) else None
    if name in KERAS_ONLY:
        raise ValueError(
            f"The Keras optimizer {identifier!r} is not in minigenre; use one of "
            f"{', '.join(sorted(OPTIMIZERS))}."
        )
    if name not in OPTIMIZERS:
        raise ValueError(
            f"Unknown optimizer: {identifier!r}. "
            f"Valid names: {', '.join(sorted(OPTIMIZERS))}."
        )
    return OPTIMIZERS[name]()
