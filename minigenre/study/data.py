"""The study's data: the Kaggle genre files, any labelled CSV, and the `Dataset` type.

The Kaggle competition ships three headerless, comma-separated files:

* ``train_data.csv``: 4363 rows of 264 floats (one song per row),
* ``train_labels.csv``: 4363 integers from 1 to 10 (``GENRES[label - 1]``),
* ``test_data.csv``: 6544 rows of 264 floats without labels.

Each row concatenates three sections of audio features (see ``SECTIONS``), as
measured on the real table (`minigenre.study.mlbp2018`): rhythm, rp_extract's
Statistical Spectrum Descriptor in sone x 1000 (values in the thousands, kurtoses up
to 5e5); chroma, mean, variance, min and max of 12 pitch classes in [0, 1]; and the
block the course called "MFCC" (key ``"mfcc"``), in fact Echo Nest timbre divided by
1000, whose columns 216-219 are the constant 1e6. Their scales differ by up to seven
orders of magnitude, which is why the study standardizes every feature before
training.

Loaders check everything they read. Bad input raises a ``ValueError`` that names the
file and, where it applies, the 1-based line and column; it never becomes a silently
wrong array. Valid oddities load normally: a UTF-8 byte-order mark, Windows line
ends and trailing blank lines.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np

from minigenre.saving.files import atomic_open
from minigenre.study.labelled import read_labelled_csv, read_unlabelled_csv
from minigenre.study.tables import parse_floats
from minigenre.training.checks import check_features, check_labels

GENRES: tuple[str, ...] = (
    "Pop_Rock", "Electronic", "Rap", "Jazz", "Latin",
    "RnB", "International", "Country", "Reggae", "Blues",
)  # fmt: skip
N_FEATURES = 264
SECTIONS: Mapping[str, slice] = MappingProxyType(
    {"rhythm": slice(0, 168), "chroma": slice(168, 216), "mfcc": slice(216, 264)}
)
TRAIN_DATA = "train_data.csv"
TRAIN_LABELS = "train_labels.csv"
TEST_DATA = "test_data.csv"


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """Labelled training rows, unlabelled test rows and the names of the classes.

    The arrays are copied and made read-only, so a dataset cannot change under a
    model that trains on it.

    Args:
        x_train: Training features, shape ``(n, d)``, stored as float64.
        y_train: Training classes, shape ``(n,)``, integers in ``[0, n_classes)``.
        x_test: Test features, shape ``(m, d)``; ``m`` may be 0.
        genre_names: Name of each class; ``genre_names[k]`` is class ``k``.
        y_test: Hidden test classes, shape ``(m,)``, or None when unknown (Kaggle).
        feature_names: Name of each of the ``d`` columns, or None.

    Example:
        >>> ds = Dataset(np.zeros((3, 2)), np.array([0, 1, 1]), np.zeros((0, 2)),
        ...              genre_names=("a", "b"))
        >>> ds
        Dataset(x_train=(3, 2), x_test=(0, 2), classes=('a', 'b'), y_test=None)
        >>> ds.n_classes, ds.n_features
        (2, 2)
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    genre_names: tuple[str, ...]
    y_test: np.ndarray | None = None
    feature_names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        names = tuple(self.genre_names)
        if len(names) < 2 or not all(isinstance(name, str) for name in names):
            raise ValueError(f"genre_names must be 2+ strings. Received: {names!r}")
        x_train = _frozen(check_features(self.x_train, "x_train"))
        x_test = _frozen(check_features(self.x_test, "x_test"))
        if x_test.shape[1] != x_train.shape[1]:
            raise ValueError(
                f"x_test has {x_test.shape[1]} columns but x_train has "
                f"{x_train.shape[1]}."
            )
        y_train = _frozen(
            check_labels(self.y_train, "y_train", len(names), n_rows=len(x_train))
        )
        y_test = self.y_test
        if y_test is not None:
            y_test = _frozen(
                check_labels(y_test, "y_test", len(names), n_rows=len(x_test))
            )
        features = self.feature_names
        if features is not None:
            features = tuple(str(name) for name in features)
            if len(features) != x_train.shape[1]:
                raise ValueError(
                    f"feature_names has {len(features)} names for "
                    f"{x_train.shape[1]} columns."
                )
        for field, value in [
            ("x_train", x_train), ("y_train", y_train), ("x_test", x_test),
            ("genre_names", names), ("y_test", y_test), ("feature_names", features),
        ]:  # fmt: skip
            object.__setattr__(self, field, value)  # frozen: set once, here

    @property
    def n_classes(self) -> int:
        """Number of classes, ``len(genre_names)``."""
        return len(self.genre_names)

    @property
    def n_features(self) -> int:
        """Number of feature columns ``d``."""
        return self.x_train.shape[1]

    def __repr__(self) -> str:
        hidden = None if self.y_test is None else self.y_test.shape
        return (
            f"Dataset(x_train={self.x_train.shape}, x_test={self.x_test.shape}, "
            f"classes={self.genre_names}, y_test={hidden})"
        )


