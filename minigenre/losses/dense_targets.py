"""What categorical and binary cross-entropy share: labels of the output's shape
(the rest of a loss object is ``loss.Loss``)."""

from __future__ import annotations

from numpy.typing import DTypeLike, NDArray

from minigenre.losses.loss import Loss, batch_mean_gradient
from minigenre.training.checks import check_targets


class DenseTargets(Loss):
    """What categorical and binary cross-entropy share: labels of the output's
    shape, and the gradient of the fused path."""

    def check_targets(self, y, n_outputs, n_rows, dtype: DTypeLike, name="y"):
        """Labels of the output's shape (n, n_outputs), in [0, 1]."""
        return check_targets(y, self.name, n_outputs, n_rows, dtype, name)

    def logits_gradient(self, y_true, probs, sample_weight=None) -> NDArray:
        """dL/dlogits of the fused path: ``(p - y) / n`` (over ``outputs`` too for
        binary cross-entropy, the mean over the outputs)."""
        grad = (probs - y_true) / self.outputs_in_mean(probs)  # (batch, outputs)
        return batch_mean_gradient(grad, sample_weight)
