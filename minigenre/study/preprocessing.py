"""Feature scaling and the train/validation split, in NumPy, with scikit-learn's names.

The study's three feature sections differ in scale by orders of magnitude (rhythm
kurtoses in the hundreds of thousands next to chroma values below one, and four
columns that are 1e6 in every row). A dense layer initialized for unit-scale inputs
sees mostly the large features, so every feature is standardized to mean 0 and
variance 1 with statistics from the training part only; a constant column keeps
scale 1, as in scikit-learn, and becomes 0.
"""

from __future__ import annotations

import math
import os

import numpy as np

from minigenre.saving.files import load_npz, save_npz
from minigenre.training.checks import check_features


class StandardScaler:
    """Standardizes features to mean 0 and variance 1, like scikit-learn's.

    ``transform(x) = (x - mean_) / scale_`` with ``scale_`` the population standard
    deviation (``ddof=0``, as scikit-learn). A constant column has ``scale_ = 1``,
    again as scikit-learn, so it becomes 0 after centering instead of NaN.

    Example:
        >>> scaler = StandardScaler().fit(np.array([[1.0, 5.0], [3.0, 5.0]]))
        >>> scaler.mean_, scaler.scale_
        (array([2., 5.]), array([1., 1.]))
        >>> scaler.transform(np.array([[3.0, 6.0]]))
        array([[1., 1.]])
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.var_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.n_features_in_: int | None = None

    def __repr__(self) -> str:
        return f"StandardScaler(n_features_in_={self.n_features_in_})"

    def fit(self, x: np.ndarray) -> StandardScaler:
        """Learns the mean and standard deviation of each column of ``x`` (n, d)."""
        x = check_features(x)
        if len(x) == 0:
            raise ValueError("Cannot fit a StandardScaler on 0 samples.")
        with np.errstate(over="ignore", invalid="ignore"):  # checked just below
            mean = x.mean(axis=0)  # (d,)
            var = x.var(axis=0)  # (d,), ddof=0
        # A column of one repeated value has that value as its mean, exactly: the sum
        # divided by n can miss it by an ulp, which standardizes 1e300 to 1e284.
        same = (x == x[0]).all(axis=0)  # (d,)
        mean, var = np.where(same, x[0], mean), np.where(same, 0.0, var)
        # Values near the float64 limit overflow the sum or the squares; an infinite
        # variance would pass for a constant column (scale 1) and leave it unscaled.
        overflow = ~(np.isfinite(mean) & np.isfinite(var))
        if overflow.any():
            j = int(np.flatnonzero(overflow)[0])
            raise ValueError(
                f"x column {j} (0-based) is too large to standardize: its mean or "
                f"variance overflows float64 (largest |value| "
                f"{np.abs(x[:, j]).max():.3g}). Rescale it first."
            )
        # A constant column's variance is rounding residue, not 0. scikit-learn's
        # bound for that residue grows with n and the mean; below it, scale is 1.
        eps = np.finfo(np.float64).eps
        with np.errstate(over="ignore"):  # a bound of inf (mean > 1e150) is right
            constant = var <= len(x) * eps * var + (len(x) * mean * eps) ** 2
        self.mean_, self.var_ = mean, var
        self.scale_ = np.where(constant, 1.0, np.sqrt(var))
        self.n_features_in_ = x.shape[1]
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        """Returns ``(x - mean_) / scale_``, shape (n, d)."""
        x = self._check_input(x)
        with np.errstate(over="ignore"):  # a row far from the mean: checked next
            z = x - self.mean_  # (n, d), a new array
            z /= self.scale_  # in place: the same bits, without a second (n, d)
        return check_features(z, "x, standardized,")

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        """Fits on ``x``, then transforms it."""
        return self.fit(x).transform(x)

    def inverse_transform(self, x: np.ndarray) -> np.ndarray:
        """Undoes `transform`: returns ``x * scale_ + mean_``, shape (n, d)."""
        x = self._check_input(x)
        return x * self.scale_ + self.mean_

    def _check_input(self, x: np.ndarray) -> np.ndarray:
        if self.mean_ is None:
            raise ValueError("This StandardScaler is not fitted yet; call fit first.")
        x = check_features(x)
        if x.shape[1] != self.n_features_in_:
            raise ValueError(
                f"x has {x.shape[1]} features, but this StandardScaler expects "
                f"{self.n_features_in_}. Received: shape={x.shape}"
            )
        return x

    def save(self, path: str | os.PathLike) -> None:
        """Writes ``mean_``, ``var_`` and ``scale_`` to the ``.npz`` file ``path``.

        The write is atomic: a crash leaves any previous file intact.
        """
        if self.mean_ is None:
            raise ValueError("Cannot save a StandardScaler that is not fitted.")
        save_npz(path, {"mean": self.mean_, "var": self.var_, "scale": self.scale_})

    @classmethod
    def load(cls, path: str | os.PathLike) -> StandardScaler:
        """Reads a scaler written by `save`, checking keys, shapes and values."""
        arrays = load_npz(path)
        if sorted(arrays) != ["mean", "scale", "var"]:
            raise ValueError(
                f"{path}: expected arrays 'mean', 'scale' and 'var'. "
                f"Received: {sorted(arrays)}"
            )
        mean, var, scale = arrays["mean"], arrays["var"], arrays["scale"]
        for name, value in arrays.items():
            if value.ndim != 1 or value.shape != mean.shape or value.dtype.kind != "f":
                raise ValueError(
                    f"{path}: {name!r} must be a float vector of the same length as "
                    f"'mean' {mean.shape}. Received: {value.shape} {value.dtype}"
                )
            if not np.isfinite(value).all():
                raise ValueError(f"{path}: {name!r} has NaN or infinity.")
        if mean.size == 0 or var.min() < 0 or scale.min() <= 0:
            raise ValueError(f"{path}: needs 1+ features, var >= 0 and scale > 0.")
        scaler = cls()
        scaler.mean_, scaler.var_, scaler.scale_ = (
            a.astype(np.float64) for a in (mean, var, scale)
        )
        scaler.n_features_in_ = mean.size
        return scaler


def train_test_split(
    x: np.ndarray,
    y: np.ndarray,
    test_size: float = 0.2,
    seed: int | np.random.Generator | None = None,
    stratify: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Splits rows at random into a training part and a test (validation) part.

    Sizes follow scikit-learn: ``ceil(n * test_size)`` test rows, the rest for
    training (4363 rows, 0.2 -> 873 test, 3490 train). Both parts come out in random
    order, so data sorted by class is safe.

    Args:
        x: Features, shape (n, ...).
        y: Targets, shape (n,).
        test_size: Fraction of rows for the test part, strictly between 0 and 1.
        seed: Seed or Generator for the shuffle; same seed, same split.
        stratify: Class labels, shape (n,), usually ``y``: each class is split in
            the same proportion (to within one row), as scikit-learn does.

    Returns:
        ``x_train, x_test, y_train, y_test``.

    Example:
        >>> parts = train_test_split(np.arange(10), np.arange(10), seed=0)
        >>> [len(part) for part in parts]
        [8, 2, 8, 2]
    """
    x, y = np.asarray(x), np.asarray(y)
    n = len(x)
    if len(y) != n:
        raise ValueError(f"x and y differ in length. Received: {n} and {len(y)}")
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be in (0, 1). Received: {test_size}")
    n_test = math.ceil(n * test_size)
    if n_test >= n:
        raise ValueError(f"test_size={test_size} leaves no training rows of {n}.")
    rng = np.random.default_rng(seed)
    if stratify is None:
        order = rng.permutation(n)
        test, train = order[:n_test], order[n_test:]
    else:
        test = _stratified_test_rows(np.asarray(stratify), n_test, rng)
        in_test = np.zeros(n, dtype=bool)
        in_test[test] = True
        test, train = rng.permutation(test), rng.permutation(np.flatnonzero(~in_test))
    return x[train], x[test], y[train], y[test]


def _stratified_test_rows(
    labels: np.ndarray, n_test: int, rng: np.random.Generator
) -> np.ndarray:
    """Picks ``n_test`` rows, each class its share rounded by largest remainder."""
    classes, codes, counts = np.unique(labels, return_inverse=True, return_counts=True)
    if labels.ndim != 1 or counts.min() < 2:
        raise ValueError(
            "stratify needs 1-D labels with at least 2 rows per class. "
            f"Received: shape={labels.shape}, smallest class count={counts.min()}"
        )
    if n_test < len(classes) or len(labels) - n_test < len(classes):
        raise ValueError(
            f"Both parts need a row of each of the {len(classes)} classes; "
            f"{n_test} test rows of {len(labels)} cannot give that."
        )
    share = counts * n_test / len(labels)  # ideal test rows per class
    per_class = np.floor(share).astype(int)
    remainder_order = np.argsort(-(share - per_class), kind="stable")
    per_class[remainder_order[: n_test - per_class.sum()]] += 1
    picked = [
        rng.permutation(np.flatnonzero(codes == k))[:m] for k, m in enumerate(per_class)
    ]
    return np.concatenate(picked)
