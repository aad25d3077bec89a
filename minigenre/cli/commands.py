"""What each command does with its parsed arguments: call `minigenre.study`, print
results to standard output and progress and warnings to standard error.

``minigenre.cli`` builds the parsers; ``reference`` (TensorFlow) is imported only
inside ``compare`` and ``train --model keras``, so the other commands never load it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import warnings
from dataclasses import fields
from pathlib import Path

from minigenre.saving import files
from minigenre.study import metrics
from minigenre.study.config import DataSource
from minigenre.study.data import Dataset
from minigenre.study.options import OPTIONS
from minigenre.study.runs import Run, check_run_dir, load_run, save_run
from minigenre.study.staging import write_staged

LABELS_FILE, PROBA_FILE = "labels.csv", "probabilities.csv"


class UsageError(ValueError):
    """Bad usage found after parsing, e.g. an option that needs another."""


def say(text: str = "", file=None) -> None:
    """Prints ``text``, with what the stream cannot encode escaped, never failing.

    A path need not be valid UTF-8 (``--out $'\\xff'``), and a stream may refuse
    anything but ASCII: the result is printed all the same, not lost to an error
    after the work is done.
    """
    file = file or sys.stdout
    try:
        print(text, file=file)
    except UnicodeEncodeError:
        encoding = getattr(file, "encoding", None) or "ascii"
        print(text.encode(encoding, "backslashreplace").decode(encoding), file=file)


def log(args: argparse.Namespace, message: str) -> None:
    """Prints a progress or warning line, which is not a result, to stderr."""
    say(f"minigenre {args.command}: {message}", file=sys.stderr)


@contextlib.contextmanager
def warnings_logged(args: argparse.Namespace):
    """Shows each ``UserWarning`` raised inside the block as one line on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        yield
    for warning in caught:
        log(args, f"warning: {warning.message}")


def source_from_args(args: argparse.Namespace) -> DataSource | None:
    """The source ``--data`` or ``--csv`` names, or None if neither is given."""
    if args.csv is not None:
        if args.label_column is None:
            raise UsageError("--csv needs --label-column COL.")
        return DataSource("csv", str(Path(args.csv).resolve()), args.label_column)
    if args.label_column is not None:
        raise UsageError("--label-column only goes with --csv.")
    if args.data is not None:
        return DataSource("kaggle", str(Path(args.data).resolve()))
    return None


def load_source(args: argparse.Namespace, source: DataSource) -> Dataset:
    """Loads ``source``, showing each warning (a dropped CSV column) as one line."""
    with warnings_logged(args):
        return source.load()


def run_data(args: argparse.Namespace, run: Run) -> Dataset:
    """The run's own data, or what ``--data``/``--csv`` names instead."""
    from minigenre.study import workflow  # pandas, matplotlib: when used

    dataset = load_source(args, source_from_args(args) or run.config.source)
    dataset = workflow.run_columns(run, dataset)  # a --sections run's columns
    workflow.check_compatible(run, dataset)
    if workflow.fingerprint(dataset) != run.config.data_sha256 and (
        args.command != "predict"
    ):
        log(
            args,
            "warning: these are not the rows the run was trained on, so its "
            "validation split may hold training rows.",
        )
    return dataset


def rows_named(args: argparse.Namespace, run: Run, part: str):
    """How a message names a row of the data ``evaluate`` ("train") or ``predict``
    ("test") scores: its file and data row."""
    from minigenre.study import blame

    columns = run.config.feature_names  # a --csv run's, by name
    if args.csv is not None and args.label_column is None:  # predict's rows
        return blame.name_rows(str(args.csv), columns)
    source = source_from_args(args) or run.config.source
    if source.kind == "kaggle":
        name = "train_data.csv" if part == "train" else "test_data.csv"
        return blame.name_rows(str(Path(source.path) / name))
    return blame.name_rows(source.path or "the embedded data set", columns)


