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

from minigenre import __version__
from minigenre.cli import audio_commands, check_command, commands
from minigenre.cli.arguments import (
    add_data_arguments,
    add_model_arguments,
    add_source_arguments,
    add_training_arguments,
    dpi,
    threshold,
)


def _add_command(subparsers, name: str, run, summary: str, description: str):
    parser = subparsers.add_parser(name, help=summary, description=description)
    # SUPPRESS keeps `minigenre --verbose CMD` working as well as `CMD --verbose`.
    parser.add_argument(
        "--verbose", action="store_true", default=argparse.SUPPRESS,
        help="show tracebacks on errors",
    )  # fmt: skip
    parser.set_defaults(run=run)
    return parser


def _add_run_commands(subparsers) -> None:
    """The commands around a run directory, in the order ``--help`` lists them."""
    _add_train_command(subparsers)
    own_data = "default: the data the run was trained on"
    evaluate = _add_evaluate_command(subparsers)
    predict = _add_predict_command(subparsers)
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
        "--threshold", type=threshold, metavar="T",
        help="label with the 25%% rule at T (default: plain argmax)",
    )  # fmt: skip
    evaluate.add_argument("--json", action="store_true", help="print JSON instead")
    predict.add_argument(
        "--threshold", type=threshold, default=0.25, metavar="T",
        help="the study's rule: argmax only above T, else the majority genre "
        "(default: 0.25; 0 for plain argmax)",
    )  # fmt: skip
    plot.add_argument("--dpi", type=dpi, default=100, help="default: 100, at most 1000")
    for parser in (predict, plot):
        parser.add_argument(
            "--out", metavar="DIR", required=parser is plot, help="created if missing"
        )
    predict.add_argument(
        "--audio", metavar="FILE",
        help="print the genre probabilities of one song instead (a run trained on "
        "`minigenre features` output, or with --sections rhythm,chroma on the 2018 "
        "table; needs the audio extra)",
    )  # fmt: skip
    predict.add_argument(
        "--layout", metavar="NAME",
        help="with --audio: the columns the run was trained on, minigenre or "
        "mlbp2018 (default: the run's own, found from its data)",
    )  # fmt: skip
    _add_score_command(subparsers)


def _add_train_command(subparsers) -> None:
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
    add_model_arguments(train)
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


def _add_evaluate_command(subparsers):
    return _add_command(
        subparsers, "evaluate", commands.cmd_evaluate,
        "score a run on its validation split, per genre",
        "Re-creates the run's validation split from its data and seed and prints "
        "accuracy, log-loss, per-genre precision, recall and support, and the "
        "confusion matrix.",
    )  # fmt: skip


def _add_predict_command(subparsers):
    return _add_command(
        subparsers, "predict", _predict,
        "write the two Kaggle submission files for the test rows",
        f"Standardizes the test rows with the training statistics and writes "
        f"{commands.LABELS_FILE} (Sample_id,Sample_label; labels 1-10) and "
        f"{commands.PROBA_FILE} (Sample_id,Class_1,...,Class_10) into DIR. "
        "--csv NEW.csv without --label-column predicts the rows of NEW.csv, "
        "which has the training table's feature columns and no label.",
    )  # fmt: skip


def _add_score_command(subparsers) -> None:
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


def _predict(args: argparse.Namespace) -> int:
    """``predict RUN --out DIR`` (the test rows) or ``predict RUN --audio FILE``."""
    if args.audio is not None:
        return audio_commands.cmd_predict_audio(args)
    return commands.cmd_predict(args)


def _add_features_command(subparsers) -> None:
    features = _add_command(
        subparsers, "features", audio_commands.cmd_features,
        "turn a folder of audio files into a CSV of the study's 264 features",
        "Reads every audio file below DIR (WAV, FLAC, OGG, MP3, ...) into one row "
        "of 264 features (rhythm, chroma, MFCC; docs/AUDIO.md). With sub-folders, "
        "each file's genre is its sub-folder's name, in a `genre` column for "
        "`train --csv FILE --label-column genre`. Files that cannot be read are "
        "skipped and listed; FILE is written whole or not at all. Needs the audio "
        'extra: pip install "minigenre[audio]".',
    )  # fmt: skip
    features.add_argument("directory", metavar="DIR", help="a folder of songs")
    features.add_argument("--out", metavar="FILE", required=True, help="the CSV")
    features.add_argument(
        "--overwrite", action="store_true", help="replace FILE if it exists"
    )
    features.add_argument(
        "--layout", metavar="NAME", default="minigenre",
        help="the columns: minigenre (default) or mlbp2018 (the 2018 course "
        "table's columns and scale, docs/AUDIO.md)",
    )  # fmt: skip


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
    _add_features_command(subparsers)
    compare = _add_command(
        subparsers, "compare", commands.cmd_compare,
        "train the NumPy and the Keras model side by side and compare them",
        "Trains minigenre's NumPy model and the study's Keras model on the same "
        "80/20 split, from the same initial weights and on the same batches, and "
        "prints their results side by side with the largest differences.",
    )  # fmt: skip
    add_data_arguments(compare)
    add_training_arguments(compare)
    compare.add_argument("--json", action="store_true", help="print JSON instead")
    compare.add_argument("--plot", metavar="DIR", help="save a figure of the curves")
    check_command.add_check_command(subparsers, _add_command)
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
    except KeyboardInterrupt as err:  # Ctrl-C: whatever was being written is not left
        if args.verbose:
            traceback.print_exc()
        # Held until a run was saved whole, it says so (see study.staging).
        after = f" after {err}" if str(err) else ""
        commands.say(f"minigenre {args.command}: interrupted{after}", file=sys.stderr)
        return 130  # 128 + SIGINT, as a shell reports it
    except (ValueError, TypeError, OSError, MemoryError) as err:
        if args.verbose:
            traceback.print_exc()
        commands.say(
            f"minigenre {args.command}: error: {_one_line(err)}", file=sys.stderr
        )
        return 2


def _one_line(err: BaseException) -> str:
    """The message on one line: a newline in a path must not cut it short."""
    if isinstance(err, MemoryError):
        return "not enough memory" + (f" ({err})." if str(err) else ".")
    message = str(err) or type(err).__name__
    return message.replace("\r", "\\r").replace("\n", "\\n")
