"""Accuracy metrics, as Keras computes them: each row's score, then their mean.

Each accuracy lives beside the loss whose labels it reads (``losses/``:
``sparse_categorical_accuracy`` for integer labels, ``categorical_accuracy`` for
one-hot ones, ``binary_accuracy`` for 0/1 outputs); here are their names, the
metric objects and the choice ``compile`` makes. Every function returns one value
per row (batch,); the epoch's metric is the mean
of those (weighted by ``sample_weight`` for a weighted metric), as Keras's
``MeanMetricWrapper`` keeps it. ``compile(metrics=["accuracy"])`` picks one the
way Keras 3 does (``resolve``): binary accuracy for a one-output model, sparse
categorical accuracy for integer labels, categorical accuracy otherwise (also for
a multi-label model with several sigmoid outputs: a Keras gotcha, kept).
"""

from __future__ import annotations

import numpy as np

from minigenre.losses.binary import binary_accuracy
from minigenre.losses.categorical import categorical_accuracy
from minigenre.losses.sparse_categorical import sparse_categorical_accuracy

FUNCTIONS = {
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "binary_accuracy": binary_accuracy,
}


class MeanMetric:
    """A metric object, as ``keras.metrics.BinaryAccuracy()``: the running mean of
    its function's per-row values, ``update_state``, ``result``, ``reset_state``.

    Args:
        name: The name it logs under (the function's name by default).
    """

    function = staticmethod(sparse_categorical_accuracy)

    def __init__(self, name: str | None = None) -> None:
        self.name = name or self.function.__name__
        self.reset_state()

    def reset_state(self) -> None:
        self.total, self.count = 0.0, 0.0

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        values = self.function(np.asarray(y_true), np.asarray(y_pred))
        if sample_weight is None:
            self.total += float(np.sum(values))
            self.count += len(values)
        else:
            w = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
            self.total += float((values * w).sum())
            self.count += float(w.sum())

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0  # Keras: divide_no_nan

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class SparseCategoricalAccuracy(MeanMetric):
    function = staticmethod(sparse_categorical_accuracy)


class CategoricalAccuracy(MeanMetric):
    function = staticmethod(categorical_accuracy)


class BinaryAccuracy(MeanMetric):
    function = staticmethod(binary_accuracy)


def resolve(metric, loss_name: str, units: int) -> tuple[str, object]:
    """``(log name, per-row function)`` for a metric given to ``compile``.

    ``"accuracy"`` and ``"acc"`` log under the word given and pick their function
    as Keras 3's ``get_metric`` does; another name or a metric object logs under
    its own name.

    Raises:
        ValueError: If the metric is unknown; the message lists the valid ones.
    """
    if isinstance(metric, MeanMetric):
        return metric.name, metric.function
    if isinstance(metric, str) and metric in ("accuracy", "acc"):
        if units == 1:
            return metric, binary_accuracy
        if loss_name == "sparse_categorical_crossentropy":
            return metric, sparse_categorical_accuracy
        return metric, categorical_accuracy
    if isinstance(metric, str) and metric in FUNCTIONS:
        return metric, FUNCTIONS[metric]
    raise ValueError(
        f"Unknown metric: {metric!r}. Valid names: accuracy, acc, "
        f"{', '.join(FUNCTIONS)}, or a minigenre.metrics object."
    )