def cmd_train(args: argparse.Namespace) -> int:
    from minigenre.study import workflow  # pandas, matplotlib: when used

    source = source_from_args(args) or DataSource()
    check_run_dir(args.out, args.overwrite)  # fail before training, not after
    dataset = load_source(args, source)
    check_run_size(dataset, args.units, source)  # before training, not at saving
    log(args, f"training the {args.model} model on {source.describe()}")
    fit_keras = _reference("--model keras").fit_keras if args.model == "keras" else None
    # Each flag's dest is its option's name (--validation-split -> validation_split).
    names = [field.name for field in fields(workflow.TrainingOptions)]
    options = workflow.TrainingOptions(**{name: getattr(args, name) for name in names})
    with contextlib.redirect_stdout(sys.stderr):  # Keras's progress lines
        run = workflow.train_run(
            dataset, source, args.seed, args.epochs, args.batch_size, args.model,
            fit_keras=fit_keras, options=options,
        )  # fmt: skip
    with warnings_logged(args):  # a previous run that could not be removed
        save_run(run, args.out, overwrite=args.overwrite)
    last = " - ".join(f"{key}: {values[-1]:.4f}" for key, values in run.history.items())
    say(f"Trained {len(run.history['loss'])} epochs: {last}")
    say(f"Saved the run to {args.out}")
    return 0


