"""Per-sample weights from ``sample_weight`` or ``class_weight``, as Keras uses them.

Keras 3 turns ``class_weight`` into one weight per sample (``class_weight[y]``, 1.0
for a class the dict leaves out) and then treats it exactly like ``sample_weight``:

* the batch loss is ``sum(w * loss) / batch_size`` (the ``"sum_over_batch_size"``
  reduction divides by the number of samples, not by the sum of the weights);
* metrics listed in ``weighted_metrics`` use the weights, e.g. accuracy becomes
  ``sum(w * hit) / sum(w)``; metrics listed in ``metrics`` ignore them.

>>> balanced_class_weight(np.array([0, 0, 0, 1]))
{0: 0.6666666666666666, 1: 2.0}
>>> sample_weights_from_classes(np.array([0, 1, 2]), {1: 3.0}).tolist()
[1.0, 3.0, 1.0]
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from minigenre.training.checks import is_real_number


def balanced_class_weight(y: ArrayLike) -> dict[int, float]:
    """scikit-learn's ``"balanced"`` rule: ``n_samples / (n_classes * count)``.

    ``n_classes`` counts the classes present in ``y``, as scikit-learn's
    ``compute_class_weight("balanced", classes=np.unique(y), y=y)``: every class
    then carries the same total weight, ``n_samples / n_classes``.

    Args:
        y: Integer class labels, shape (n,).

    Returns:
        ``{label: weight}`` for each label present, ready for ``fit(class_weight=)``.
    """
    y = np.asarray(y)
    if y.ndim != 1 or len(y) == 0 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            "balanced_class_weight needs non-empty 1-D integer labels. Received: "
            f"shape {y.shape}, dtype {y.dtype}"
        )
    classes, counts = np.unique(y, return_counts=True)
    return {
        int(label): len(y) / (len(classes) * int(count))
        for label, count in zip(classes, counts, strict=True)
    }


def check_class_weight(class_weight, n_classes: int) -> dict[int, float]:
    """Returns ``class_weight`` as ``{int: float}``, or raises naming the bad entry.

    Keys must be class indices in ``[0, n_classes)`` and weights finite and
    positive: a zero or negative class weight would silently drop or invert that
    class's loss. Called before training starts, so nothing is updated on error.
    """
    if not isinstance(class_weight, dict):
        raise TypeError(
            "class_weight must be a dict {class index: weight} or 'balanced'. "
            f"Received: class_weight={class_weight!r}"
        )
    checked = {}
    for label, weight in class_weight.items():
        if isinstance(label, bool) or not isinstance(label, int | np.integer):
            raise ValueError(
                "class_weight keys must be integer class indices. "
                f"Received: key {label!r}"
            )
        if not 0 <= label < n_classes:
            raise ValueError(
                f"class_weight has class {label}, outside the model's {n_classes} "
                f"outputs [0, {n_classes})."
            )
        if not is_real_number(weight):
            raise ValueError(
                f"class_weight[{label}] must be a number. Received: {weight!r}"
            )
        if not (math.isfinite(weight) and weight > 0):
            raise ValueError(
                f"class_weight[{label}] must be finite and > 0. Received: {weight}"
            )
        checked[int(label)] = float(weight)
    return checked


def sample_weights_from_classes(
    y: NDArray, class_weight: dict[int, float], dtype: DTypeLike = np.float32
) -> NDArray:
    """One weight per sample, ``class_weight[y]`` (1.0 for a class not listed)."""
    table = np.ones(int(y.max(initial=0)) + 1, dtype=dtype)
    for label, weight in class_weight.items():
        if label < len(table):
            table[label] = weight
    return table[y]


def check_sample_weight(sample_weight: ArrayLike, n: int, dtype: DTypeLike) -> NDArray:
    """Returns ``sample_weight`` as finite, non-negative weights of shape (n,)."""
    w = np.asarray(sample_weight)
    if w.ndim == 2 and w.shape[1] == 1:
        w = w[:, 0]
    if w.ndim != 1 or len(w) != n:
        raise ValueError(
            f"sample_weight must hold one weight per row of x, shape ({n},). "
            f"Received: sample_weight.shape={w.shape}"
        )
    if w.dtype.kind not in "iuf":
        raise TypeError(f"sample_weight must hold numbers. Received dtype {w.dtype}")
    w = w.astype(dtype)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"sample_weight must be finite and >= 0. Received: {w[row]} at row {row}"
        )
    return w


def sample_weights(
    y: NDArray,
    sample_weight: ArrayLike | None,
    class_weight,
    n_classes: int,
    dtype: DTypeLike,
) -> NDArray | None:
    """Each row's weight (n,), from ``sample_weight`` or from its class; or None.

    ``class_weight`` is Keras's ``{class: weight}`` (a class left out weighs 1.0)
    or ``"balanced"`` (``balanced_class_weight`` of ``y``); the two
    cannot be given together, as in Keras.
    """
    if sample_weight is not None and class_weight is not None:
        raise ValueError(
            "sample_weight and class_weight cannot be given together (as in Keras): "
            f"give one. Received: class_weight={class_weight!r}"
        )
    if sample_weight is not None:
        return check_sample_weight(sample_weight, len(y), dtype)
    if class_weight is None:
        return None
    y = class_indices(y)
    if isinstance(class_weight, str) and class_weight == "balanced":
        class_weight = balanced_class_weight(y)
    table = check_class_weight(class_weight, max(n_classes, 2))
    return sample_weights_from_classes(y, table, dtype)


def class_indices(y: NDArray) -> NDArray:
    """Each row's class, as Keras 3 reads it for ``class_weight``: integer labels
    as they are, one-hot rows by their argmax, a single 0/1 column rounded.

    >>> class_indices(np.array([[0.0, 1.0], [1.0, 0.0]])).tolist()
    [1, 0]
    """
    if y.ndim == 1:
        return y
    if y.shape[1] > 1:
        return y.argmax(axis=1)
    return np.round(y[:, 0]).astype(np.int64)
