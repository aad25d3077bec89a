"""A training run saved as a directory, written whole or not at all.

``minigenre train --out RUN_DIR`` leaves four files, all that ``evaluate``,
``predict`` and ``plot`` need (and none of them needs TensorFlow, even for a run
trained with Keras)::

    RUN_DIR/
        weights.npz    Sequential.save_weights: the study's two Dense layers
        scaler.npz     StandardScaler.save: statistics of the training rows only
        config.json    RunConfig: data source, seed, epochs, batch size, model, ...
        history.json   per-epoch loss, accuracy, val_loss and val_accuracy

The files are written into a hidden sibling directory, which is renamed to RUN_DIR
only once all four are complete, so an interrupted run leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minigenre._io import atomic_open
from minigenre.layers import Dense
from minigenre.model import Sequential
from minigenre.optimizers import Adam
from minigenre.preprocessing import StandardScaler
from minigenre.run_config import RunConfig

WEIGHTS, SCALER, CONFIG, HISTORY = (
    "weights.npz", "scaler.npz", "config.json", "history.json"
)  # fmt: skip


def study_model(seed: int | None, n_classes: int = 10, units: int = 128) -> Sequential:
    """The study's network, ``Dense(units, elu) -> Dense(n_classes, softmax)``.

    Compiled as the study compiled it: Adam with Keras's defaults, sparse categorical
    cross-entropy and accuracy.
    """
    model = Sequential(
        [Dense(units, activation="elu"), Dense(n_classes, activation="softmax")],
        seed=seed,
    )
    model.compile(Adam(), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@dataclass
class Run:
    """A trained model with the scaler, configuration and history that go with it."""

    config: RunConfig
    model: Sequential
    scaler: StandardScaler
    history: dict[str, list[float]]


def _write_json(path: Path, data: Any) -> None:
    with atomic_open(path, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise ValueError(f"{path}: file not found; is this a minigenre run directory?")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: not valid JSON ({err}).") from None


def _sibling(path: Path, suffix: str) -> Path:
    return path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.{suffix}"


def write_staged(directory: str | os.PathLike, write: Callable[[Path], None]) -> None:
    """Calls ``write(staging)``, then moves every file it wrote into ``directory``.

    ``directory`` and its parents are created if missing; files already there with
    other names are kept. If ``write`` fails, ``directory`` is left untouched.
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"{directory}: exists and is not a directory.")
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(directory, "partial")
    staging.mkdir()
    try:
        write(staging)
        directory.mkdir(exist_ok=True)
        for item in sorted(staging.iterdir()):
            os.replace(item, directory / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def check_run_dir(run_dir: str | os.PathLike, overwrite: bool = False) -> bool:
    """Checks that `save_run` may write ``run_dir``; True if it replaces a run.

    Raises:
        ValueError: If ``run_dir`` is a file, or a non-empty directory that is not
            a previous run or may not be replaced (``overwrite`` False).
    """
    run_dir = Path(run_dir)
    if run_dir.exists() and not run_dir.is_dir():
        raise ValueError(f"{run_dir}: exists and is not a directory.")
    replacing = run_dir.is_dir() and any(run_dir.iterdir())
    if replacing and not overwrite:
        raise ValueError(
            f"{run_dir}: directory exists and is not empty; choose a new RUN_DIR or "
            "pass --overwrite to replace a previous run."
        )
    if replacing and not (run_dir / CONFIG).is_file():
        raise ValueError(
            f"{run_dir}: not a minigenre run (no {CONFIG}); refusing to replace it."
        )
    return replacing


def save_run(run: Run, run_dir: str | os.PathLike, overwrite: bool = False) -> Path:
    """Writes ``run`` as a new directory ``run_dir``, atomically as a whole.

    Args:
        run: The run to save.
        run_dir: Must not exist, or be empty, or (with ``overwrite``) hold a previous
            run, which is then replaced. Missing parent directories are created.
        overwrite: Allow replacing a previous run directory (never any other one).

    Raises:
        ValueError: As `check_run_dir`; nothing is written then.
    """
    run_dir = Path(run_dir)
    replacing = check_run_dir(run_dir, overwrite)
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(run_dir, "partial")
    staging.mkdir()
    try:
        run.model.save_weights(staging / WEIGHTS)
        run.scaler.save(staging / SCALER)
        _write_json(staging / HISTORY, run.history)
        _write_json(staging / CONFIG, run.config.to_dict())  # last: marks a whole run
        if not replacing:
            if run_dir.is_dir():
                run_dir.rmdir()  # empty; os.rename onto a directory is not portable
            os.rename(staging, run_dir)
            return run_dir
        old = _sibling(run_dir, "old")
        os.rename(run_dir, old)
        try:
            os.rename(staging, run_dir)
        except OSError:
            os.rename(old, run_dir)  # put the previous run back
            raise
        shutil.rmtree(old, ignore_errors=True)
        return run_dir
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already on success


def load_run(run_dir: str | os.PathLike) -> Run:
    """Reads a run written by `save_run`, checking that its files agree.

    Raises:
        ValueError: If a file is missing or malformed, or the weights, scaler and
            configuration disagree on the number of features or classes.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ValueError(f"{run_dir}: no such run directory.")
    config = RunConfig.from_dict(_read_json(run_dir / CONFIG), str(run_dir / CONFIG))
    model = study_model(config.seed, len(config.genre_names), config.units)
    model.build(config.n_features)
    model.load_weights(run_dir / WEIGHTS)  # checks every shape against the config
    scaler = StandardScaler.load(run_dir / SCALER)
    if scaler.n_features_in_ != config.n_features:
        raise ValueError(
            f"{run_dir / SCALER}: {scaler.n_features_in_} features, but the run has "
            f"{config.n_features}."
        )
    history = _read_json(run_dir / HISTORY)
    if not isinstance(history, dict) or not all(
        isinstance(values, list) and all(isinstance(v, int | float) for v in values)
        for values in history.values()
    ):
        raise ValueError(f"{run_dir / HISTORY}: expected lists of numbers by name.")
    return Run(config, model, scaler, history)
