"""What categorical and binary cross-entropy share: labels of the output's shape."""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike, NDArray

from minigenre.training.checks import check_targets


class DenseTargets:
    """What categorical and binary cross-entropy share: labels of the output's
    shape, the loss of the weighted batch mean, and ``from_logits``."""

    name = fuses_with = ""

    def __init__(self, from_logits: bool = False) -> None:
        self.from_logits = from_logits

    def check_targets(self, y, n_outputs, n_rows, dtype: DTypeLike, name="y"):
        """Labels of the output's shape (n, n_outputs), in [0, 1]."""
        return check_targets(y, self.name, n_outputs, n_rows, dtype, name)

    def __call__(self, y_true, y_pred, sample_weight=None) -> np.floating:
        losses = self.per_sample(np.asarray(y_true), np.asarray(y_pred))
        if sample_weight is not None:
            losses = losses * sample_weight
        return losses.mean()  # Keras divides by the batch size, weighted or not

    def gradient(self, y_true, y_pred, sample_weight=None) -> NDArray:
        """dL/dy_pred of the weighted batch mean, shape (batch, outputs)."""
        grad = self.output_gradient(y_true, y_pred)
        if sample_weight is not None:
            grad *= sample_weight[:, None]
        return grad / len(y_pred)

    def logits_gradient(self, y_true, probs, sample_weight=None) -> NDArray:
        """dL/dlogits of the fused path: ``(p - y) / n`` (over ``outputs`` too for
        binary cross-entropy, the mean over the outputs)."""
        grad = (probs - y_true) / self.outputs_in_mean(probs)  # (batch, outputs)
        if sample_weight is not None:
            grad *= sample_weight[:, None]
        return grad / len(probs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(from_logits={self.from_logits})"
