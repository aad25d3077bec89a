"""Scores for the genre classifier: accuracy, log-loss, confusion matrix, report.

Labels are 0-based integers, probabilities are ``(n_samples, n_classes)`` arrays, as
everywhere in minigenre. Names and conventions follow scikit-learn's
``sklearn.metrics`` (rows of a confusion matrix are true classes, columns predicted;
precision is 0 for a class never predicted, like ``zero_division=0``), and the tests
check every function against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from minigenre.training.checks import check_labels

# Loose enough for float32 softmax output and probabilities rounded in a CSV file,
# tight enough to catch logits or unnormalised scores passed by mistake.
PROBA_SUM_ATOL = 1e-3


def as_proba(proba: ArrayLike) -> NDArray:
    """Returns ``proba`` as float64 after checking that each row is a distribution."""
    arr = np.asarray(proba)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] < 2:
        raise ValueError(
            f"proba must have shape (n_samples, n_classes) with n_classes >= 2; "
            f"received shape {arr.shape}."
        )
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise ValueError(f"proba must be numeric; received dtype {arr.dtype}.")
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        row = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise ValueError(f"proba contains NaN or infinite values (first in row {row}).")
    if (arr < 0).any():
        row = int(np.flatnonzero((arr < 0).any(axis=1))[0])
        raise ValueError(f"proba has negative values (first in row {row}: {arr[row]}).")
    sums = arr.sum(axis=1)  # (n_samples,)
    off = np.abs(sums - 1.0) > PROBA_SUM_ATOL
    if off.any():
        row = int(np.flatnonzero(off)[0])
        raise ValueError(
            f"proba rows must sum to 1 (within {PROBA_SUM_ATOL}); row {row} sums to "
            f"{float(sums[row])!r}. Pass probabilities (softmax output), not logits."
        )
    return arr


def _check_same_length(y_true: NDArray, y_pred: NDArray, pred_name: str) -> None:
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and {pred_name} have different lengths: "
            f"{len(y_true)} != {len(y_pred)}."
        )


def accuracy(y_true: ArrayLike, y_pred_labels: ArrayLike) -> float:
    """Fraction of samples whose predicted label equals the true label.

    Args:
        y_true: True labels, shape ``(n_samples,)``.
        y_pred_labels: Predicted labels, shape ``(n_samples,)``.

    Returns:
        The accuracy in ``[0, 1]``, like ``sklearn.metrics.accuracy_score``.

    >>> accuracy([0, 1, 2, 2], [0, 1, 1, 2])
    0.75
    """
    y_true = check_labels(y_true, "y_true")
    y_pred = check_labels(y_pred_labels, "y_pred_labels")
    _check_same_length(y_true, y_pred, "y_pred_labels")
    return float(np.mean(y_true == y_pred))


def log_loss(y_true: ArrayLike, proba: ArrayLike, eps: float = 1e-7) -> float:
    """Mean multi-class log-loss (cross-entropy) of predicted probabilities.

    Mirrors Keras's ``sparse_categorical_crossentropy`` with ``from_logits=False``: each
    row is divided by its sum, then clipped to ``[eps, 1 - eps]`` with Keras's
    ``epsilon() = 1e-7``, so a confident wrong answer costs at most ``-log(1e-7)``
    (about 16.1), not infinity. The course's Kaggle page described this formula
    with ``eps=1e-15``; its leaderboard computed `kaggle_log_loss` instead.
    ``sklearn.metrics.log_loss(y_true, proba, labels=range(n_classes))`` gives the
    same value whenever every probability lies in ``[eps, 1 - eps]``; it clips at
    the machine epsilon of ``proba``'s dtype instead (2.2e-16 for float64)
    and does not renormalise rows.

    Args:
        y_true: True labels in ``[0, n_classes)``, shape ``(n_samples,)``.
        proba: Predicted probabilities, shape ``(n_samples, n_classes)``; rows must be
            non-negative and sum to 1 within ``PROBA_SUM_ATOL``.
        eps: Clipping bound, in ``(0, 0.5)``.

    Returns:
        The mean negative log-probability of the true class.

    >>> round(log_loss([0, 1], [[0.9, 0.1], [0.2, 0.8]]), 4)  # -(ln .9 + ln .8) / 2
    0.1643
    """
    if not 0 < eps < 0.5:
        raise ValueError(f"eps must be in (0, 0.5); received eps={eps!r}.")
    proba = as_proba(proba)
    y_true = check_labels(y_true, "y_true", n_classes=proba.shape[1])
    _check_same_length(y_true, proba, "proba")
    proba = proba / proba.sum(axis=1, keepdims=True)  # Keras renormalises first
    proba = np.clip(proba, eps, 1 - eps)
    picked = proba[np.arange(len(y_true)), y_true]  # (n_samples,)
    return float(-np.mean(np.log(picked)))


def kaggle_log_loss(y_true: ArrayLike, proba: ArrayLike, eps: float = 1e-15) -> float:
    """Log-loss on the 2018 leaderboard's scale: binary cross-entropy over N x K cells.

    The course's Kaggle page described the multi-class log-loss (`log_loss`), but its
    leaderboard scored something else: students' offline multi-class log-losses of
    1.081-1.139 showed as 0.168-0.192 there, networks scored offline with TensorFlow
    1's ``tf.losses.log_loss`` (binary cross-entropy averaged over every cell) kept
    their values, and the all-class-1 sample submission scored 3.49 where the
    multi-class formula gives about 17. So each of the ``K`` columns is scored as a
    yes/no question against the one-hot truth and the ``N x K`` terms are averaged.
    As Kaggle does, each row is first divided by its sum, then clipped to
    ``[eps, 1 - eps]`` with ``eps = 1e-15``.

    Args:
        y_true: True labels in ``[0, n_classes)``, shape ``(n_samples,)``.
        proba: Predicted probabilities, shape ``(n_samples, n_classes)``.
        eps: Clipping bound, in ``(0, 0.5)``.

    Returns:
        The mean of ``-(t log p + (1 - t) log(1 - p))`` over all cells, ``t`` one-hot.

    >>> round(kaggle_log_loss([0, 1], [[0.9, 0.1], [0.2, 0.8]]), 4)  # 2 cells a row
    0.1643
    >>> round(kaggle_log_loss([0], [[0.5, 0.25, 0.25]]), 4)  # (ln 2 + 2 ln 4/3) / 3
    0.4228
    """
    if not 0 < eps < 0.5:
        raise ValueError(f"eps must be in (0, 0.5); received eps={eps!r}.")
    proba = as_proba(proba)
    y_true = check_labels(y_true, "y_true", n_classes=proba.shape[1])
    _check_same_length(y_true, proba, "proba")
    proba = proba / proba.sum(axis=1, keepdims=True)  # Kaggle renormalises first
    proba = np.clip(proba, eps, 1 - eps)
    truth = np.zeros_like(proba)  # (n_samples, n_classes), one-hot
    truth[np.arange(len(y_true)), y_true] = 1.0
    cells = truth * np.log(proba) + (1 - truth) * np.log1p(-proba)
    return float(-np.mean(cells))


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, n_classes: int) -> NDArray:
    """Counts of (true, predicted) label pairs.

    Args:
        y_true: True labels in ``[0, n_classes)``, shape ``(n_samples,)``.
        y_pred: Predicted labels in ``[0, n_classes)``, shape ``(n_samples,)``.
        n_classes: Number of classes; fixes the shape even for absent classes.

    Returns:
        An int64 array of shape ``(n_classes, n_classes)``; entry ``[i, j]`` counts
        samples of true class ``i`` predicted as ``j`` (scikit-learn's layout).

    >>> confusion_matrix([0, 1, 1], [0, 0, 1], n_classes=2).tolist()
    [[1, 0], [1, 1]]
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, int | np.integer):
        raise ValueError(f"n_classes must be an int; received n_classes={n_classes!r}.")
    if n_classes < 1:
        raise ValueError(f"n_classes must be >= 1; received n_classes={n_classes}.")
    y_true = check_labels(y_true, "y_true", n_classes)
    y_pred = check_labels(y_pred, "y_pred", n_classes)
    _check_same_length(y_true, y_pred, "y_pred")
    # One bincount over the flattened pair index beats a Python loop over samples.
    flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes).astype(np.int64)


