"""The ``minigenre`` command line: ``minigenre COMMAND --help`` describes each command.

Results go to standard output, progress and errors to standard error. Exit codes: 0 on
success, 2 on bad usage or bad input (one line, no traceback unless ``--verbose``).
Commands that write files write them whole or not at all.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from dataclasses import dataclass

import numpy as np

from minigenre import __version__, bench_command, commands
from minigenre.commands import UsageError, source_from_args
from minigenre.data import Dataset
from minigenre.preprocessing import StandardScaler
from minigenre.run_config import DataSource
from minigenre.workflow import split_rows


def add_source_arguments(
    parser: argparse.ArgumentParser, default: str = "default: the embedded dataset"
) -> None:
    """``--data DIR | --csv FILE --label-column COL``, ``default`` when neither."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--data", metavar="DIR", help=f"directory of the Kaggle files ({default})"
    )
    source.add_argument("--csv", metavar="FILE", help="a labelled CSV with a header")
    parser.add_argument("--label-column", metavar="COL", help="label column of --csv")


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """``--data DIR | --csv FILE --label-column COL``; the embedded set by default."""
    add_source_arguments(parser)
    parser.add_argument(
        "--seed",
        type=_seed,
        default=0,
        help="seeds the split, weights and shuffles (default: 0)",
    )


def load_dataset(args: argparse.Namespace) -> Dataset:
    """The dataset the data arguments name, or the embedded synthetic one."""
    return (source_from_args(args) or DataSource()).load()


def describe_source(args: argparse.Namespace) -> str:
    if args.csv is not None:
        return f"{args.csv} (label column {args.label_column})"
    if args.data is not None:
        return f"Kaggle files in {args.data}"
    return "the embedded synthetic dataset"


@dataclass
class Split:
    """The 80/20 split, standardized with statistics of the training part only."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    scaler: StandardScaler


def split_and_scale(dataset: Dataset, seed: int, test_size: float = 0.2) -> Split:
    """Stratified 80/20 split; the scaler is fit on the training rows alone."""
    x_train, x_val, y_train, y_val = split_rows(dataset, seed, test_size)
    scaler = StandardScaler().fit(x_train)
    return Split(
        scaler.transform(x_train), y_train, scaler.transform(x_val), y_val, scaler
    )


def cmd_compare(args: argparse.Namespace) -> int:
    try:
        from reference.compare import compare, print_report, save_plot
    except ImportError as err:
        raise UsageError(
            f'compare needs TensorFlow: pip install "minigenre[reference]" ({err}).'
        ) from None
    dataset = load_dataset(args)
    split = split_and_scale(dataset, args.seed)
    result = compare(
        split, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed
    )
    result["data"] = describe_source(args)
    if args.plot is not None:
        result["plot"] = save_plot(result, args.plot)
    print_report(result, as_json=args.json)
    return 0


def _number(text: str, kind: type, ok, rule: str):
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not ok(value):
        raise argparse.ArgumentTypeError(f"must be {rule}. Received: {text!r}")
    return value


def _positive_int(text: str) -> int:
    return _number(text, int, lambda n: n >= 1, "an integer >= 1")


def _seed(text: str) -> int:
    return _number(text, int, lambda n: n >= 0, "an integer >= 0")


def _dpi(text: str) -> int:
    # matplotlib only refuses 2**16 pixels per side: at 5,000 dpi the 12 x 4.5-inch
    # history figure is 60,000 x 22,500 pixels, 5 GB of RGBA.
    return _number(text, int, lambda n: 1 <= n <= 1000, "an integer in [1, 1000]")


def _threshold(text: str) -> float:
    return _number(text, float, lambda p: 0 <= p < 1, "a number in [0, 1)")


def _add_command(subparsers, name: str, run, summary: str, description: str):
    parser = subparsers.add_parser(name, help=summary, description=description)
    # SUPPRESS keeps `minigenre --verbose CMD` working as well as `CMD --verbose`.
    parser.add_argument(
        "--verbose", action="store_true", default=argparse.SUPPRESS,
        help="show tracebacks on errors",
    )  # fmt: skip
    parser.set_defaults(run=run)
    return parser


def add_training_arguments(parser: argparse.ArgumentParser) -> None:
    """``--epochs`` and ``--batch-size``, with the study's values as defaults."""
    parser.add_argument("--epochs", type=_positive_int, default=4, help="default: 4")
    parser.add_argument(
        "--batch-size", type=_positive_int, default=32, help="default: 32"
    )


