"""A run's configuration: where its data came from and how it was trained.

``RunConfig`` is saved as ``config.json`` in a run directory (see ``runs``); it holds
what is needed to rebuild the model and to re-create the exact validation split.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from minigenre import __version__
from minigenre.study.data import Dataset, load_csv, load_kaggle
from minigenre.study.synthetic import make_synthetic

RUN_FORMAT, RUN_FORMAT_VERSION = "minigenre-run", 1
MODEL_KINDS = ("numpy", "keras")


@dataclass(frozen=True)
class DataSource:
    """Where a dataset comes from, so a run can load the same data again.

    Args:
        kind: ``"embedded"`` (``make_synthetic(seed=0)``), ``"kaggle"`` (a directory
            of the competition's files) or ``"csv"`` (a labelled CSV).
        path: The directory or file, for ``"kaggle"`` and ``"csv"``.
        label_column: The label column's header name, for ``"csv"``.
    """

    kind: str = "embedded"
    path: str | None = None
    label_column: str | None = None

    def __post_init__(self) -> None:
        needs_path = self.kind in ("kaggle", "csv")
        if self.kind not in ("embedded", "kaggle", "csv"):
            raise ValueError(
                f"kind must be 'embedded', 'kaggle' or 'csv'. Received: {self.kind!r}"
            )
        if needs_path != (self.path is not None) or (
            (self.kind == "csv") != (self.label_column is not None)
        ):
            raise ValueError(
                f"A {self.kind!r} source needs {'a path' if needs_path else 'no path'}"
                f"{' and a label column' if self.kind == 'csv' else ''}. Received: "
                f"path={self.path!r}, label_column={self.label_column!r}"
            )

    def load(self) -> Dataset:
        """Loads the dataset; a CSV's dropped text columns raise a ``UserWarning``."""
        if self.kind == "csv":
            return load_csv(self.path, self.label_column)
        if self.kind == "kaggle":
            return load_kaggle(self.path)
        return make_synthetic(seed=0)  # the embedded dataset is always the same one

    def describe(self) -> str:
        if self.kind == "csv":
            return f"{self.path} (label column {self.label_column})"
        if self.kind == "kaggle":
            return f"Kaggle files in {self.path}"
        return "the embedded synthetic dataset"


@dataclass(frozen=True)
class RunConfig:
    """Everything needed to rebuild a run's model and re-create its validation split.

    ``data_sha256`` fingerprints the training rows and labels (see
    ``workflow.fingerprint``), so a changed data file is noticed, not silently used.
    """

    source: DataSource
    seed: int
    epochs: int
    batch_size: int
    model: str  # which framework trained the weights: "numpy" or "keras"
    n_features: int
    genre_names: tuple[str, ...]
    majority_class: int  # the 25% rule's fallback (Pop_Rock in the study's data)
    data_sha256: str
    units: int = 128
    validation_size: float = 0.2
    minigenre_version: str = field(default=__version__)
    # Training options added later: a config written before them has the defaults.
    learning_rate: float = 0.001  # Adam's
    class_weight: str | None = None  # "balanced": n / (n_classes * count) per class
    patience: int | None = None  # early stopping on val_loss, best weights kept
    feature_names: tuple[str, ...] | None = None  # a --csv run's feature columns

    def to_dict(self) -> dict[str, Any]:
        fields = asdict(self)
        fields["genre_names"] = list(self.genre_names)
        if self.feature_names is not None:
            fields["feature_names"] = list(self.feature_names)
        return {"format": RUN_FORMAT, "format_version": RUN_FORMAT_VERSION, **fields}

    @classmethod
    def from_dict(cls, data: Any, where: str = "config") -> RunConfig:
        """Rebuilds a config from `to_dict`'s output, checking every field's type."""
        if not isinstance(data, dict) or data.get("format") != RUN_FORMAT:
            raise ValueError(f"{where}: not a minigenre run configuration.")
        version = data.get("format_version")
        if version != RUN_FORMAT_VERSION or isinstance(version, bool):  # true == 1
            raise ValueError(
                f"{where}: unsupported format_version {version!r};"
                f" expected {RUN_FORMAT_VERSION}."
            )
        types = {
            "seed": int, "epochs": int, "batch_size": int, "model": str,
            "n_features": int, "genre_names": list, "majority_class": int,
            "data_sha256": str, "units": int, "validation_size": float,
            "minigenre_version": str, "source": dict,
        }  # fmt: skip
        for name, kind in types.items():
            value = data.get(name)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ValueError(
                    f"{where}: field {name!r} must be a {kind.__name__}. "
                    f"Received: {value!r}"
                )
        if data["model"] not in MODEL_KINDS or not all(
            isinstance(name, str) for name in data["genre_names"]
        ):
            raise ValueError(f"{where}: bad 'model' or 'genre_names'.")
        # Ranges too: a negative seed or 0 units would fail later, far from the file,
        # and a huge width would be allocated before the weights could disagree.
        minimums = {
            "seed": 0,
            "epochs": 0,
            "batch_size": 1,
            "n_features": 1,
            "units": 1,
        }
        for name, minimum in minimums.items():
            if data[name] < minimum:
                raise ValueError(
                    f"{where}: field {name!r} must be >= {minimum}. "
                    f"Received: {data[name]!r}"
                )
        n_classes = len(data["genre_names"])
        if n_classes < 2 or not 0 <= data["majority_class"] < n_classes:
            raise ValueError(
                f"{where}: needs 2+ genre_names and majority_class in [0, "
                f"{n_classes}). Received: {n_classes} names, majority_class="
                f"{data['majority_class']!r}"
            )
        if not 0 < data["validation_size"] < 1:  # also refuses NaN
            raise ValueError(
                f"{where}: field 'validation_size' must be in (0, 1). "
                f"Received: {data['validation_size']!r}"
            )
        try:
            if not all(
                v is None or isinstance(v, str) for v in data["source"].values()
            ):
                raise TypeError("its fields must be strings or null")
            source = DataSource(**data["source"])
        except (TypeError, ValueError) as err:
            raise ValueError(f"{where}: bad 'source' ({err}).") from None
        fields = {name: data[name] for name in types if name != "source"}
        fields["genre_names"] = tuple(fields["genre_names"])
        return cls(source=source, **fields, **_training_options(data, where))


def _training_options(data: dict, where: str) -> dict[str, Any]:
    """The optional training fields, checked; absent ones keep their defaults."""
    options = {}
    learning_rate = data.get("learning_rate", 0.001)
    if (
        not isinstance(learning_rate, float)
        or not math.isfinite(learning_rate)
        or learning_rate <= 0
    ):
        raise ValueError(
            f"{where}: field 'learning_rate' must be a finite float > 0. "
            f"Received: {learning_rate!r}"
        )
    options["learning_rate"] = learning_rate
    class_weight = data.get("class_weight")
    if class_weight not in (None, "balanced"):
        raise ValueError(
            f"{where}: field 'class_weight' must be null or 'balanced'. "
            f"Received: {class_weight!r}"
        )
    options["class_weight"] = class_weight
    patience = data.get("patience")
    if patience is not None and (
        not isinstance(patience, int) or isinstance(patience, bool) or patience < 0
    ):
        raise ValueError(
            f"{where}: field 'patience' must be null or an integer >= 0. "
            f"Received: {patience!r}"
        )
    options["patience"] = patience
    names = data.get("feature_names")
    if names is not None and (
        not isinstance(names, list) or not all(isinstance(n, str) for n in names)
    ):
        raise ValueError(
            f"{where}: field 'feature_names' must be null or a list of strings."
        )
    if names is not None and len(names) != data["n_features"]:
        raise ValueError(
            f"{where}: {len(names)} feature_names for n_features={data['n_features']}."
        )
    options["feature_names"] = None if names is None else tuple(names)
    return options
