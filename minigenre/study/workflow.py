"""The study's notebook as functions: train a run, evaluate it, predict, draw figures.

Each ``minigenre`` command is one of these plus printing, so a tutorial can call the
same code::

    from minigenre.study import workflow
    from minigenre.study.config import DataSource

    source = DataSource()  # the embedded dataset
    run = workflow.train_run(source.load(), source, epochs=4, seed=0)
    result = workflow.evaluate_run(run, source.load())
    print(result.accuracy, result.log_loss)

Every step standardizes with the statistics of the run's *training* rows, the fix of
the study's first slip (it standardized the test rows with their own statistics).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields

import numpy as np
from matplotlib.figure import Figure

from minigenre.callbacks import EarlyStopping
from minigenre.study import blame, kaggle, metrics, plots
from minigenre.study.config import MODEL_KINDS, DataSource, RunConfig
from minigenre.study.data import (
    N_FEATURES,
    SECTIONS,
    Dataset,
    load_unlabelled_csv,
    select_sections,
)
from minigenre.study.network import study_model
from minigenre.study.options import OPTIONS
from minigenre.study.preprocessing import StandardScaler, train_test_split
from minigenre.study.runs import SCALER, Run
from minigenre.training.weighting import balanced_class_weight


def fingerprint(dataset: Dataset) -> str:
    """SHA-256 of the training rows, labels and class names: same data, same text."""
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(dataset.x_train, dtype="<f8").tobytes())
    digest.update(np.ascontiguousarray(dataset.y_train, dtype="<i8").tobytes())
    digest.update("\n".join(dataset.genre_names).encode())
    return digest.hexdigest()


def split_rows(
    dataset: Dataset,
    seed: int,
    validation_split: float = OPTIONS["validation_split"].default,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The study's stratified split of the labelled rows, not yet standardized.

    Returns:
        ``x_train, x_val, y_train, y_val``; the same seed gives the same rows.

    Raises:
        ValueError: If a class has fewer than 2 rows (naming it): each part needs
            one of every class.
    """
    counts = np.bincount(dataset.y_train, minlength=dataset.n_classes)
    if counts.min() < 2:
        k = int(counts.argmin())
        raise ValueError(
            f"class {dataset.genre_names[k]!r} has {counts[k]} row(s); the "
            "stratified split needs at least 2 of each class."
        )
    return train_test_split(
        dataset.x_train,
        dataset.y_train,
        test_size=validation_split,
        seed=seed,
        stratify=dataset.y_train,
    )


