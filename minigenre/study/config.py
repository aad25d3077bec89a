"""A run's configuration: where its data came from and how it was trained.

``RunConfig`` is saved as ``config.json`` in a run directory (see ``runs``); it holds
what is needed to rebuild the model and to re-create the exact validation split.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from minigenre import __version__
from minigenre.study.data import Dataset, load_csv, load_kaggle
from minigenre.study.options import OPTIONS
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
    The training options' defaults and checks are `options.OPTIONS`'s.
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
    units: int = OPTIONS["units"].default
    validation_split: float = OPTIONS["validation_split"].default
    minigenre_version: str = field(default=__version__)
    # Training options added later: a config written before them has the defaults.
    learning_rate: float = OPTIONS["learning_rate"].default  # Adam's
    class_weight: str | None = OPTIONS["class_weight"].default  # "balanced"
    patience: int | None = OPTIONS["patience"].default  # early stopping on val_loss
    feature_names: tuple[str, ...] | None = None  # a --csv run's feature columns
    sections: tuple[str, ...] | None = OPTIONS["sections"].default  # None: all 264

    def to_dict(self) -> dict[str, Any]:
        fields = asdict(self)
        fields["genre_names"] = list(self.genre_names)
        if self.feature_names is not None:
            fields["feature_names"] = list(self.feature_names)
        if self.sections is not None:
            fields["sections"] = list(self.sections)
        return {"format": RUN_FORMAT, "format_version": RUN_FORMAT_VERSION, **fields}

    @classmethod
    def from_dict(cls, data: Any, where: str = "config") -> RunConfig:
        """Rebuilds a config from `to_dict`'s output, checking every field.

        A config written before the validation share took Keras's name has
        ``validation_size`` instead of ``validation_split``; it is read the same.
        """
        if not isinstance(data, dict) or data.get("format") != RUN_FORMAT:
            raise ValueError(f"{where}: not a minigenre run configuration.")
        version = data.get("format_version")
        if version != RUN_FORMAT_VERSION or isinstance(version, bool):  # true == 1
            raise ValueError(
                f"{where}: unsupported format_version {version!r};"
                f" expected {RUN_FORMAT_VERSION}."
            )
        types = {
            "model": str, "n_features": int, "genre_names": list,
            "majority_class": int, "data_sha256": str, "minigenre_version": str,
            "source": dict,
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
        if data["n_features"] < 1:  # would fail later, far from the file
            raise ValueError(
                f"{where}: field 'n_features' must be >= 1. "
                f"Received: {data['n_features']!r}"
            )
        n_classes = len(data["genre_names"])
        if n_classes < 2 or not 0 <= data["majority_class"] < n_classes:
            raise ValueError(
                f"{where}: needs 2+ genre_names and majority_class in [0, "
                f"{n_classes}). Received: {n_classes} names, majority_class="
                f"{data['majority_class']!r}"
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
        fields["feature_names"] = _feature_names(data, where)
        return cls(source=source, **fields, **_training_options(data, where))


# In every config.json; the other options came later, and their absence means the
# study's default. Each is checked here, not where it is used: a negative seed or
# 0 units would fail later, far from the file.
_ALWAYS_SAVED = ("seed", "epochs", "batch_size", "units", "validation_split")


def _training_options(data: dict, where: str) -> dict[str, Any]:
    """The training options' fields, each checked by its option's one check."""
    data = {**data, "validation_split": _validation_split(data, where)}
    options = {}
    for name, option in OPTIONS.items():
        value = data.get(name, None if name in _ALWAYS_SAVED else option.default)
        try:
            options[name] = option.check(value)
        except ValueError:
            raise ValueError(
                f"{where}: field {name!r} must be {option.requirement}. "
                f"Received: {value!r}"
            ) from None
    return options


def _validation_split(data: dict, where: str) -> Any:
    """``validation_split``, or ``validation_size``, its name in earlier configs."""
    if "validation_size" not in data:
        return data.get("validation_split")
    old = data["validation_size"]
    if "validation_split" in data and data["validation_split"] != old:
        raise ValueError(
            f"{where}: fields 'validation_split' and 'validation_size' (its earlier "
            f"name) differ. Received: {data['validation_split']!r} and {old!r}"
        )
    return old


def _feature_names(data: dict, where: str) -> tuple[str, ...] | None:
    """A --csv run's feature columns, one per feature; None for the others."""
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
    return None if names is None else tuple(names)
