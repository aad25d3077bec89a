"""The study's Kaggle submissions: the 25% rule, writers, a strict reader, a scorer.

Two formats, both with 1-based ``Sample_id`` and 1-based classes (minigenre's labels
are 0-based, so the writers add 1 and the reader subtracts it)::

    Sample_id,Sample_label          Sample_id,Class_1,Class_2,...,Class_10
    1,3                             1,0.01,0.9,...,0.002

The study wrote these with ``np.savetxt(..., header=...)``, which prefixes the header
with ``# `` unless ``comments=""`` is passed, so the header no longer matches what
Kaggle expects. The reader refuses that header with a hint; the writers never make it.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from minigenre.saving.files import atomic_open
from minigenre.study import metrics
from minigenre.study.tables import blocks, count_lines, split_lines
from minigenre.training.checks import check_labels

N_CLASSES = 10
LABEL_HEADER = ("Sample_id", "Sample_label")
# Kaggle divides each row by its sum and clips at 1e-15, in that order, for both
# log-losses (see score_submission).
KAGGLE_EPS = 1e-15
_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NOT_FINITE = {"nan", "inf", "infinity"}


def proba_header(n_classes: int = N_CLASSES) -> tuple[str, ...]:
    """The probability file's header: ``Sample_id, Class_1, ..., Class_<n_classes>``."""
    return ("Sample_id", *(f"Class_{k}" for k in range(1, n_classes + 1)))


def confident_labels(
    proba: ArrayLike, threshold: float | None = 0.25, fallback: int = 0
) -> NDArray:
    """The study's 25% rule: the most likely class only when it is likely enough.

    Args:
        proba: Predicted probabilities, shape ``(n_samples, n_classes)``.
        threshold: The argmax class is kept when its probability is strictly greater
            than this; ``None`` or ``0`` gives the plain argmax.
        fallback: The 0-based class used otherwise; 0 is Pop_Rock, the majority genre,
            the safest guess for accuracy.

    Returns:
        0-based int64 labels, shape ``(n_samples,)``.

    >>> confident_labels([[0.2, 0.24, 0.56], [0.3, 0.5, 0.2], [0.1, 0.2, 0.7]]).tolist()
    [2, 1, 2]
    >>> confident_labels([[0.1, 0.24, 0.22, 0.22, 0.22]]).tolist()  # 0.24 is too low
    [0]
    """
    proba = metrics.as_proba(proba)
    if threshold is not None and not 0 <= threshold < 1:
        raise ValueError(f"threshold must be in [0, 1) or None; received {threshold}.")
    if not 0 <= fallback < proba.shape[1]:
        raise ValueError(
            f"fallback must be a class in [0, {proba.shape[1]}); received {fallback!r}."
        )
    labels = np.argmax(proba, axis=1)  # (n_samples,)
    if threshold:
        labels = np.where(proba.max(axis=1) > threshold, labels, fallback)
    return labels.astype(np.int64)


def _format_float(value: float) -> str:
    # repr is the shortest text that reads back as exactly the same float64; any
    # float32 value is an exact float64, so it survives too. %.6g loses about 1e-6
    # and even %.8g is one digit short of float32's 9 (FLT_DECIMAL_DIG).
    return repr(float(value))


def write_label_submission(
    path: str | os.PathLike, labels: ArrayLike, n_classes: int = N_CLASSES
) -> None:
    """Atomically writes a ``Sample_id,Sample_label`` file.

    Args:
        path: Destination; its directory must exist. Any previous file stays intact
            if writing fails.
        labels: 0-based labels in ``[0, n_classes)``; written as 1..n_classes.
        n_classes: Number of classes.
    """
    labels = check_labels(labels, "labels", n_classes)
    with atomic_open(path) as f:
        f.write(",".join(LABEL_HEADER) + "\n")
        for i, label in enumerate(labels, start=1):
            f.write(f"{i},{label + 1}\n")