def _add_run_commands(subparsers) -> None:
    train = _add_command(
        subparsers, "train", commands.cmd_train,
        "train the study's model and save it as a run directory",
        "Splits the labelled rows 80/20 (stratified), fits the scaler on the 80% "
        "alone, trains the study's network (Dense(128, elu) -> Dense(10, softmax), "
        "Adam) with progress on stderr, and saves weights, scaler, config and "
        "history in RUN_DIR, which is written whole or not at all.",
    )  # fmt: skip
    add_data_arguments(train)
    add_training_arguments(train)
    train.add_argument(
        "--model", choices=("numpy", "keras"), default="numpy",
        help="numpy (default) or keras (needs TensorFlow; saved in the same format)",
    )  # fmt: skip
    train.add_argument(
        "--out", metavar="RUN_DIR", required=True, help="new or empty directory"
    )
    train.add_argument(
        "--overwrite", action="store_true", help="replace a previous run in RUN_DIR"
    )
    own_data = "default: the data the run was trained on"
    evaluate = _add_command(
        subparsers, "evaluate", commands.cmd_evaluate,
        "score a run on its validation split, per genre",
        "Re-creates the run's validation split from its data and seed and prints "
        "accuracy, log-loss, per-genre precision, recall and support, and the "
        "confusion matrix.",
    )  # fmt: skip
    predict = _add_command(
        subparsers, "predict", commands.cmd_predict,
        "write the two Kaggle submission files for the test rows",
        f"Standardizes the test rows with the training statistics and writes "
        f"{commands.LABELS_FILE} (Sample_id,Sample_label; labels 1-10) and "
        f"{commands.PROBA_FILE} (Sample_id,Class_1,...,Class_10) into DIR.",
    )  # fmt: skip
    plot = _add_command(
        subparsers, "plot", commands.cmd_plot,
        "save the study's figures and the training curves as PNG files",
        "Raw and standardized samples 1-3, the genre distribution, the confusion "
        "matrix (counts and row-normalized) and the training curves.",
    )  # fmt: skip
    for parser in (evaluate, predict, plot):
        parser.add_argument("run_dir", metavar="RUN_DIR", help="from minigenre train")
        add_source_arguments(parser, own_data)
    evaluate.add_argument(
        "--threshold", type=_threshold, metavar="T",
        help="label with the 25%% rule at T (default: plain argmax)",
    )  # fmt: skip
    evaluate.add_argument("--json", action="store_true", help="print JSON instead")
    predict.add_argument(
        "--threshold", type=_threshold, default=0.25, metavar="T",
        help="the study's rule: argmax only above T, else the majority genre "
        "(default: 0.25; 0 for plain argmax)",
    )  # fmt: skip
    plot.add_argument(
        "--dpi", type=_dpi, default=100, help="default: 100, at most 1000"
    )
    for parser in (predict, plot):
        parser.add_argument(
            "--out", metavar="DIR", required=True, help="created if missing"
        )
    score = _add_command(
        subparsers, "score", commands.cmd_score,
        "score a submission file against the embedded set's hidden test labels",
        "Reads either submission kind strictly and scores it as the leaderboard "
        "would: accuracy for labels, Kaggle's log-loss (and argmax accuracy) for "
        "probabilities.",
    )  # fmt: skip
    score.add_argument("submission", metavar="SUBMISSION_CSV")
    add_source_arguments(score, "default: the embedded dataset, the only one with "
                         "hidden labels")  # fmt: skip
    score.add_argument("--json", action="store_true", help="print JSON instead")


class _Parser(argparse.ArgumentParser):
    """argparse's parser, with its usage errors on one line like minigenre's own."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="minigenre",
        description="The study's music-genre network in NumPy, checked against Keras.",
    )
    parser.add_argument(
        "--version", action="version", version=f"minigenre {__version__}"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="show tracebacks on errors"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_run_commands(subparsers)
    compare = _add_command(
        subparsers, "compare", cmd_compare,
        "train the NumPy and the Keras model side by side and compare them",
        "Trains minigenre's NumPy model and the study's Keras model on the same "
        "80/20 split, from the same initial weights and on the same batches, and "
        "prints their results side by side with the largest differences.",
    )  # fmt: skip
    add_data_arguments(compare)
    add_training_arguments(compare)
    compare.add_argument("--json", action="store_true", help="print JSON instead")
    compare.add_argument("--plot", metavar="DIR", help="save a figure of the curves")
    bench = _add_command(
        subparsers, "bench", bench_command.cmd_bench,
        bench_command.SUMMARY, bench_command.DESCRIPTION,
    )  # fmt: skip
    bench_command.add_bench_arguments(bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits with 2 on bad usage, as argparse does
    try:
        return args.run(args)
    except BrokenPipeError:  # e.g. `minigenre evaluate RUN | head`: not an error
        with contextlib.suppress(OSError, ValueError, AttributeError):
            # Python would report the pipe again when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (ValueError, TypeError, OSError) as err:
        if args.verbose:
            traceback.print_exc()
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"minigenre {args.command}: error: {message}", file=sys.stderr)
        return 2