def check_run_size(dataset: Dataset, units: int, source: DataSource) -> None:
    """Refuses a table whose run would be larger than a run file may be.

    ``weights.npz`` holds ``(features x units + units + units x classes + classes)``
    float32 numbers; like every ``.npz`` minigenre reads, at most
    ``files.MAX_NPZ_BYTES`` (256 MiB): with 128 units, about 524,000 columns.
    """
    n, d, k = len(dataset.y_train), dataset.n_features, dataset.n_classes
    weights = 4 * (d * units + units + units * k + k)
    if weights > files.MAX_NPZ_BYTES:
        widest = (files.MAX_NPZ_BYTES // 4 - units - units * k - k) // units
        raise UsageError(
            f"{source.describe()}: {n} rows of {d} feature columns; with {units} "
            f"hidden units the weights would take {weights} bytes, more than a run "
            f"may hold ({files.MAX_NPZ_BYTES}; at most {widest} columns). Not trained."
        )


def describe_labels(run: Run, threshold: float | None) -> str:
    if not threshold:
        return "argmax of each row"
    fallback = run.config.genre_names[run.config.majority_class]
    return f"argmax if its probability > {threshold:g}, else {fallback}"


def training_settings(run: Run) -> dict:
    """How the run was trained, as ``evaluate`` shows it: every training option."""
    config = run.config
    return {
        "model": config.model,
        **{name: getattr(config, name) for name in OPTIONS},
        "epochs_run": len(run.history.get("loss", [])),
    }


def _describe_training(settings: dict) -> str:
    stopping = (
        "no early stopping"
        if settings["patience"] is None
        else f"early stopping with patience {settings['patience']} "
        f"({settings['epochs_run']} epochs run)"
    )
    return (
        f"{settings['units']} hidden units, learning rate "
        f"{settings['learning_rate']:g}, class weights "
        f"{settings['class_weight'] or 'none'}, validation split "
        f"{settings['validation_split']:g}, {stopping}"
        + (
            f", sections {', '.join(settings['sections'])}"
            if settings["sections"]
            else ""
        )
    )


def cmd_evaluate(args: argparse.Namespace) -> int:
    from minigenre.study import workflow  # pandas, matplotlib: when used

    run = load_run(args.run_dir)
    dataset = run_data(args, run)
    row = rows_named(args, run, "train")
    result = workflow.evaluate_run(run, dataset, args.threshold, row)
    names = run.config.genre_names
    if args.json:
        rows = [row.__dict__ for row in result.report.rows]
        summary = {
            "accuracy": result.accuracy,
            "log_loss": result.log_loss,
            "kaggle_log_loss": result.kaggle_log_loss,
            "n_samples": len(result.y_true),
            "threshold": result.threshold,
            "per_genre": rows,
            "confusion_matrix": result.confusion.tolist(),
            "genre_names": list(names),
            "training": training_settings(run),
        }
        say(json.dumps(summary, indent=2))
        return 0
    config = run.config
    say(
        f"Run {args.run_dir}: {config.model} model, {config.epochs} epochs, "
        f"batch size {config.batch_size}, seed {config.seed}"
    )
    say(f"Trained with {_describe_training(training_settings(run))}")
    say(
        f"Validation rows: {len(result.y_true)} of {len(dataset.y_train)} "
        f"(stratified, seed {config.seed}); labels: "
        f"{describe_labels(run, args.threshold)}\n"
    )
    say(f"accuracy  {result.accuracy:.4f}")
    say(f"log-loss  {result.log_loss:.4f}  (multi-class, as Keras's val_loss)")
    say(
        f"Kaggle log-loss  {result.kaggle_log_loss:.4f}  (the 2018 leaderboard's: "
        "binary cross-entropy over every genre cell)\n"
    )
    say(result.report.format(digits=2) + "\n")
    say("Confusion matrix (rows: true genre, columns: predicted genre)")
    width = max(map(len, names))  # full genre names as column headings
    say(metrics.format_confusion_matrix(result.confusion, names, width=width))
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    from minigenre.study import kaggle, workflow  # pandas, matplotlib: when used

    if args.out is None:
        raise UsageError("predict needs --out DIR (or --audio FILE for one song).")
    run = load_run(args.run_dir)
    if args.csv is not None and args.label_column is None:
        # Rows to predict: the training table's feature columns, no label.
        x = workflow.unlabelled_rows(run, args.csv)
        labels, proba = workflow.predict_rows(
            run, x, args.threshold, rows_named(args, run, "test")
        )
    else:
        dataset = run_data(args, run)
        labels, proba = workflow.predict_run(
            run, dataset, args.threshold, rows_named(args, run, "test")
        )
    n_classes = len(run.config.genre_names)

    def write(staging: Path) -> None:
        kaggle.write_label_submission(staging / LABELS_FILE, labels, n_classes)
        kaggle.write_proba_submission(staging / PROBA_FILE, proba, n_classes)

    write_staged(args.out, write)
    out = Path(args.out)
    fell_back = int((proba.max(axis=1) <= (args.threshold or 0)).sum())
    say(
        f"{out / LABELS_FILE}: {len(labels)} rows of Sample_id,Sample_label; "
        f"labels: {describe_labels(run, args.threshold)} ({fell_back} rows fell "
        "back)"
    )
    say(
        f"{out / PROBA_FILE}: {len(proba)} rows of "
        f"Sample_id,Class_1,...,Class_{n_classes}"
    )
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from minigenre.study import kaggle  # pandas, matplotlib: when used

    source = source_from_args(args) or DataSource()
    dataset = load_source(args, source)
    if dataset.y_test is None:
        raise UsageError(
            f"{source.describe()} has no hidden test labels; only the embedded "
            "dataset keeps them (Kaggle scores real submissions on its site)."
        )
    submission = kaggle.read_submission(args.submission, dataset.n_classes)
    score = kaggle.score_submission(submission, dataset.y_test)
    if args.json:
        say(json.dumps(score.__dict__, indent=2))
        return 0
    kind = "probabilities" if score.kind == "proba" else "labels"
    say(f"{args.submission}: {kind} for {score.n_samples} test rows")
    if score.log_loss is not None:
        say(f"log-loss  {score.log_loss:.4f}  (multi-class, eps 1e-15)")
        say(
            f"Kaggle log-loss  {score.kaggle_log_loss:.4f}  (the 2018 leaderboard's: "
            "binary cross-entropy over every genre cell)"
        )
        say(f"accuracy  {score.accuracy:.4f}  (argmax of each row)")
    else:
        say(f"accuracy  {score.accuracy:.4f}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from minigenre.study import workflow  # pandas, matplotlib: when used

    run = load_run(args.run_dir)
    figures = workflow.make_figures(run, run_data(args, run))

    def write(staging: Path) -> None:
        for name, figure in figures.items():
            figure.savefig(staging / name, dpi=args.dpi)

    write_staged(args.out, write)
    for name in figures:
        say(str(Path(args.out) / name))
    return 0


def _reference(what: str):
    """Imports ``reference`` (and so TensorFlow), or says which extra it needs."""
    try:
        import reference
    except ImportError as err:
        raise UsageError(
            f'{what} needs TensorFlow: pip install "minigenre[reference]" ({err}).'
        ) from None
    return reference


def cmd_compare(args: argparse.Namespace) -> int:
    from minigenre.study import workflow  # pandas, matplotlib: when used

    _reference("compare")
    from reference.compare import compare, print_report, save_plot

    source = source_from_args(args) or DataSource()
    split = workflow.split_and_scale(load_source(args, source), args.seed)
    result = compare(
        split, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed
    )
    result["data"] = source.describe()
    if args.plot is not None:
        result["plot"] = save_plot(result, args.plot)
    print_report(result, as_json=args.json)
    return 0