def write_proba_submission(
    path: str | os.PathLike, proba: ArrayLike, n_classes: int = N_CLASSES
) -> None:
    """Atomically writes a ``Sample_id,Class_1,...`` file of probabilities.

    Values are written with Python's float ``repr``, so reading the file back gives the
    same float64 numbers bit for bit and the score of the file equals the score of
    ``proba`` in memory.

    Args:
        path: Destination; its directory must exist. Any previous file stays intact
            if writing fails.
        proba: Probabilities, shape ``(n_samples, n_classes)``, rows summing to 1.
        n_classes: Number of classes (columns).
    """
    proba = metrics.as_proba(proba)
    if proba.shape[1] != n_classes:
        raise ValueError(
            f"proba must have {n_classes} columns; received shape {proba.shape}."
        )
    with atomic_open(path) as f:
        f.write(",".join(proba_header(n_classes)) + "\n")
        for i, row in enumerate(proba, start=1):
            f.write(f"{i}," + ",".join(_format_float(p) for p in row) + "\n")


@dataclass(frozen=True, eq=False)
class Submission:
    """A parsed submission file.

    Attributes:
        kind: ``"labels"`` or ``"proba"``.
        labels: 0-based int64 labels, shape ``(n_samples,)``, when kind is "labels".
        proba: float64 probabilities, shape ``(n_samples, n_classes)``, when kind is
            "proba".
    """

    kind: Literal["labels", "proba"]
    labels: NDArray | None = None
    proba: NDArray | None = None

    def __len__(self) -> int:
        return len(self.labels if self.kind == "labels" else self.proba)


def _check_header(
    path: Path, header: str, n_classes: int
) -> Literal["labels", "proba"]:
    fields = tuple(field.strip() for field in header.split(","))
    if fields == LABEL_HEADER:
        return "labels"
    if fields == proba_header(n_classes):
        return "proba"
    hint = ""
    if header.lstrip().startswith("#"):
        hint = (
            " The header starts with '#': np.savetxt(header=...) adds '# ' unless "
            "comments='' is passed."
        )
    raise ValueError(
        f"{path}, line 1: unexpected header {header!r}; expected "
        f"{','.join(LABEL_HEADER)!r} or 'Sample_id,Class_1,...,Class_{n_classes}'."
        + hint
    )


def _parse_number(where: str, field: str, pattern: re.Pattern) -> float:
    text = field.strip()
    if pattern is _INT:
        # An int is never NaN or infinite (and math.isfinite overflows on a huge
        # one); no id or label has 40 digits, and int() refuses thousands.
        if pattern.fullmatch(text) and len(text) <= 40:
            return int(text)
    elif pattern.fullmatch(text):
        value = float(text)
        if math.isfinite(value):
            return value
    non_finite_text = text.lower().lstrip("+-") in _NOT_FINITE
    if (pattern is _FLOAT and pattern.fullmatch(text)) or non_finite_text:
        raise ValueError(f"{where}: {text!r} is not a finite number (NaN or infinity).")
    kind = "an integer" if pattern is _INT else "a number"
    raise ValueError(f"{where}: expected {kind}, got {text!r}.")


def _parse_row(
    path: Path, number: int, line: str, columns: tuple[str, ...], n_classes: int
) -> int | list[float]:
    """Checks data line ``number`` (1-based, header is line 1); returns its values."""
    if not line.strip():
        raise ValueError(f"{path}, line {number}: empty line.")
    fields = line.split(",")
    if len(fields) != len(columns):
        raise ValueError(
            f"{path}, line {number}: expected {len(columns)} columns, "
            f"got {len(fields)}."
        )
    where = [
        f"{path}, line {number}, column {c} ({name})"
        for c, name in enumerate(columns, start=1)
    ]
    if _parse_number(where[0], fields[0], _INT) != number - 1:
        raise ValueError(
            f"{where[0]}: expected id {number - 1}, got {fields[0].strip()!r}; "
            "ids must run 1..N in order."
        )
    if columns == LABEL_HEADER:
        label = _parse_number(where[1], fields[1], _INT)
        if not 1 <= label <= n_classes:
            raise ValueError(f"{where[1]}: label {label} is not in 1..{n_classes}.")
        return int(label) - 1
    values = [
        _parse_number(w, f, _FLOAT) for w, f in zip(where[1:], fields[1:], strict=True)
    ]
    for w, value in zip(where[1:], values, strict=True):
        if value < 0:
            raise ValueError(f"{w}: negative probability {value!r}.")
    total = math.fsum(values)
    if abs(total - 1) > metrics.PROBA_SUM_ATOL:
        raise ValueError(
            f"{path}, line {number}: probabilities sum to {total!r}, not 1 "
            f"(tolerance {metrics.PROBA_SUM_ATOL})."
        )
    return values


