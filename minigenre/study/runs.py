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
Replacing a run (``--overwrite``) takes two renames; a run killed between them is put
back by the next `load_run`.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minigenre import Sequential
from minigenre._io import atomic_open, load_npz
from minigenre.study.config import RunConfig
from minigenre.study.network import study_model
from minigenre.study.preprocessing import StandardScaler

WEIGHTS, SCALER, CONFIG, HISTORY = (
    "weights.npz", "scaler.npz", "config.json", "history.json"
)  # fmt: skip


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


def _remove_created(created: list[Path]) -> None:
    """Removes the directories a failed write created, innermost first, if empty."""
    for path in created:
        with contextlib.suppress(OSError):
            path.rmdir()


def write_staged(directory: str | os.PathLike, write: Callable[[Path], None]) -> None:
    """Calls ``write(staging)``, then moves every file it wrote into ``directory``.

    ``directory`` and its parents are created if missing; files already there with
    other names are kept. If anything fails, even while the files are moved in,
    ``directory`` is left as it was: files moved in are taken out again, the ones
    they replaced put back, and directories created for them removed.
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"{directory}: exists and is not a directory.")
    created = [p for p in (directory, *directory.parents) if not p.exists()]
    undo = []  # how to take back each move, in order
    staging = _sibling(directory, "partial")
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        write(staging)
        directory.mkdir(exist_ok=True)
        items = sorted(staging.iterdir())
        replaced = staging / ".replaced"  # the previous files, until all are in
        replaced.mkdir()
        for item in items:
            target = directory / item.name
            if target.exists():
                os.replace(target, replaced / item.name)
                undo.append(functools.partial(os.replace, replaced / item.name, target))
            os.replace(item, target)
            undo.append(functools.partial(os.unlink, target))
    except BaseException:
        for step in reversed(undo):
            with contextlib.suppress(OSError):
                step()
        shutil.rmtree(staging, ignore_errors=True)
        _remove_created(created)
        raise
    shutil.rmtree(staging, ignore_errors=True)


def _put_back(run_dir: Path) -> None:
    """Restores a run that a kill between `save_run`'s two renames left aside.

    Replacing a run renames it to a hidden ``.NAME.*.old`` sibling, then the new run
    into place. A process killed between the two leaves no ``run_dir``: the previous
    run, if all its files are there, is renamed back when the run is next loaded.
    """
    if run_dir.exists() or not run_dir.parent.is_dir():
        return
    aside = run_dir.parent.glob(f".{glob.escape(run_dir.name)}.*.old")
    files = (WEIGHTS, SCALER, CONFIG, HISTORY)
    complete = [p for p in aside if all((p / name).is_file() for name in files)]
    if complete:
        os.rename(max(complete, key=lambda p: p.stat().st_mtime_ns), run_dir)


def check_run_dir(run_dir: str | os.PathLike, overwrite: bool = False) -> bool:
    """Checks that `save_run` may write ``run_dir``; True if it replaces a run.

    Raises:
        ValueError: If ``run_dir`` is a file, or a non-empty directory that is not
            a previous run or may not be replaced (``overwrite`` False), or lies
            in a directory this process cannot write.
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
    # The run is written beside run_dir, in the nearest directory that exists: an
    # unwritable one is better found now than after training.
    existing = run_dir.absolute().parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{run_dir}: cannot write in {existing}.")
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
    created = [p for p in run_dir.parents if not p.exists()]
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
        except BaseException:  # KeyboardInterrupt too: never leave no run at all
            os.rename(old, run_dir)  # put the previous run back
            raise
        shutil.rmtree(old, ignore_errors=True)
        return run_dir
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_created(created)  # no empty parents left behind either
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already on success


def load_run(run_dir: str | os.PathLike) -> Run:
    """Reads a run written by `save_run`, checking that its files agree.

    Raises:
        ValueError: If a file is missing or malformed, or the weights, scaler and
            configuration disagree on the number of features or classes.
    """
    run_dir = Path(run_dir)
    _put_back(run_dir)
    if not run_dir.is_dir():
        raise ValueError(f"{run_dir}: no such run directory.")
    config = RunConfig.from_dict(_read_json(run_dir / CONFIG), str(run_dir / CONFIG))
    # The first kernel, (n_features, units), must match the config before a model of
    # that size is built: a damaged config could otherwise ask for terabytes.
    kernel = load_npz(run_dir / WEIGHTS).get("weight_0")
    shape = (config.n_features, config.units)
    if kernel is None or kernel.shape != shape:
        raise ValueError(
            f"{run_dir / WEIGHTS}: the first kernel has shape "
            f"{None if kernel is None else kernel.shape}, but {CONFIG} describes "
            f"{shape} (n_features, units)."
        )
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
