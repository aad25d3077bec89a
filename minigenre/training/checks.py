"""Checks on user input at the public boundaries: one for features, one for labels.

Every message says what was expected, then ``Received: ...``, as Keras's do.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray


def check_int(value, name: str, minimum: int) -> int:
    """Returns ``value`` as an int, or raises if it is not an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer. Received: {name}={value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}. Received: {name}={value}")
    return int(value)


def is_real_number(value) -> bool:
    """Whether ``value`` is one real number: a Python or NumPy integer or float,
    not a bool (an int to Python) and not complex (which NumPy orders by its real
    part)."""
    real = isinstance(value, int | float | np.integer | np.floating)
    return real and not isinstance(value, bool)


SMALLEST_LEARNING_RATE = float(np.finfo(np.float32).tiny)  # 1.18e-38


def check_learning_rate(learning_rate) -> float:
    """Returns ``learning_rate`` if it is a finite number > 0, or raises (the one
    check of every optimizer, the command line and a run's configuration)."""
    if not is_real_number(learning_rate):
        raise ValueError(
            f"learning_rate must be a number. Received: learning_rate={learning_rate!r}"
        )
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0. Received: {learning_rate}")
    if not math.isfinite(learning_rate):
        raise ValueError(f"learning_rate must be finite. Received: {learning_rate}")
    if learning_rate < SMALLEST_LEARNING_RATE:  # every step would round to nothing
        raise ValueError(
            f"learning_rate must be at least {SMALLEST_LEARNING_RATE:.3g} (float32's "
            f"smallest normal number). Received: {learning_rate}"
        )
    return learning_rate


def check_fraction(value, name: str, top: bool = False) -> float:
    """Returns ``value`` if it is a number in [0, 1) (in [0, 1] with ``top``), or
    raises: the decay rates of the optimizers (``beta_1``, ``rho``, ``momentum``)."""
    inside = is_real_number(value) and (0 <= value <= 1 if top else 0 <= value < 1)
    if not inside:
        bounds = "[0, 1]" if top else "[0, 1)"
        raise ValueError(f"{name} must be in {bounds}. Received: {name}={value!r}")
    return value


def check_epsilon(epsilon) -> float:
    """Returns ``epsilon`` if it is a finite number >= 0, or raises: NaN would turn
    every weight NaN at an optimizer's first step; 0 is the papers' form."""
    if not (is_real_number(epsilon) and 0 <= epsilon < np.inf):
        raise ValueError(
            f"epsilon must be a finite number >= 0. Received: epsilon={epsilon!r}"
        )
    return epsilon


def _as_array(value: ArrayLike, name: str) -> NDArray:
    try:
        return np.asarray(value)
    except (TypeError, ValueError) as err:  # ragged rows, for one
        raise ValueError(f"{name} must be an array. Received: {err}") from None


def check_real(values: ArrayLike, name: str = "values") -> NDArray:
    """Returns ``values`` as float64, refusing what a cast would silently change.

    Integers and floats pass; complex numbers (the imaginary part would be dropped),
    timedeltas and datetimes (their units would be lost), booleans, text and
    objects (a JSON integer too long for a float) are refused.

    >>> check_real([1, 2.5]).tolist()
    [1.0, 2.5]
    """
    array = np.asarray(values)
    if array.dtype.kind not in "iuf":
        raise ValueError(
            f"{name} must hold numbers (integers or floats). Received: "
            f"{name}.dtype={array.dtype}"
        )
    return array.astype(np.float64, copy=False)


def check_features(
    x: ArrayLike, name: str = "x", dtype: DTypeLike = np.float64
) -> NDArray:
    """Returns ``x`` as a 2-D (samples, features) array of finite ``dtype`` numbers.

    Integers and floats are accepted; booleans, text and objects are not.

    >>> check_features([[1, 2]]).dtype
    dtype('float64')
    """
    x = _as_array(x, name)
    if x.dtype.kind not in "iuf":
        raise ValueError(
            f"{name} must hold numbers (integers or floats). Received: {name}.dtype="
            f"{x.dtype}"
        )
    if x.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (samples, features). Received: {name}.shape={x.shape}"
        )
    limit = np.finfo(dtype).max
    if x.dtype.kind == "f" and x.size and np.finfo(x.dtype).max > limit:
        beyond = np.isfinite(x) & (np.abs(x) > limit)  # inf is reported below
        if beyond.any():
            row, col = np.argwhere(beyond)[0]
            raise ValueError(
                f"{name} must fit in {np.dtype(dtype)} (+-{limit:.3g}). "
                f"Received: {x[row, col]} at row {row}, column {col}"
            )
    x = np.asarray(x, dtype=dtype)
    # min and max are NaN if any entry is, and +-inf shows in one of them: the same
    # test as isfinite(x).all() without a boolean copy of x (a quarter of its size).
    if x.size and not (np.isfinite(x.min()) and np.isfinite(x.max())):
        row, col = np.argwhere(~np.isfinite(x))[0]
        raise ValueError(
            f"{name} must hold finite numbers. "
            f"Received: {x[row, col]} at row {row}, column {col}"
        )
    return x


