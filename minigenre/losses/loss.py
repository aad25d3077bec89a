"""``Loss``: what every loss object shares, as Keras's base ``Loss`` does:
``from_logits``, calling it for the batch's loss, and the gradient of that loss.
A loss says each row's loss (``per_sample``) and its gradient
(``output_gradient``); the weighting and the mean over the batch are the same for
all."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


class Loss:
    """The base of the cross-entropies: the batch's loss is the mean over its rows
    of each row's loss times its weight (Keras's ``"sum_over_batch_size"``).

    Args:
        from_logits: Whether predictions are logits rather than probabilities.
    """

    name = fuses_with = ""  # Keras's name; the output activation it fuses with

    def __init__(self, from_logits: bool = False) -> None:
        self.from_logits = from_logits

    def __call__(self, y_true, y_pred, sample_weight=None) -> np.floating:
        losses = self.per_sample(np.asarray(y_true), np.asarray(y_pred))  # (batch,)
        if sample_weight is not None:
            losses = losses * sample_weight
        return losses.mean()  # Keras divides by the batch size, weighted or not

    def gradient(self, y_true, y_pred, sample_weight=None) -> NDArray:
        """dL/dy_pred of the weighted batch mean, shape (batch, outputs)."""
        return batch_mean_gradient(self.output_gradient(y_true, y_pred), sample_weight)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(from_logits={self.from_logits})"


def batch_mean_gradient(grad: NDArray, sample_weight: NDArray | None) -> NDArray:
    """The gradient of the weighted batch mean from each row's own (batch,
    outputs): times the row's weight, over the batch size. ``grad`` is the
    caller's to overwrite."""
    if sample_weight is not None:
        grad *= sample_weight[:, None]
    return grad / len(grad)