def select_sections(dataset: Dataset, sections: Sequence[str] | None) -> Dataset:
    """The dataset with only the columns of ``sections`` (keys of `SECTIONS`).

    Args:
        dataset: 264 columns in the study's order.
        sections: e.g. ``("rhythm", "chroma")``; None keeps every column.

    Returns:
        A `Dataset` with those columns, in order; ``dataset`` itself for None.

    >>> ds = Dataset(np.zeros((2, 264)), np.array([0, 1]), np.zeros((0, 264)),
    ...              genre_names=("a", "b"))
    >>> select_sections(ds, ("rhythm", "chroma")).n_features
    216
    """
    if sections is None:
        return dataset
    if dataset.n_features != N_FEATURES:
        raise ValueError(
            f"Sections are column ranges of the study's {N_FEATURES} features; the "
            f"data has {dataset.n_features}. Received: sections={list(sections)}"
        )
    unknown = [name for name in sections if name not in SECTIONS]
    if unknown:
        raise ValueError(
            f"Unknown sections {unknown}; they are {list(SECTIONS)}. "
            f"Received: sections={list(sections)}"
        )
    columns = np.concatenate(
        [np.arange(N_FEATURES)[SECTIONS[name]] for name in SECTIONS if name in sections]
    )  # the columns' own order, whatever the order of ``sections``
    names = dataset.feature_names
    return Dataset(
        dataset.x_train[:, columns],
        dataset.y_train,
        dataset.x_test[:, columns],
        genre_names=dataset.genre_names,
        y_test=dataset.y_test,
        feature_names=None if names is None else tuple(names[i] for i in columns),
    )


def _frozen(array: np.ndarray) -> np.ndarray:
    array = array.copy()
    array.flags.writeable = False
    return array