def check_model_input(x: ArrayLike, dtype: DTypeLike, input_dim: int | None) -> NDArray:
    """``x`` checked as features of ``dtype`` for a model built for ``input_dim``
    features (any width if None: the model is built from ``x``)."""
    x = check_features(x, "x", dtype)
    if input_dim is not None and x.shape[1] != input_dim:
        raise ValueError(
            f"x has {x.shape[1]} features; the model was built for "
            f"{input_dim}. Received: x.shape={x.shape}"
        )
    return x


def check_labels(
    y: ArrayLike,
    name: str = "y",
    n_classes: int | None = None,
    n_rows: int | None = None,
) -> NDArray:
    """Returns integer class labels as int64, shape (n,), each in ``[0, n_classes)``.

    Accepts shape (n,) or (n, 1) and floats holding whole numbers, as Keras does.

    Args:
        y: The labels.
        name: How the message calls them.
        n_classes: If given, every label must be below it.
        n_rows: If given, the number of labels needed (one per row of the
            features); if not, at least one.

    >>> check_labels([[2.0], [0.0]])
    array([2, 0])
    """
    y = _as_array(y, name)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D class labels. Received: {name}.shape={y.shape}"
        )
    if n_rows is not None and len(y) != n_rows:
        raise ValueError(
            f"{name} must hold one label per row of the features ({n_rows} rows). "
            f"Received: len({name})={len(y)}"
        )
    if n_rows is None and len(y) == 0:
        raise ValueError(
            f"{name} must hold at least one label. Received: {name}.shape={y.shape}"
        )
    bad = (~np.isfinite(y) | (y != np.round(y))) if y.dtype.kind == "f" else None
    if y.dtype.kind not in "iuf" or (bad is not None and bad.any()):
        received = f"{name}.dtype={y.dtype}"
        if bad is not None:  # NaN, inf or a fraction
            row = np.flatnonzero(bad)[0]
            received = f"{y[row]} at row {row}"
        raise ValueError(f"{name} must hold integer class labels. Received: {received}")
    outside = y < 0  # before the cast, which wraps 2**64 - 1
    if n_classes is not None:
        outside |= y >= n_classes
    if outside.any():
        row = np.flatnonzero(outside)[0]
        rule = "labels >= 0"
        if n_classes is not None:
            rule = f"labels in [0, {n_classes}) for {n_classes} classes"
        raise ValueError(f"{name} must hold {rule}. Received: {y[row]} at row {row}")
    return y.astype(np.int64, copy=False)


def check_weights(weights: list[NDArray], current: list[NDArray]) -> None:
    """Raises unless ``weights`` can replace ``current``: count, shapes, values."""
    if len(weights) != len(current):
        raise ValueError(
            f"Expected {len(current)} weight arrays. Received: {len(weights)}"
        )
    for i, (new, old) in enumerate(zip(weights, current, strict=True)):
        if new.shape != old.shape:
            raise ValueError(
                f"Weight {i} has shape {new.shape}; the model expects {old.shape}."
            )
        if new.dtype.kind not in "iuf" or not np.isfinite(new).all():
            raise ValueError(
                f"Weight {i} holds non-finite or non-real values ({new.dtype})."
            )
        with np.errstate(over="ignore"):  # float64 beyond float32 becomes inf
            if not np.isfinite(new.astype(old.dtype)).all():
                raise ValueError(f"Weight {i} holds values beyond {old.dtype}.")


def check_targets(
    y: ArrayLike,
    loss: str,
    n_outputs: int,
    n_rows: int,
    dtype: DTypeLike,
    name: str = "y",
) -> NDArray:
    """Labels of the output's shape (n, n_outputs) for a categorical or binary
    cross-entropy, as finite ``dtype`` numbers in [0, 1].

    A 1-D ``y`` stands for (n, 1), as Keras reads it for a one-output model.

    >>> check_targets([1, 0], "binary_crossentropy", 1, 2, np.float32).shape
    (2, 1)
    """
    y = _as_array(y, name)
    if y.ndim == 1 and n_outputs == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape != (n_rows, n_outputs):
        hint = " (to_categorical(y) makes one-hot labels)" if y.ndim == 1 else ""
        raise ValueError(
            f"{loss} needs {name} of shape ({n_rows}, {n_outputs}), one column per "
            f"output{hint}. Received: {name}.shape={y.shape}"
        )
    if y.dtype.kind not in "iufb":
        raise ValueError(f"{name} must hold numbers. Received: {name}.dtype={y.dtype}")
    y = np.asarray(y, dtype=dtype)
    bad = ~np.isfinite(y) | (y < 0) | (y > 1)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"{loss} needs {name} in [0, 1]. Received: {y[row, col]} at row {row}, "
            f"column {col}"
        )
    return y
