"""Binary cross-entropy: labels 0/1 per output (binary or multi-label), each row's
loss the mean over the outputs of ``-(y log p + (1 - y) log(1 - p))``, and the
fused sigmoid form, and the accuracy Keras reports with these labels."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from minigenre.losses.dense_targets import DenseTargets
from minigenre.losses.log_softmax import EPSILON


def binary_crossentropy(
    y_true: NDArray, y_pred: NDArray, from_logits: bool = False
) -> NDArray:
    """Per-sample binary cross-entropy, the mean over the outputs of each row.

    Mirrors ``keras.losses.binary_crossentropy``: with ``from_logits=False`` the
    probabilities are clipped to ``[1e-7, 1 - 1e-7]`` and each output's loss is
    ``-(y log p + (1 - y) log(1 - p))``; with ``from_logits=True`` the stable form
    of ``sigmoid_binary_crossentropy``. One output (binary) or several (multi-label).

    Args:
        y_true: 0/1 labels (or probabilities), (batch, outputs).
        y_pred: Probabilities, or logits if ``from_logits``, (batch, outputs).

    >>> binary_crossentropy(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]])).round(4)
    array([0.6931])
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_pred.ndim != 2:
        raise ValueError(
            "Expected y_true and y_pred of the same shape (batch, outputs). "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"
        )
    if from_logits:
        return sigmoid_binary_crossentropy(y_true, y_pred)[1]
    p = np.clip(y_pred, EPSILON, 1 - EPSILON)
    bce = y_true * np.log(p)
    bce += (1 - y_true) * np.log(1 - p)
    return (-bce).mean(axis=-1)


def sigmoid_binary_crossentropy(y_true: NDArray, logits: NDArray):
    """``(sigmoid(logits), each row's binary cross-entropy)`` from the logits.

    TensorFlow's ``sigmoid_cross_entropy_with_logits``, which Keras calls for a
    sigmoid output: ``max(z, 0) - z * y + log1p(exp(-|z|))``, finite for any ``z``
    (``log(sigmoid(z))`` would be ``log(0)`` for large negative ``z``).
    """
    with np.errstate(over="ignore"):
        probs = 1 / (1 + np.exp(-logits))  # activations.sigmoid
    loss = np.maximum(logits, 0) - logits * y_true + np.log1p(np.exp(-np.abs(logits)))
    return probs, loss.mean(axis=-1)


def binary_accuracy(
    y_true: NDArray, y_pred: NDArray, threshold: float = 0.5
) -> NDArray:
    """The share of a row's outputs on the label's side of ``threshold`` (batch,).

    Keras: ``y_pred > threshold`` is the prediction, compared with ``y_true``.
    Keras's function returns each output's hit (batch, outputs); its metric
    object, what ``fit`` reports, takes each row's mean first: the value here.

    >>> binary_accuracy(np.array([[1.0, 0.0]]), np.array([[0.7, 0.6]]))
    array([0.5])
    """
    return (y_true == (y_pred > threshold)).mean(axis=-1)


class BinaryCrossentropy(DenseTargets):
    """``keras.losses.BinaryCrossentropy``: labels 0/1 per output, (batch, outputs).

    >>> loss = BinaryCrossentropy()
    >>> round(float(loss(np.array([[1.0]]), np.array([[0.5]]))), 4)
    0.6931
    """

    name = "binary_crossentropy"
    fuses_with = "sigmoid"

    def per_sample(self, y_true: NDArray, y_pred: NDArray) -> NDArray:
        return binary_crossentropy(y_true, y_pred, self.from_logits)

    def from_logits_output(self, y_true, logits):
        return sigmoid_binary_crossentropy(y_true, logits)

    def outputs_in_mean(self, probs) -> int:
        return probs.shape[-1]  # the loss is the mean over the outputs

    def output_gradient(self, y_true, y_pred) -> NDArray:
        k = y_pred.shape[-1]
        if self.from_logits:
            with np.errstate(over="ignore"):
                return (1 / (1 + np.exp(-y_pred)) - y_true) / k
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        inside = (y_pred >= EPSILON) & (y_pred <= 1 - EPSILON)
        return inside * (-(y_true / p) + (1 - y_true) / (1 - p)) / k
