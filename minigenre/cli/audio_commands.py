"""The commands that read audio: ``features`` and ``predict RUN --audio FILE``.

They need the ``audio`` extra (librosa, soundfile). ``minigenre.audio`` is imported
inside them only, so every other command starts without librosa and works without
the extra.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from minigenre.cli.commands import UsageError, describe_labels, log, say
from minigenre.study.data import N_FEATURES, SECTIONS
from minigenre.study.runs import Run, load_run
from minigenre.training.progress import ProgressBar


def _audio(what: str):
    """Imports ``minigenre.audio`` (and librosa), or says which extra it needs."""
    try:
        import minigenre.audio as audio
    except ImportError:
        raise UsageError(
            f'{what} needs librosa and soundfile: pip install "minigenre[audio]".'
        ) from None
    except (RuntimeError, OSError) as err:  # e.g. numba cannot write its cache
        raise UsageError(
            f"{what}: librosa could not be imported ({type(err).__name__}: "
            f"{printable(str(err).splitlines()[0] if str(err) else '')}); if numba "
            "cannot write its cache, set NUMBA_CACHE_DIR to a writable folder."
        ) from None
    return audio


def printable(text: str) -> str:
    """``text`` with control characters (escape sequences, carriage returns) and
    undecodable bytes shown as escapes, so a file name cannot drive the terminal."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in str(text))


def cmd_features(args: argparse.Namespace) -> int:
    audio = _audio("features")
    audio.feature_names(args.layout)  # an unknown layout fails before any song
    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise UsageError(f"{out} exists; pass --overwrite to replace it.")
    if out.is_dir() or (os.path.lexists(out) and not out.is_file()):
        raise UsageError(f"Cannot write {out}: it is not a regular file.")
    if not out.parent.is_dir():  # fail before the songs, not after
        raise UsageError(f"Cannot write {out}: directory {out.parent} does not exist.")
    bar: list[ProgressBar] = []

    def progress(done: int, total: int) -> None:
        if not bar:
            bar.append(ProgressBar(total, stream=sys.stderr))
        bar[0].update(done, {}, final=done == total)

    result = audio.folder_features(args.directory, progress, layout=args.layout)
    audio.write_features_csv(result, out)
    for _, reason in result.skipped:
        log(args, f"skipped {printable(reason)}")
    genres = ""
    if result.genres is not None:
        counts = Counter(result.genres)
        genres = " in genres " + ", ".join(
            f"{printable(g)} ({counts[g]})" for g in sorted(counts)
        )
    n_features = result.features.shape[1]
    say(
        f"{printable(out)}: {len(result.files)} songs{genres}, {n_features} "
        f"features each ({args.layout} layout)"
    )
    if result.skipped:
        n = len(result.skipped)
        print(f"Skipped {n} file{'s' * (n != 1)} that could not be used (listed above)")
    return 0


def cmd_predict_audio(args: argparse.Namespace) -> int:
    for option in ("out", "data", "csv"):
        if getattr(args, option, None) is not None:
            raise UsageError(f"--audio prints its result; it takes no --{option}.")
    audio = _audio("predict --audio")
    run = load_run(args.run_dir)
    layout = audio_layout(run, args.layout, audio)
    try:
        features = audio.extract_features(args.audio, layout=layout)  # (264,)
    except (ValueError, TypeError) as err:
        raise UsageError(printable(err)) from None
    except Exception as err:  # librosa, numba, soundfile: one line, naming the file
        raise UsageError(
            printable(
                f"{args.audio}: cannot be analysed ({type(err).__name__}: {err})."
            )
        ) from None
    sections = run.config.sections or tuple(SECTIONS)
    columns = np.concatenate([np.arange(N_FEATURES)[SECTIONS[s]] for s in sections])
    if run.config.source.kind == "embedded":
        log(
            args,
            "warning: the run was trained on the embedded synthetic dataset, shaped "
            "like the 2018 table but not made of songs; its answer means little.",
        )
    proba = run.model.predict(run.scaler.transform(features[None, columns]))
    proba = proba.astype(np.float64)  # (1, n_classes)
    from minigenre.study import kaggle  # pandas: only when used

    label = kaggle.confident_labels(proba, args.threshold, run.config.majority_class)
    names = run.config.genre_names
    say(f"{printable(args.audio)}: {names[int(label[0])]}")
    print(f"  ({describe_labels(run, args.threshold)})")
    width = max(len(name) for name in names)
    for k in np.argsort(-proba[0], kind="stable"):
        print(f"  {names[k]:<{width}}  {proba[0, k]:.4f}")
    return 0


def audio_layout(run: Run, asked: str | None, audio) -> str:
    """The layout of the run's columns, which a song's features must have.

    A run on the Kaggle files or the embedded set has the 2018 table's columns
    (``mlbp2018``); a ``--csv`` run has the layout whose names its columns carry.
    Refused, in one line: a layout that is not the run's, and a run that reads a
    section the layout cannot compute from audio (the 2018 timbre block).
    """
    config = run.config
    sections = config.sections or tuple(SECTIONS)
    found = "mlbp2018" if config.source.kind != "csv" else None
    for layout in audio.LAYOUTS if found is None else ():
        names = audio.feature_names(layout)
        if config.feature_names == tuple(
            name for s in sections for name in names[SECTIONS[s]]
        ):
            found = layout
    if asked is not None:
        audio.feature_names(asked)  # an unknown name is refused by name
    if found is None:
        raise UsageError(
            f"The run's {config.n_features} columns are not a layout minigenre.audio "
            f"computes ({', '.join(audio.LAYOUTS)}); train it on `minigenre features "
            "--layout NAME` output."
        )
    if asked is not None and asked != found:
        raise UsageError(
            f"The run's {config.n_features} columns are the {found} layout, not "
            f"{asked}; leave out --layout, or train on `minigenre features --layout "
            f"{asked}` output."
        )
    missing = [s for s in sections if s not in audio.COMPUTED_SECTIONS[found]]
    if missing:
        raise UsageError(
            f"The run reads the {', '.join(missing)} section, which the {found} "
            "layout cannot compute from audio (the 2018 timbre block, docs/AUDIO.md);"
            " train it with "
            f"--sections {','.join(audio.COMPUTED_SECTIONS[found])}."
        )
    return found
