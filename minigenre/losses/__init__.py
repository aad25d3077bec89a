"""The cross-entropies of a classifier, computed the way Keras computes them.

* sparse categorical: integer labels ``y``, class probabilities ``p``: ``-log p[y]``;
* categorical: one-hot (or soft) labels ``y``, (batch, classes): ``-sum(y log p)``;
* binary: labels 0/1 per output (binary or multi-label): the mean over the outputs
  of ``-(y log p + (1 - y) log(1 - p))``.

The batch loss is the mean over samples (Keras's ``"sum_over_batch_size"``
reduction), weighted per sample when class weights are given. Each loss object
also knows the activation it fuses with (softmax, sigmoid): a model whose last
layer has it takes the loss from the logits, as Keras does.

One file per loss family: ``sparse_categorical.py`` (the study's), ``categorical.py``
and ``binary.py``; ``loss.py`` holds the base they share (the weighted batch mean
and its gradient), ``log_softmax.py`` the stable log-softmax, ``dense_targets.py``
what the two losses with labels of the output's shape share.
"""

from __future__ import annotations

from minigenre.losses.binary import (
    BinaryCrossentropy,
    binary_crossentropy,
    sigmoid_binary_crossentropy,
)
from minigenre.losses.categorical import (
    CategoricalCrossentropy,
    categorical_crossentropy,
    softmax_categorical_crossentropy,
)
from minigenre.losses.log_softmax import EPSILON, log_softmax
from minigenre.losses.loss import Loss
from minigenre.losses.sparse_categorical import (
    SparseCategoricalCrossentropy,
    softmax_crossentropy,
    softmax_crossentropy_grad,
    sparse_categorical_crossentropy,
)

__all__ = [
    "EPSILON",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Loss",
    "SparseCategoricalCrossentropy",
    "binary_crossentropy",
    "categorical_crossentropy",
    "get",
    "log_softmax",
    "sigmoid_binary_crossentropy",
    "softmax_categorical_crossentropy",
    "softmax_crossentropy",
    "softmax_crossentropy_grad",
    "sparse_categorical_crossentropy",
]

LOSSES = {
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
}
CLASSES = {cls.__name__: cls for cls in LOSSES.values()}


def get(identifier) -> Loss:
    """Resolves a loss name (Keras's function or class name) or instance.

    Raises:
        ValueError: If the name is unknown; the message lists the valid names.
    """
    if isinstance(identifier, tuple(LOSSES.values())):
        return identifier
    if isinstance(identifier, str) and identifier in CLASSES:
        return CLASSES[identifier]()
    if not isinstance(identifier, str) or identifier not in LOSSES:
        raise ValueError(
            f"Unknown loss: {identifier!r}. Valid names: {', '.join(sorted(LOSSES))}."
        )
    return LOSSES[identifier]()
