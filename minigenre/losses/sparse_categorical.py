"""Sparse categorical cross-entropy, the study's loss: integer labels ``y``, class
probabilities ``p``, each row's loss ``-log p[y]``, the fused softmax form, and the
accuracy Keras reports with these labels."""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike, NDArray

from minigenre.losses.log_softmax import EPSILON, log_softmax
from minigenre.losses.loss import Loss
from minigenre.training.checks import check_labels


def sparse_categorical_crossentropy(
    y_true: NDArray, y_pred: NDArray, from_logits: bool = False
) -> NDArray:
    """Per-sample cross-entropy ``-log p[y]`` for integer labels.

    Mirrors ``keras.losses.sparse_categorical_crossentropy``: with ``from_logits=False``
    the probabilities are clipped to ``[1e-7, 1 - 1e-7]`` and, through their logs,
    renormalised to sum to 1; with ``from_logits=True`` the stable log-softmax is used.

    Args:
        y_true: Integer labels, shape (batch,) or (batch, 1).
        y_pred: Probabilities, or logits if ``from_logits``, shape (batch, classes).
        from_logits: Whether ``y_pred`` holds logits.

    Returns:
        The loss of each sample, shape (batch,).

    >>> p = np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]])
    >>> sparse_categorical_crossentropy(np.array([0, 1]), p).round(4)
    array([0.6931, 0.2231])
    """
    y_true = np.asarray(y_true).reshape(-1).astype(np.intp)
    y_pred = np.asarray(y_pred)
    if y_pred.ndim != 2 or len(y_true) != len(y_pred):
        raise ValueError(
            "Expected y_pred of shape (batch, classes) and y_true of shape (batch,). "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"
        )
    if not from_logits:
        # Keras: log of the clipped probabilities, treated as logits.
        y_pred = np.log(np.clip(y_pred, EPSILON, 1 - EPSILON))
    log_p = log_softmax(y_pred)  # (batch, classes)
    return -log_p[np.arange(len(y_true)), y_true]


def softmax_crossentropy(y_true: NDArray, logits: NDArray) -> tuple[NDArray, NDArray]:
    """Softmax probabilities and per-sample cross-entropy, from logits, in one go.

    Both begin with ``shifted = logits - max`` and ``total = sum(exp(shifted))``, so
    they share that work: the probabilities are ``exp(shifted) / total``, the same
    values as ``activations.softmax(logits)``, and the loss ``log(total) -
    shifted[y]``, the same as ``sparse_categorical_crossentropy(y, logits,
    from_logits=True)``. Keras also takes a softmax output's loss from its logits.

    Args:
        y_true: Integer labels, shape (batch,).
        logits: Pre-softmax outputs, shape (batch, classes).

    Returns:
        ``(probabilities (batch, classes), losses (batch,))``.

    >>> probs, loss = softmax_crossentropy(np.array([0]), np.array([[0.0, 0.0]]))
    >>> probs, loss.round(4)
    (array([[0.5, 0.5]]), array([0.6931]))
    """
    shifted = logits - logits.max(axis=-1, keepdims=True)  # (batch, classes)
    exp = np.exp(shifted)
    total = exp.sum(axis=-1, keepdims=True)  # (batch, 1), at least 1
    loss = np.log(total[:, 0]) - shifted[np.arange(len(shifted)), y_true]
    return exp / total, loss


def softmax_crossentropy_grad(
    y_true: NDArray, probs: NDArray, sample_weight: NDArray | None = None
) -> NDArray:
    """dL/dlogits of the mean cross-entropy of a softmax: ``(p - onehot) / n``.

    Valid only for a softmax output feeding categorical cross-entropy: the softmax
    Jacobian ``p_i (delta_ij - p_j)`` times the loss gradient ``-onehot_j / p_j``
    collapses to ``p_i - onehot_i``, with no division by a tiny ``p``. This is what
    Keras computes too: its softmax output carries the logits, and the loss is taken
    from them.

    Args:
        y_true: Integer labels, shape (batch,).
        probs: Softmax outputs, shape (batch, classes).
        sample_weight: Optional per-sample weights, shape (batch,).

    Returns:
        The gradient with respect to the logits, shape (batch, classes).
    """
    n = len(probs)
    grad = probs.copy()  # (batch, classes)
    grad[np.arange(n), y_true] -= 1
    if sample_weight is not None:
        grad *= sample_weight[:, None]
    grad /= n  # the mean over the batch ("sum_over_batch_size")
    return grad


def sparse_categorical_accuracy(y_true: NDArray, y_pred: NDArray) -> NDArray:
    """Whether the highest output is the integer label, per row (batch,).

    >>> sparse_categorical_accuracy(np.array([1, 0]), np.array([[0.2, 0.8]] * 2))
    array([ True, False])
    """
    return y_pred.argmax(axis=1) == y_true


class SparseCategoricalCrossentropy(Loss):
    """The loss as an object, like ``keras.losses.SparseCategoricalCrossentropy``.

    Calling it returns the batch mean; ``gradient`` returns dL/dy_pred (``Loss``).

    Args:
        from_logits: Whether predictions are logits rather than probabilities.

    >>> loss = SparseCategoricalCrossentropy()
    >>> round(float(loss(np.array([0]), np.array([[0.5, 0.5]]))), 4)
    0.6931
    """

    name = "sparse_categorical_crossentropy"
    fuses_with = "softmax"  # a softmax output's loss comes from its logits

    def check_targets(self, y, n_outputs, n_rows, dtype: DTypeLike, name="y"):
        """Integer labels (n,), each in ``[0, n_outputs)``."""
        return check_labels(y, name, n_classes=n_outputs, n_rows=n_rows)

    def per_sample(self, y_true: NDArray, y_pred: NDArray) -> NDArray:
        """Each row's loss (batch,) from the output (probabilities or logits)."""
        return sparse_categorical_crossentropy(y_true, y_pred, self.from_logits)

    def from_logits_output(self, y_true: NDArray, logits: NDArray):
        """``(softmax(logits), each row's loss)`` in one go (the fused path)."""
        return softmax_crossentropy(y_true, logits)

    def logits_gradient(self, y_true, probs, sample_weight=None) -> NDArray:
        """dL/dlogits of the fused path, ``(p - onehot) / n``."""
        return softmax_crossentropy_grad(y_true, probs, sample_weight)

    def output_gradient(self, y_true: NDArray, y_pred: NDArray) -> NDArray:
        """Each row's dL/dy_pred (batch, classes), before its weight and the mean."""
        y_true = np.asarray(y_true).reshape(-1).astype(np.intp)
        rows = np.arange(len(y_pred))
        if self.from_logits:  # the softmax's own: p - onehot
            grad = np.exp(log_softmax(y_pred))
            grad[rows, y_true] -= 1
            return grad
        # L = -log(clip(p)[y]) + log(sum(clip(p))): the second term is Keras's
        # renormalisation; the clip passes no gradient outside [eps, 1 - eps].
        clipped = np.clip(y_pred, EPSILON, 1 - EPSILON)
        inside = (y_pred >= EPSILON) & (y_pred <= 1 - EPSILON)
        grad = np.broadcast_to(1 / clipped.sum(axis=-1, keepdims=True), y_pred.shape)
        grad = grad.copy()
        grad[rows, y_true] -= 1 / clipped[rows, y_true]
        return grad * inside