def read_submission(path: str | os.PathLike, n_classes: int = N_CLASSES) -> Submission:
    """Reads and strictly checks a label or probability submission file.

    A UTF-8 byte-order mark and CRLF line ends are accepted. Probability rows must be
    non-negative and sum to 1 within ``metrics.PROBA_SUM_ATOL`` (1e-3): Kaggle
    would divide each row by its sum anyway, but a row far from 1 means logits or
    shifted columns, so it is refused rather than silently rescaled. The file is read
    a block of lines at a time (`minigenre.study.tables`): memory is about twice
    the array's size, and a line longer than 16 Mi characters (a file of NUL bytes,
    say) is refused as soon as it is read.

    Args:
        path: The CSV file.
        n_classes: Number of classes expected.

    Returns:
        A :class:`Submission` holding 0-based labels or a probability array.

    Raises:
        ValueError: Naming the file, line and column of the first problem.
    """
    path = Path(path)
    if count_lines(path) == 0:  # also: readable, UTF-8, no absurd line
        raise ValueError(f"{path}: empty file; expected a header line and data rows.")
    with contextlib.closing(split_lines(path)) as lines:
        kind = _check_header(path, next(lines), n_classes)
        columns = proba_header(n_classes) if kind == "proba" else LABEL_HEADER
        dtype = np.float64 if kind == "proba" else np.int64
        parts, number = [], 1  # a block's rows at a time: memory about twice the array
        for block in blocks(lines):
            rows = [
                _parse_row(path, n, line, columns, n_classes)
                for n, line in enumerate(block, start=number + 1)
            ]
            parts.append(np.array(rows, dtype=dtype))
            number += len(block)
    if not parts:
        raise ValueError(f"{path}: no data rows after the header.")
    values = np.concatenate(parts)  # (n,) labels or (n, n_classes) probabilities
    if kind == "labels":
        return Submission("labels", labels=values)
    return Submission("proba", proba=values)


@dataclass(frozen=True)
class SubmissionScore:
    """What the leaderboard would show; the log-losses are None for a label file.

    ``log_loss`` is the multi-class formula the course's Kaggle page described;
    ``kaggle_log_loss`` the binary cross-entropy over N x 10 cells its leaderboard
    computed (`metrics.kaggle_log_loss`), the scale of the study's "about 0.18".
    """

    kind: Literal["labels", "proba"]
    n_samples: int
    accuracy: float
    log_loss: float | None = None
    kaggle_log_loss: float | None = None


def score_submission(submission: Submission, y_true: ArrayLike) -> SubmissionScore:
    """Scores a submission against the true 0-based labels, as Kaggle would.

    A label file gets its accuracy. A probability file gets both log-losses (each
    row divided by its sum, then clipped to ``[1e-15, 1 - 1e-15]``): the multi-class
    one of the competition's description and the leaderboard's binary cross-entropy
    over every cell; and the accuracy of its argmax (not of the 25% rule).

    Raises:
        ValueError: If the row count differs from ``len(y_true)``.
    """
    y_true = check_labels(y_true, "y_true")
    if len(submission) != len(y_true):
        raise ValueError(
            f"submission has {len(submission)} rows but y_true has "
            f"{len(y_true)} labels."
        )
    if submission.kind == "labels":
        acc = metrics.accuracy(y_true, submission.labels)
        return SubmissionScore("labels", len(y_true), acc)
    proba = submission.proba
    loss = metrics.log_loss(y_true, proba, eps=KAGGLE_EPS)
    board = metrics.kaggle_log_loss(y_true, proba, eps=KAGGLE_EPS)
    acc = metrics.accuracy(y_true, np.argmax(proba, axis=1))
    return SubmissionScore("proba", len(y_true), acc, loss, board)
