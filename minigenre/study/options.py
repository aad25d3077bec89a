"""The study's training options, each declared once: name, default, check, help.

The command line (``cli.arguments``: the flags and their checks), a run's
``config.json`` (``config.RunConfig.from_dict``: its fields' checks) and the library
(``workflow.TrainingOptions`` and ``workflow.train_run``: their defaults) all derive
from `OPTIONS`, so a default or a rule changed here changes in every one of them.

The names are Keras's: ``fit(epochs=4, batch_size=32, validation_split=0.2,
class_weight=...)``, ``Adam(learning_rate=0.001)``, ``Dense(units=128)``; ``patience``
is ``EarlyStopping``'s and ``seed`` seeds the split, the weights and the shuffles.

>>> OPTIONS["validation_split"].default
0.2
>>> OPTIONS["units"].check(0)
Traceback (most recent call last):
...
ValueError: units must be an integer >= 1. Received: units=0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from minigenre.study.data import SECTIONS
from minigenre.training.checks import check_int, check_learning_rate, is_real_number


@dataclass(frozen=True)
class Option:
    """One training option, as the library, the command line and a run's config see it.

    Args:
        name: Keras's name: the keyword, the ``config.json`` field and, with dashes,
            the flag (``batch_size`` -> ``--batch-size``).
        default: The study's value. None means the option is off by default, and
            then None is always accepted (no class weights, no early stopping).
        rule: What a value must be, as the messages say it: ``"an integer >= 1"``.
        validator: Returns the value it accepts (an integer as a plain ``int``)
            or raises; `check` words every refusal the same way, with ``rule``.
        help: What the option does, for ``--help``.
        parse: How the command line reads the text before the check.
        metavar: The flag's placeholder in ``--help`` (argparse's own if None).
        choices: The named values, for an option that takes one (the command line
            lists them, as argparse's ``choices``).
    """

    name: str
    default: Any
    rule: str
    validator: Callable[[Any], Any]
    help: str
    parse: Callable[[str], Any] = int
    metavar: str | None = None
    choices: tuple[str, ...] | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def requirement(self) -> str:
        """The rule, with None when the option may be off: what `check` asks for."""
        return self.rule if self.default is not None else f"None or {self.rule}"

    def check(self, value: Any) -> Any:
        """Returns ``value`` if the option accepts it, or raises ``ValueError``
        with the rule and ``Received: name=value``."""
        if value is None and self.default is None:
            return None
        try:
            return self.validator(value)
        except (TypeError, ValueError, OverflowError):  # overflow: 10**400 as a float
            pass
        raise ValueError(
            f"{self.name} must be {self.requirement}. Received: {self.name}={value!r}"
        )


def _integer(minimum: int) -> Callable[[Any], int]:
    """The core's integer check, refusing a bool (an int to Python) or a float."""
    return lambda value: check_int(value, "value", minimum)


def _fraction(value: Any) -> float:
    """A number strictly between 0 and 1; NaN fails the comparison."""
    if not is_real_number(value):  # a NumPy float too; not a bool or complex
        raise TypeError(value)
    if not 0 < value < 1:
        raise ValueError(value)
    return float(value)  # the same number, as a float that JSON writes


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str]:
    """One of the named ``choices``, a string (an array would compare per element)."""

    def validator(value: Any) -> str:
        if not isinstance(value, str) or value not in choices:
            raise ValueError(value)
        return value

    return validator


def _sections(value: Any) -> tuple[str, ...]:
    """Section names (``"rhythm,chroma"`` or a list), in the columns' order, once."""
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list | tuple) or not names:
        raise TypeError(value)
    names = [name.strip() if isinstance(name, str) else name for name in names]
    if not all(name in SECTIONS for name in names) or len(set(names)) < len(names):
        raise ValueError(value)
    return tuple(name for name in SECTIONS if name in names)


def _declare(*options: Option) -> dict[str, Option]:
    return {option.name: option for option in options}


# name, default, rule, check, help; then how the command line reads and shows it.
OPTIONS: dict[str, Option] = _declare(
    Option(
        "epochs", 4, "an integer >= 1", _integer(1),
        "passes over the training rows",
    ),
    Option(
        "batch_size", 32, "an integer >= 1", _integer(1),
        "rows per Adam step",
    ),
    Option(
        "validation_split", 0.2, "a number in (0, 1)", _fraction,
        "share of the labelled rows held out, stratified",
        parse=float, metavar="F",
    ),
    Option(
        "class_weight", None, "'balanced'", _one_of(("balanced",)),
        "balanced: weight each genre's loss by n / (n_genres * its count)",
        parse=str, choices=("balanced",),
    ),
    # The core's one check: every optimizer, the command line and config.json agree.
    Option(
        "learning_rate", 0.001, "a finite number > 0", check_learning_rate,
        "Adam's learning rate",
        parse=float,
    ),
    Option(
        "units", 128, "an integer >= 1", _integer(1),
        "width of the hidden ELU layer",
    ),
    Option(
        "patience", None, "an integer >= 0", _integer(0),
        "stop after N epochs without a lower val_loss, keeping the best epoch's "
        "weights (default: train all epochs)",
        metavar="N",
    ),
    Option(
        "seed", 0, "an integer >= 0", _integer(0),
        "seeds the split, weights and shuffles",
    ),
    # Which of the 264 columns the network reads; e.g. the 2018 layout's rhythm and
    # chroma, the sections minigenre.audio computes from a song.
    Option(
        "sections", None, f"a comma-separated list of {', '.join(SECTIONS)}",
        _sections,
        "train on these sections of the 264 columns only, e.g. rhythm,chroma "
        "(default: all)",
        parse=str, metavar="LIST",
    ),
)  # fmt: skip
