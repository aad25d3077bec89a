"""The command line's argument types and the option groups several commands share.

Each type turns one string into a value or raises ``argparse.ArgumentTypeError`` with
the rule and the value received, which argparse prints as a one-line usage error.
"""

from __future__ import annotations

import argparse


def _number(text: str, kind: type, ok, rule: str):
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not ok(value):
        raise argparse.ArgumentTypeError(f"must be {rule}. Received: {text!r}")
    return value


def positive_int(text: str) -> int:
    return _number(text, int, lambda n: n >= 1, "an integer >= 1")


def non_negative_int(text: str) -> int:
    return _number(text, int, lambda n: n >= 0, "an integer >= 0")


def seed(text: str) -> int:
    return non_negative_int(text)


def dpi(text: str) -> int:
    # matplotlib only refuses 2**16 pixels per side: at 5,000 dpi the 12 x 4.5-inch
    # history figure is 60,000 x 22,500 pixels, 5 GB of RGBA.
    return _number(text, int, lambda n: 1 <= n <= 1000, "an integer in [1, 1000]")


def learning_rate(text: str) -> float:
    return _number(text, float, lambda x: 0 < x < float("inf"), "a number > 0")


def fraction(text: str) -> float:
    return _number(text, float, lambda x: 0 < x < 1, "a number in (0, 1)")


def threshold(text: str) -> float:
    return _number(text, float, lambda p: 0 <= p < 1, "a number in [0, 1)")


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
        type=seed,
        default=0,
        help="seeds the split, weights and shuffles (default: 0)",
    )


def add_training_arguments(parser: argparse.ArgumentParser) -> None:
    """``--epochs`` and ``--batch-size``, with the study's values as defaults."""
    parser.add_argument("--epochs", type=positive_int, default=4, help="default: 4")
    parser.add_argument(
        "--batch-size", type=positive_int, default=32, help="default: 32"
    )


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """How ``train`` trains beyond the study's settings, which are the defaults."""
    parser.add_argument(
        "--learning-rate", type=learning_rate, default=0.001,
        help="Adam's learning rate (default: 0.001)",
    )  # fmt: skip
    parser.add_argument(
        "--units", type=positive_int, default=128,
        help="width of the hidden ELU layer (default: 128)",
    )  # fmt: skip
    parser.add_argument(
        "--class-weight", choices=("balanced",),
        help="balanced: weight each genre's loss by n / (n_genres * its count)",
    )  # fmt: skip
    parser.add_argument(
        "--validation-split", type=fraction, default=0.2, metavar="F",
        help="share of the labelled rows held out, stratified (default: 0.2)",
    )  # fmt: skip
    parser.add_argument(
        "--patience", type=non_negative_int, metavar="N",
        help="stop after N epochs without a lower val_loss, keeping the best "
        "epoch's weights (default: train all epochs)",
    )  # fmt: skip
