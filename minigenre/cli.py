"""The ``minigenre`` command line: ``minigenre COMMAND --help`` describes each command.

Results go to standard output, progress and errors to standard error. Exit codes: 0 on
success, 2 on bad usage or bad input (one line, no traceback unless ``--verbose``).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from dataclasses import dataclass

import numpy as np

from minigenre import __version__
from minigenre.data import Dataset, load_csv, load_kaggle
from minigenre.preprocessing import StandardScaler, train_test_split
from minigenre.synthetic import make_synthetic


class UsageError(ValueError):
    """Bad usage found after parsing, e.g. an option that needs another."""


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """``--data DIR | --csv FILE --label-column COL``; the embedded set by default."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", metavar="DIR", help="directory of the Kaggle files")
    source.add_argument("--csv", metavar="FILE", help="a labelled CSV with a header")
    parser.add_argument("--label-column", metavar="COL", help="label column of --csv")
    parser.add_argument("--seed", type=int, default=0, help="seed (default: 0)")


def load_dataset(args: argparse.Namespace) -> Dataset:
    """The dataset the data arguments name, or the embedded synthetic one."""
    if args.csv is not None:
        if args.label_column is None:
            raise UsageError("--csv needs --label-column COL.")
        return load_csv(args.csv, args.label_column)
    if args.label_column is not None:
        raise UsageError("--label-column only goes with --csv.")
    if args.data is not None:
        return load_kaggle(args.data)
    return make_synthetic(seed=0)  # the embedded dataset is always the same one


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
    x_train, x_val, y_train, y_val = train_test_split(
        dataset.x_train,
        dataset.y_train,
        test_size=test_size,
        seed=seed,
        stratify=dataset.y_train,
    )
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minigenre",
        description="The study's music-genre network in NumPy, checked against Keras.",
    )
    parser.add_argument(
        "--version", action="version", version=f"minigenre {__version__}"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="show tracebacks on errors"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    compare = commands.add_parser(
        "compare",
        help="train the NumPy and the Keras model side by side and compare them",
        description=(
            "Trains minigenre's NumPy model and the study's Keras model on the same "
            "80/20 split, from the same initial weights and on the same batches, and "
            "prints their results side by side with the largest differences."
        ),
    )
    add_data_arguments(compare)
    compare.add_argument("--epochs", type=int, default=4, help="default: 4")
    compare.add_argument("--batch-size", type=int, default=32, help="default: 32")
    compare.add_argument("--json", action="store_true", help="print JSON instead")
    compare.add_argument("--plot", metavar="DIR", help="save a figure of the curves")
    compare.set_defaults(run=cmd_compare)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits with 2 on bad usage, as argparse does
    try:
        return args.run(args)
    except (ValueError, TypeError, OSError) as err:
        if args.verbose:
            traceback.print_exc()
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"minigenre {args.command}: error: {message}", file=sys.stderr)
        return 2