def precision_recall_fscore_support(
    y_true: ArrayLike, y_pred: ArrayLike, n_classes: int
) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Per-class precision, recall, F1 and support, like scikit-learn's function.

    A class that is never predicted gets precision 0 (and one never present, recall 0),
    as with scikit-learn's ``zero_division=0``; F1 is 0 when precision + recall is 0.

    Returns:
        Four arrays of shape ``(n_classes,)``: precision, recall, f1 (float64) and
        support (int64, the number of true samples per class).
    """
    cm = confusion_matrix(y_true, y_pred, n_classes)
    hits = np.diag(cm).astype(np.float64)
    predicted, support = cm.sum(axis=0), cm.sum(axis=1)
    # np.divide with `where` avoids 0/0 warnings and leaves the zero_division value 0.
    precision = np.divide(hits, predicted, out=np.zeros(n_classes), where=predicted > 0)
    recall = np.divide(hits, support, out=np.zeros(n_classes), where=support > 0)
    both = precision + recall
    f1 = np.divide(
        2 * precision * recall, both, out=np.zeros(n_classes), where=both > 0
    )
    return precision, recall, f1, support


@dataclass(frozen=True)
class ClassMetrics:
    """One row of a :class:`ClassificationReport`."""

    name: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class ClassificationReport:
    """Per-class metrics plus accuracy and the macro and support-weighted averages.

    The averages are means of the per-class values (macro) or their support-weighted
    means (weighted), the definitions of ``sklearn.metrics.classification_report``.
    """

    rows: tuple[ClassMetrics, ...]
    accuracy: float
    macro_avg: ClassMetrics
    weighted_avg: ClassMetrics

    def format(self, digits: int = 2) -> str:
        """Returns the report as a text table with one line per class."""
        width = max(len("weighted avg"), *(len(row.name) for row in self.rows))
        head = f"{'':>{width}}  precision  recall  f1-score  support"
        total = self.weighted_avg.support

        def line(r: ClassMetrics) -> str:
            return (
                f"{r.name:>{width}}  {r.precision:>9.{digits}f}"
                f"  {r.recall:>6.{digits}f}  {r.f1:>8.{digits}f}  {r.support:>7d}"
            )

        acc = f"{'accuracy':>{width}}  {'':>9}  {'':>6}  {self.accuracy:>8.{digits}f}"
        lines = [head, "", *map(line, self.rows), "", f"{acc}  {total:>7d}"]
        return "\n".join([*lines, line(self.macro_avg), line(self.weighted_avg)])

    def __str__(self) -> str:
        return self.format()


def classification_report(
    y_true: ArrayLike, y_pred: ArrayLike, names: Sequence[str]
) -> ClassificationReport:
    """Precision, recall, F1 and support for each class, named.

    Args:
        y_true: True labels in ``[0, len(names))``, shape ``(n_samples,)``.
        y_pred: Predicted labels, same shape and range.
        names: One name per class, e.g. the genre names; ``len(names)`` is the
            number of classes.

    Returns:
        A :class:`ClassificationReport`; ``print(report)`` shows the table.

    >>> report = classification_report([0, 0, 1], [0, 1, 1], ["Rap", "Jazz"])
    >>> jazz = report.rows[1]
    >>> jazz.name, jazz.precision, jazz.recall, jazz.support
    ('Jazz', 0.5, 1.0, 1)
    """
    names = [str(name) for name in names]
    p, r, f1, support = precision_recall_fscore_support(y_true, y_pred, len(names))
    rows = tuple(
        ClassMetrics(name, float(p[i]), float(r[i]), float(f1[i]), int(support[i]))
        for i, name in enumerate(names)
    )
    total = int(support.sum())
    weights = support / total

    def average(name: str, w: NDArray) -> ClassMetrics:
        return ClassMetrics(name, float(w @ p), float(w @ r), float(w @ f1), total)

    return ClassificationReport(
        rows=rows,
        accuracy=accuracy(y_true, y_pred),
        macro_avg=average("macro avg", np.full(len(names), 1 / len(names))),
        weighted_avg=average("weighted avg", weights),
    )


def format_confusion_matrix(cm: ArrayLike, names: Sequence[str], width: int = 6) -> str:
    """Formats a confusion matrix as a text table, true classes down the side.

    Column headings are the names cut to ``width`` characters (full names when the
    cut ones would clash), so ten genres fit in a terminal. Whole-number matrices are
    shown as counts, others (e.g. row-normalised) with two decimals.

    >>> print(format_confusion_matrix([[3, 1], [0, 2]], ["Rap", "Jazz"]))
    true \\ pred     Rap    Jazz
            Rap       3       1
           Jazz       0       2
    """
    cm = np.asarray(cm)
    names = [str(name) for name in names]
    if cm.ndim != 2 or cm.shape != (len(names), len(names)):
        raise ValueError(
            f"cm must have shape ({len(names)}, {len(names)}) to match names; "
            f"received shape {cm.shape}."
        )
    heads = [name[:width] for name in names]
    if len(set(heads)) < len(heads):
        heads = names
    is_count = cm.dtype.kind in "iu" or bool(np.all(cm == np.round(cm)))
    cells = [[f"{v:.0f}" if is_count else f"{v:.2f}" for v in row] for row in cm]
    col = max(width, *map(len, heads), *(len(c) for row in cells for c in row)) + 2
    corner = "true \\ pred"
    side = max(len(corner), *map(len, names))
    lines = [f"{corner:>{side}}" + "".join(f"{h:>{col}}" for h in heads)]
    for name, row in zip(names, cells, strict=True):
        lines.append(f"{name:>{side}}" + "".join(f"{c:>{col}}" for c in row))
    return "\n".join(lines)