def load_kaggle(directory: str | os.PathLike) -> Dataset:
    """Loads the competition's three files from ``directory``.

    Args:
        directory: Folder holding ``train_data.csv``, ``train_labels.csv`` and
            ``test_data.csv``, all without a header.

    Returns:
        A `Dataset` with labels shifted from 1..10 to classes 0..9, ``genre_names``
        equal to ``GENRES`` and ``y_test`` None.

    Raises:
        ValueError: If a file is missing, empty or malformed, or labels and data
            disagree; the message names the file, line and column.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"{directory}: directory not found.")
    x_train = parse_floats(directory / TRAIN_DATA, N_FEATURES)
    labels = _parse_labels(directory / TRAIN_LABELS)
    if len(labels) != len(x_train):
        raise ValueError(
            f"{directory / TRAIN_LABELS} has {len(labels)} labels but "
            f"{directory / TRAIN_DATA} has {len(x_train)} rows; they must match."
        )
    if np.unique(labels).size < 2:
        raise ValueError(
            f"{directory / TRAIN_LABELS}: every label is {labels[0]}; "
            "a classifier needs at least two classes."
        )
    x_test = parse_floats(directory / TEST_DATA, N_FEATURES)
    return Dataset(x_train, labels - 1, x_test, genre_names=GENRES)


def write_kaggle(dataset: Dataset, directory: str | os.PathLike) -> None:
    """Writes ``dataset`` as the three competition files, each one atomically.

    Floats are written with ``repr``, the shortest text that reads back to the same
    float64, so ``load_kaggle(d)`` returns bit-identical arrays. ``y_test`` is not
    written: the competition keeps it hidden.

    Args:
        dataset: 264 features, 10 classes and at least one test row.
        directory: An existing folder; files already there are replaced.
    """
    if dataset.n_features != N_FEATURES or dataset.n_classes != len(GENRES):
        raise ValueError(
            f"The Kaggle format needs {N_FEATURES} features and {len(GENRES)} "
            f"classes. Received: {dataset.n_features} features, "
            f"{dataset.n_classes} classes"
        )
    if len(dataset.x_test) == 0:
        raise ValueError("The Kaggle format needs test rows; x_test is empty.")
    directory = Path(directory)
    for name, x in [(TRAIN_DATA, dataset.x_train), (TEST_DATA, dataset.x_test)]:
        with atomic_open(directory / name, "w") as f:
            f.writelines(",".join(map(repr, row)) + "\n" for row in x.tolist())
    with atomic_open(directory / TRAIN_LABELS, "w") as f:
        f.writelines(f"{label}\n" for label in (dataset.y_train + 1).tolist())


def load_csv(path: str | os.PathLike, label_column: str | int) -> Dataset:
    """Loads any labelled feature table whose first row is a header.

    Labels may be text or numbers. A number is its value, however it is spelled
    (``3``, ``03``, ``+3``, ``3.0`` and ``3e0`` are one class, named ``"3"``;
    ``1_0`` is text, not 10). Classes 0, 1, ... are the distinct labels in order,
    numbers first by value, then text; their names are kept in ``genre_names``.
    Numeric columns become features, named in ``feature_names``.
    A column whose non-empty cells are mostly not numbers (a title, a file name) is
    dropped with a ``UserWarning`` that names it; a stray bad cell in a numeric
    column is an error instead.

    Args:
        path: The CSV file (comma-separated, double quotes allowed).
        label_column: The label column's header name, or its 0-based position
            (an int, or a string of digits that is not a column name).

    Returns:
        A `Dataset` with an empty ``x_test`` of shape ``(0, d)``.

    Raises:
        ValueError: On a missing or empty file, an unknown label column, a ragged
            row, a missing, non-numeric or non-finite feature, or fewer than two
            classes; the message names the file, line and column.
    """
    path = Path(path)
    x, y, genre_names, feature_names, dropped = read_labelled_csv(path, label_column)
    if dropped:
        warnings.warn(
            f"{path}: dropped non-numeric columns {dropped}.", UserWarning, stacklevel=2
        )
    if not feature_names:
        raise ValueError(f"{path}: no numeric feature columns besides the label.")
    x_test = np.empty((0, x.shape[1]))
    return Dataset(x, y, x_test, genre_names=genre_names, feature_names=feature_names)


def _parse_labels(path: Path) -> np.ndarray:
    """Reads one integer label from 1 to 10 per line."""
    values = parse_floats(path, 1)[:, 0]  # row i is line i + 1
    for i, value in enumerate(values.tolist()):
        if value != int(value):
            raise ValueError(
                f"{path}, line {i + 1}: label {value!r} is not an integer."
            )
        if not 1 <= value <= len(GENRES):
            raise ValueError(
                f"{path}, line {i + 1}: label {int(value)} is outside 1..{len(GENRES)}."
            )
    return values.astype(np.int64)


def load_unlabelled_csv(
    path: str | os.PathLike, feature_names: Sequence[str]
) -> np.ndarray:
    """Reads rows to predict: the training table's feature columns, no label.

    Columns are matched by their header names, so their order may differ from the
    training file's; columns the model was not trained on are an error, as is a
    missing one, so that no row is predicted from the wrong features. The file is
    read a block of rows at a time into one array (`minigenre.study.labelled`), so
    memory is about the array's size, whatever the file holds.

    Args:
        path: The CSV file (comma-separated, with a header).
        feature_names: The training table's feature columns, in training order.

    Returns:
        The features, shape ``(n, len(feature_names))``, in training order.

    Raises:
        ValueError: On a missing or extra column (the label column included), or a
            missing, non-numeric or non-finite cell; the message names the file,
            line and column.
    """
    return read_unlabelled_csv(Path(path), feature_names)
