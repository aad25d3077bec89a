"""The command line's argument types and the option groups several commands share.

Each type turns one string into a value or raises ``argparse.ArgumentTypeError`` with
the rule and the value received, which argparse prints as a one-line usage error.
The training options' flags, defaults, checks and help come from
``minigenre.study.options``, where each is declared once.
"""

from __future__ import annotations

import argparse

from minigenre.study.options import OPTIONS, Option


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


def dpi(text: str) -> int:
    # matplotlib only refuses 2**16 pixels per side: at 5,000 dpi the 12 x 4.5-inch
    # history figure is 60,000 x 22,500 pixels, 5 GB of RGBA.
    return _number(text, int, lambda n: 1 <= n <= 1000, "an integer in [1, 1000]")


def threshold(text: str) -> float:
    return _number(text, float, lambda p: 0 <= p < 1, "a number in [0, 1)")


def option_type(option: Option):
    """argparse's ``type=`` for a training option: its parse, then its one check."""

    def parse(text: str):
        try:
            return option.check(option.parse(text))
        except ValueError:  # "four" for an integer, or a value the check refuses
            raise argparse.ArgumentTypeError(
                f"must be {option.rule}. Received: {text!r}"
            ) from None

    parse.__name__ = option.name  # argparse's name for the type in its messages
    return parse


def add_option(parser: argparse.ArgumentParser, name: str) -> None:
    """Adds the flag of the training option ``name``, as `OPTIONS` declares it."""
    option = OPTIONS[name]
    help_text = option.help
    if option.default is not None:
        help_text += f" (default: {option.default})"
    if option.choices is not None:  # argparse lists them and names a wrong one
        checked = {"choices": option.choices}
    else:
        checked = {"type": option_type(option)}
    parser.add_argument(
        option.flag, default=option.default, metavar=option.metavar, help=help_text,
        **checked,
    )  # fmt: skip


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
    """``--data DIR | --csv FILE --label-column COL`` (the embedded set by default)
    and ``--seed``."""
    add_source_arguments(parser)
    add_option(parser, "seed")


def add_training_arguments(parser: argparse.ArgumentParser) -> None:
    """``--epochs`` and ``--batch-size``, with the study's values as defaults."""
    for name in ("epochs", "batch_size"):
        add_option(parser, name)


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """How ``train`` trains beyond the study's settings, which are the defaults."""
    for name in (
        "learning_rate",
        "units",
        "class_weight",
        "validation_split",
        "patience",
        "sections",
    ):
        add_option(parser, name)
