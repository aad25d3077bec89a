"""Checks on user input at the public boundaries, with messages that echo the input."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray


def check_int(value, name: str, minimum: int) -> int:
    """Returns ``value`` as an int, or raises if it is not an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer. Received: {name}={value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}. Received: {name}={value}")
    return int(value)


def check_x(x: ArrayLike, dtype: DTypeLike, width: int | None, name: str) -> NDArray:
    """Returns ``x`` as a 2-D finite array of ``dtype``, ``width`` columns if given."""
    x = np.asarray(x)
    limit = np.finfo(dtype).max
    if x.dtype.kind == "f" and x.size and np.finfo(x.dtype).max > limit:
        beyond = np.isfinite(x) & (np.abs(x) > limit)  # inf is reported below
        if beyond.any():
            where = np.argwhere(beyond)[0]
            raise ValueError(
                f"{name} holds {x[tuple(where)]} at {tuple(where.tolist())}, beyond "
                f"the {np.dtype(dtype)} range (+-{limit:.3g})."
            )
    try:
        x = np.asarray(x, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a numeric array. Received: {err}") from None
    if x.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (samples, features). Received: {name}.shape={x.shape}"
        )
    if width is not None and x.shape[1] != width:
        raise ValueError(
            f"{name} has {x.shape[1]} features; the model was built for {width}. "
            f"Received: {name}.shape={x.shape}"
        )
    # min and max are NaN if any entry is, and +-inf shows in one of them: the same
    # test as isfinite(x).all() without a boolean copy of x (a quarter of its size).
    if x.size and not (np.isfinite(x.min()) and np.isfinite(x.max())):
        row, col = np.argwhere(~np.isfinite(x))[0]
        raise ValueError(
            f"{name} holds a non-finite value ({x[row, col]}) at row {row}, "
            f"column {col}."
        )
    return x


def check_labels(y: ArrayLike, n: int, n_classes: int) -> NDArray:
    """Returns integer class labels of shape (n,), each in ``[0, n_classes)``.

    Accepts shape (n,) or (n, 1) and floats holding whole numbers, as Keras does.
    """
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D class labels. Received: y.shape={y.shape}")
    if len(y) != n:
        raise ValueError(
            f"x and y differ in length. Received: len(x)={n}, len(y)={len(y)}"
        )
    if not np.issubdtype(y.dtype, np.integer):
        if not np.issubdtype(y.dtype, np.number) or not np.isfinite(y).all():
            raise ValueError(
                f"y must hold integer class labels. Received dtype {y.dtype}"
            )
        if (y != np.round(y)).any():
            bad = y[y != np.round(y)][0]
            raise ValueError(f"y must hold integer class labels. Received: {bad}")
    outside = (y < 0) | (y >= n_classes)  # before the cast, which wraps 2**64 - 1
    if outside.any():
        raise ValueError(
            f"Labels must be in [0, {n_classes}) for {n_classes} output units. "
            f"Received: {y[outside][0]} at row {np.flatnonzero(outside)[0]}"
        )
    return y.astype(np.intp, copy=False)
