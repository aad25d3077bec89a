"""Categorical cross-entropy: one-hot (or soft) labels ``y``, (batch, classes),
each row's loss ``-sum(y log p)``, the fused softmax form, and the accuracy Keras
reports with these labels."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from minigenre.losses.dense_targets import DenseTargets
from minigenre.losses.log_softmax import EPSILON, log_softmax


def categorical_crossentropy(
    y_true: NDArray, y_pred: NDArray, from_logits: bool = False
) -> NDArray:
    """Per-sample cross-entropy ``-sum(y * log p)`` for one-hot (or soft) labels.

    Mirrors ``keras.losses.categorical_crossentropy``: with ``from_logits=False``
    the rows of ``y_pred`` are divided by their sums, clipped to ``[1e-7, 1 -
    1e-7]`` and their logs taken; with ``from_logits=True`` the stable log-softmax.

    Args:
        y_true: Labels, (batch, classes), e.g. ``keras.utils.to_categorical(y)``.
        y_pred: Probabilities, or logits if ``from_logits``, (batch, classes).

    Returns:
        The loss of each sample, shape (batch,).

    >>> p = np.array([[0.5, 0.25, 0.25]])
    >>> categorical_crossentropy(np.array([[1.0, 0.0, 0.0]]), p).round(4)
    array([0.6931])
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_pred.ndim != 2:
        raise ValueError(
            "Expected y_true and y_pred of the same shape (batch, classes). "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"
        )
    if from_logits:
        return -(y_true * log_softmax(y_pred)).sum(axis=-1)
    y_pred = y_pred / y_pred.sum(axis=-1, keepdims=True)  # rows sum to 1
    return -(y_true * np.log(np.clip(y_pred, EPSILON, 1 - EPSILON))).sum(axis=-1)


def softmax_categorical_crossentropy(y_true: NDArray, logits: NDArray):
    """``(softmax(logits), -sum(y * log_softmax(logits)))`` sharing their work, as
    TensorFlow's ``softmax_cross_entropy_with_logits``, which Keras calls for a
    softmax output: (batch, classes), (batch,)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)  # (batch, classes)
    exp = np.exp(shifted)
    total = exp.sum(axis=-1, keepdims=True)  # (batch, 1), at least 1
    loss = (y_true * (np.log(total) - shifted)).sum(axis=-1)
    return exp / total, loss


def categorical_accuracy(y_true: NDArray, y_pred: NDArray) -> NDArray:
    """Whether the highest output is the highest label (one-hot), per row."""
    return y_pred.argmax(axis=1) == y_true.argmax(axis=1)


class CategoricalCrossentropy(DenseTargets):
    """``keras.losses.CategoricalCrossentropy``: one-hot labels (batch, classes).

    >>> loss = CategoricalCrossentropy()
    >>> round(float(loss(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]]))), 4)
    0.6931
    """

    name = "categorical_crossentropy"
    fuses_with = "softmax"

    def per_sample(self, y_true: NDArray, y_pred: NDArray) -> NDArray:
        return categorical_crossentropy(y_true, y_pred, self.from_logits)

    def from_logits_output(self, y_true, logits):
        return softmax_categorical_crossentropy(y_true, logits)

    def outputs_in_mean(self, probs) -> int:
        return 1  # the loss sums over the classes

    def output_gradient(self, y_true, y_pred) -> NDArray:
        if self.from_logits:  # the softmax's own: p * sum(y) - y
            probs = np.exp(log_softmax(y_pred))
            return probs * y_true.sum(axis=-1, keepdims=True) - y_true
        # L = -sum(y log clip(p / s)), s = sum(p): through the clip where inside it.
        s = y_pred.sum(axis=-1, keepdims=True)
        q = y_pred / s
        inside = (q >= EPSILON) & (q <= 1 - EPSILON)
        dq = np.where(inside, -y_true / np.clip(q, EPSILON, 1 - EPSILON), 0)
        return (dq - (dq * q).sum(axis=-1, keepdims=True)) / s