@dataclass
class Split:
    """The 80/20 split, standardized with statistics of the training part only."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    scaler: StandardScaler


def split_and_scale(
    dataset: Dataset,
    seed: int,
    validation_split: float = OPTIONS["validation_split"].default,
) -> Split:
    """Stratified 80/20 split; the scaler is fit on the training rows alone.

    The study's first slip, fixed: it standardized the test rows with their own
    statistics.
    """
    x_train, x_val, y_train, y_val = split_rows(dataset, seed, validation_split)
    scaler = StandardScaler().fit(x_train)
    return Split(
        scaler.transform(x_train), y_train, scaler.transform(x_val), y_val, scaler
    )


@dataclass(frozen=True)
class TrainingOptions:
    """How ``train_run`` trains, beyond epochs and batch size; the study's defaults,
    and the checks, of `options.OPTIONS`.

    Args:
        units: Width of the hidden ELU layer.
        learning_rate: Adam's learning rate.
        class_weight: ``"balanced"`` weights each class's loss by ``n_samples /
            (n_classes * count)`` (``weighting.balanced_class_weight``),
            or None for no weighting.
        validation_split: Share of the labelled rows held out (stratified).
        patience: Stop after this many epochs without a lower ``val_loss`` and
            keep the best epoch's weights (``EarlyStopping``); None trains on.

    Raises:
        ValueError: If an option's value breaks its rule, e.g. ``Received:
            validation_split=1.0``.
    """

    units: int = OPTIONS["units"].default
    learning_rate: float = OPTIONS["learning_rate"].default
    class_weight: str | None = OPTIONS["class_weight"].default
    validation_split: float = OPTIONS["validation_split"].default
    patience: int | None = OPTIONS["patience"].default
    sections: tuple[str, ...] | None = OPTIONS["sections"].default

    def __post_init__(self) -> None:
        for option in fields(self):
            value = OPTIONS[option.name].check(getattr(self, option.name))
            object.__setattr__(self, option.name, value)  # sections as a tuple


def train_run(
    dataset: Dataset,
    source: DataSource,
    seed: int = OPTIONS["seed"].default,
    epochs: int = OPTIONS["epochs"].default,
    batch_size: int = OPTIONS["batch_size"].default,
    model: str = "numpy",
    verbose: int = 1,
    fit_keras: Callable | None = None,
    options: TrainingOptions | None = None,
) -> Run:
    """Splits 80/20, fits the scaler on the 80% and trains the study's model on it.

    Args:
        dataset: The labelled data; its test rows are not used.
        source: Where ``dataset`` came from, recorded so the run can reload it.
        seed: Seeds the split, the initial weights and the shuffling.
        epochs: Passes over the training rows.
        batch_size: Rows per gradient step.
        model: ``"numpy"`` trains minigenre's model; ``"keras"`` trains the study's
            Keras model (needs TensorFlow) and copies its weights into a minigenre
            model, so the saved run never needs TensorFlow again.
        verbose: 1 prints Keras's progress lines to standard output, 0 is silent.
        fit_keras: For ``model="keras"``, ``reference.fit_keras``: the study never
            imports TensorFlow itself, whoever asks for Keras passes it in.
        options: Width, learning rate, class weights, validation share and early
            stopping; the study's settings by default.

    Returns:
        The `Run`, its history including ``val_loss`` and ``val_accuracy``.
    """
    if model not in MODEL_KINDS:
        raise ValueError(f"model must be one of {MODEL_KINDS}. Received: {model!r}")
    # Checked as config.json will be, so that the saved run loads again.
    for name, value in (("seed", seed), ("epochs", epochs), ("batch_size", batch_size)):
        OPTIONS[name].check(value)
    options = options or TrainingOptions()
    dataset = select_sections(dataset, options.sections)  # the columns it reads
    try:
        split = split_and_scale(dataset, seed, options.validation_split)
    except ValueError as err:
        raise ValueError(f"{source.describe()}: {err}") from None
    x_train, y_train, scaler = split.x_train, split.y_train, split.scaler
    numpy_model = study_model(
        seed, dataset.n_classes, options.units, learning_rate=options.learning_rate
    )
    fit_args = dict(batch_size=batch_size, epochs=epochs, verbose=verbose)
    fit_args["validation_data"] = (split.x_val, split.y_val)
    if options.class_weight == "balanced":
        fit_args["class_weight"] = balanced_class_weight(y_train)
    if model == "keras":
        if fit_keras is None:
            raise ValueError("model='keras' needs fit_keras=reference.fit_keras.")
        history = fit_keras(
            numpy_model, x_train, y_train, seed, fit_args, options.patience
        )
    else:
        if options.patience is not None:
            fit_args["callbacks"] = [
                EarlyStopping(patience=options.patience, restore_best_weights=True)
            ]
        history = numpy_model.fit(x_train, y_train, **fit_args).history
    config = RunConfig(
        source=source,
        seed=seed,
        epochs=epochs,
        batch_size=batch_size,
        model=model,
        n_features=dataset.n_features,
        genre_names=dataset.genre_names,
        majority_class=int(np.bincount(dataset.y_train).argmax()),
        data_sha256=fingerprint(dataset),
        feature_names=dataset.feature_names,
        **asdict(options),  # units, learning_rate, ...: the config's names too
    )
    history = {key: [float(v) for v in values] for key, values in history.items()}
    return Run(config, numpy_model, scaler, history)


def run_columns(run: Run, dataset: Dataset) -> Dataset:
    """``dataset`` as the run sees it: only its sections' columns, if it has any.

    Data that already has the run's column count (selected before) is returned as
    it is.
    """
    sections = run.config.sections
    if sections is None or dataset.n_features == run.config.n_features:
        return dataset
    return select_sections(dataset, sections)


def check_compatible(run: Run, dataset: Dataset) -> None:
    """Raises a ``ValueError`` unless ``dataset`` has the run's features and genres."""
    config = run.config
    if dataset.n_features != config.n_features:
        raise ValueError(
            f"The run was trained on {config.n_features} features, but the data has "
            f"{dataset.n_features}."
        )
    if tuple(dataset.genre_names) != config.genre_names:
        raise ValueError(
            f"The run's genres {list(config.genre_names)} differ from the data's "
            f"{list(dataset.genre_names)}."
        )


@dataclass(frozen=True)
class Evaluation:
    """Scores of a run on its validation rows; ``y_pred`` follows ``threshold``."""

    y_true: np.ndarray  # (n_val,)
    proba: np.ndarray  # (n_val, n_classes)
    y_pred: np.ndarray  # (n_val,)
    threshold: float | None
    accuracy: float
    log_loss: float  # multi-class, Keras's eps 1e-7: the study's val_loss
    kaggle_log_loss: float  # the 2018 leaderboard's N x K binary scale
    report: metrics.ClassificationReport
    confusion: np.ndarray  # (n_classes, n_classes), rows true, columns predicted


