"""The commands that read audio: ``features`` and ``predict RUN --audio FILE``.

They need the ``audio`` extra (librosa, soundfile). ``minigenre.audio`` is imported
inside them only, so every other command starts without librosa and works without
the extra.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from minigenre.cli.commands import UsageError, describe_labels, log
from minigenre.study.runs import load_run
from minigenre.training.progress import ProgressBar


def _audio(what: str):
    """Imports ``minigenre.audio`` (and librosa), or says which extra it needs."""
    try:
        import minigenre.audio as audio
    except ImportError:
        raise UsageError(
            f'{what} needs librosa and soundfile: pip install "minigenre[audio]".'
        ) from None
    return audio


def cmd_features(args: argparse.Namespace) -> int:
    audio = _audio("features")
    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise UsageError(f"{out} exists; pass --overwrite to replace it.")
    if not out.parent.is_dir():  # fail before the songs, not after
        raise UsageError(f"Cannot write {out}: directory {out.parent} does not exist.")
    bar: list[ProgressBar] = []

    def progress(done: int, total: int) -> None:
        if not bar:
            bar.append(ProgressBar(total, stream=sys.stderr))
        bar[0].update(done, {}, final=done == total)

    result = audio.folder_features(args.directory, progress)
    audio.write_features_csv(result, out)
    for _, reason in result.skipped:
        log(args, f"skipped {reason}")
    genres = ""
    if result.genres is not None:
        counts = Counter(result.genres)
        genres = " in genres " + ", ".join(f"{g} ({counts[g]})" for g in sorted(counts))
    n_features = result.features.shape[1]
    print(f"{out}: {len(result.files)} songs{genres}, {n_features} features each")
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
    features = audio.extract_features(args.audio)  # (264,)
    if run.config.n_features != len(features):
        raise UsageError(
            f"The run was trained on {run.config.n_features} features; --audio gives "
            f"{len(features)} (train it on `minigenre features` output)."
        )
    if run.config.source.kind != "csv":
        log(
            args,
            f"warning: the run was trained on {run.config.source.describe()}, whose "
            "264 columns are not these features (docs/AUDIO.md); its answer means "
            "little.",
        )
    proba = run.model.predict(run.scaler.transform(features[None, :]))
    proba = proba.astype(np.float64)  # (1, n_classes)
    from minigenre.study import kaggle  # pandas: only when used

    label = kaggle.confident_labels(proba, args.threshold, run.config.majority_class)
    names = run.config.genre_names
    print(f"{args.audio}: {names[int(label[0])]}")
    print(f"  ({describe_labels(run, args.threshold)})")
    width = max(len(name) for name in names)
    for k in np.argsort(-proba[0], kind="stable"):
        print(f"  {names[k]:<{width}}  {proba[0, k]:.4f}")
    return 0