def evaluate_run(
    run: Run,
    dataset: Dataset,
    threshold: float | None = None,
    row: blame.RowNamer | None = None,
) -> Evaluation:
    """Re-creates the run's validation split and scores the model on it.

    Args:
        run: A trained run.
        dataset: The run's data (same rows, same seed give the same split).
        threshold: ``None`` labels each row with its argmax; a number applies the
            study's rule (`kaggle.confident_labels`) with the run's majority class
            as the fallback.
    """
    dataset = run_columns(run, dataset)
    check_compatible(run, dataset)
    config = run.config
    _, x_val, _, y_val = split_rows(dataset, config.seed, config.validation_split)
    proba = probabilities(
        run, x_val, blame.validation_rows(dataset.x_train, x_val, row)
    )
    y_pred = kaggle.confident_labels(proba, threshold, config.majority_class)
    names = config.genre_names
    return Evaluation(
        y_true=y_val,
        proba=proba,
        y_pred=y_pred,
        threshold=threshold,
        accuracy=metrics.accuracy(y_val, y_pred),
        log_loss=metrics.log_loss(y_val, proba),
        kaggle_log_loss=metrics.kaggle_log_loss(y_val, proba),
        report=metrics.classification_report(y_val, y_pred, names),
        confusion=metrics.confusion_matrix(y_val, y_pred, len(names)),
    )


def probabilities(
    run: Run, x: np.ndarray, row: blame.RowNamer | None = None
) -> np.ndarray:
    """The run's probabilities (float64) for raw rows ``x``, standardized as in
    training. Rows it cannot score are refused naming the file at fault: the data
    (``row(i)`` names row ``i`` of ``x`` with its file; by default its number), the
    scaler or the weights (see ``blame``), not left to fail later.
    """
    where = run.directory or "the run"
    scaler = f"{where / SCALER}" if run.directory else "the run's scaler"
    row = row or blame.numbered_rows
    # Overflow is found below and named; numpy's warnings would only add noise.
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            scaled = run.scaler.transform(x)  # (n, d)
        except ValueError as err:
            raise ValueError(f"{scaler}: cannot standardize the data ({err})") from None
        blame.check_standardized(x, scaled, run.scaler, run.model.dtype, scaler, row)
        try:
            proba = run.model.predict(scaled).astype(np.float64)  # (n, classes)
        except ValueError:  # non-finite outputs: predict() names only the layer
            proba = blame.outputs(run.model, scaled)
    blame.check_outputs(proba, scaled, str(where), row)
    return proba


def predict_run(
    run: Run,
    dataset: Dataset,
    threshold: float | None = 0.25,
    row: blame.RowNamer | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Labels and probabilities for the test rows, standardized as in training.

    Returns:
        ``labels`` (n_test,), 0-based, after the 25% rule unless ``threshold`` is
        None or 0; ``proba`` (n_test, n_classes) as float64.
    """
    dataset = run_columns(run, dataset)
    check_compatible(run, dataset)
    if len(dataset.x_test) == 0:
        raise ValueError(
            "The data has no test rows to predict (a labelled --csv file has none: "
            "pass the rows to predict as --csv NEW.csv without --label-column)."
        )
    return predict_rows(run, dataset.x_test, threshold, row)


def predict_rows(
    run: Run,
    x: np.ndarray,
    threshold: float | None = 0.25,
    row: blame.RowNamer | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``predict_run`` for rows given directly, shape (n, n_features), unscaled."""
    if len(x) == 0:
        raise ValueError("There are no rows to predict.")
    # The training statistics, never the test rows' own: slip 1, fixed.
    proba = probabilities(run, x, row)
    labels = kaggle.confident_labels(proba, threshold, run.config.majority_class)
    return labels, proba


def unlabelled_rows(run: Run, path) -> np.ndarray:
    """Reads rows to predict from a CSV with the run's feature columns, no label.

    Raises:
        ValueError: If the run was not trained on a CSV (its columns have no
            names to match), or the file's columns differ from the run's features.
    """
    names = run.config.feature_names
    if names is None:
        raise ValueError(
            f"The run was trained on {run.config.source.describe()}, whose columns "
            "have no names: rows to predict from a CSV need a run trained with "
            "--csv."
        )
    return load_unlabelled_csv(path, names)


def make_figures(run: Run, dataset: Dataset) -> dict[str, Figure]:
    """The study's figures for a run, by file name (``"history.png"``, ...)."""
    dataset = run_columns(run, dataset)
    evaluation = evaluate_run(run, dataset)  # checks the data fits the run
    names = run.config.genre_names
    sections = SECTIONS if dataset.n_features == N_FEATURES else {}
    first = list(range(min(3, len(dataset.x_train))))  # the study's samples 1-3
    return {
        "raw_samples.png": plots.plot_samples(dataset.x_train, first, sections),
        "standardized_samples.png": plots.plot_standardized_samples(
            run.scaler.transform(dataset.x_train[first]), first, sections
        ),
        "genre_distribution.png": plots.plot_genre_distribution(dataset.y_train, names),
        "confusion_counts.png": plots.plot_confusion_matrix(
            evaluation.confusion, names
        ),
        "confusion_normalized.png": plots.plot_confusion_matrix(
            evaluation.confusion, names, normalize=True
        ),
        "history.png": plots.plot_history(run.history),
    }
