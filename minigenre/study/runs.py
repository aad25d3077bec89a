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

minigenre deletes only what it wrote itself. A directory is a run it may replace
(``--overwrite``) only if its ``config.json`` declares ``"format": "minigenre-run"``
and it holds nothing but the four files above; anything else in it (a submission, a
note) makes `check_run_dir` refuse. Replacing takes two renames, with Ctrl-C held
off between them; a process killed (SIGKILL) between them leaves the previous run
aside as ``.RUN_DIR.TOKEN.old`` next to the new one's ``.RUN_DIR.TOKEN.partial``,
and only that pair is put back by the next `load_run`.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import stat
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minigenre import Sequential
from minigenre.saving.files import atomic_open, npz_headers
from minigenre.study.config import RUN_FORMAT, RunConfig
from minigenre.study.network import study_model
from minigenre.study.preprocessing import StandardScaler
from minigenre.study.staging import (
    InterruptedAfter,
    remove_created,
    sibling,
    signals_held,
)

WEIGHTS, SCALER, CONFIG, HISTORY = (
    "weights.npz", "scaler.npz", "config.json", "history.json"
)  # fmt: skip
RUN_FILES = (WEIGHTS, SCALER, CONFIG, HISTORY)  # all that a run directory holds


@dataclass
class Run:
    """A trained model with the scaler, configuration and history that go with it."""

    config: RunConfig
    model: Sequential
    scaler: StandardScaler
    history: dict[str, list[float]]
    directory: Path | None = None  # where load_run read it from, for messages


def _write_json(path: Path, data: Any) -> None:
    with atomic_open(path, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


def _read_json(path: Path) -> Any:
    if not path.is_file():
        what = "is not a file" if path.exists() else "file not found"
        raise ValueError(f"{path}: {what}; is this a minigenre run directory?")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:  # [[[... a hundred thousand deep
        raise ValueError(f"{path}: not valid JSON (nested too deeply).") from None
    except (UnicodeDecodeError, ValueError) as err:
        # JSONDecodeError, and int()'s limit of 4300 digits, are ValueErrors.
        raise ValueError(f"{path}: not valid JSON ({err}).") from None


def _owned_run(path: Path) -> bool:
    """True if ``path`` is a complete run that minigenre wrote, and nothing more."""
    try:
        names = set(os.listdir(path))
        config = _read_json(path / CONFIG)
    except (OSError, ValueError):
        return False
    return (
        names == set(RUN_FILES)
        and all(stat.S_ISREG(os.lstat(path / name).st_mode) for name in names)
        and isinstance(config, dict)
        and config.get("format") == RUN_FORMAT
    )


def _put_back(run_dir: Path) -> None:
    """Restores a run that a kill between `save_run`'s two renames left aside.

    Replacing a run renames it to ``.NAME.TOKEN.old``, then the new run from
    ``.NAME.TOKEN.partial`` into place. A process killed between the two leaves no
    ``run_dir`` and both siblings, with the same token: only then, and only if the
    set-aside run is whole, is it renamed back. A lone ``.old`` (a cleanup that
    failed) is never brought back: the user removed what stands in its place.
    """
    if os.path.lexists(run_dir) or not run_dir.parent.is_dir():
        return
    pattern = f".{glob.escape(run_dir.name)}.*.old"
    aside = [
        old
        for old in run_dir.parent.glob(pattern)
        if old.with_suffix(".partial").is_dir() and _owned_run(old)
    ]
    if aside:
        os.rename(max(aside, key=lambda p: p.stat().st_mtime_ns), run_dir)


def check_run_dir(run_dir: str | os.PathLike, overwrite: bool = False) -> bool:
    """Checks that `save_run` may write ``run_dir``; True if it replaces a run.

    A run may be replaced only if minigenre wrote it: its ``config.json`` says
    ``"format": "minigenre-run"`` and it holds no file but the four of a run.

    Raises:
        ValueError: If ``run_dir`` is a file, or a non-empty directory that is not
            a previous run or may not be replaced (``overwrite`` False), or lies
            in a directory this process cannot write.
    """
    run_dir = _real(Path(run_dir))
    if os.path.lexists(run_dir) and not run_dir.is_dir():
        raise ValueError(f"{run_dir}: exists and is not a directory.")
    replacing = run_dir.is_dir() and any(run_dir.iterdir())
    if replacing and not overwrite:
        raise ValueError(
            f"{run_dir}: directory exists and is not empty; choose a new RUN_DIR or "
            "pass --overwrite to replace a previous run."
        )
    if replacing:
        _check_own_run(run_dir)
    # The run is written beside run_dir, in the nearest directory that exists: an
    # unwritable one is better found now than after training.
    existing = run_dir.absolute().parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{run_dir}: cannot write in {existing}.")
    return replacing


def _real(run_dir: Path) -> Path:
    """A link to a directory stands for that directory: replace it, not the link."""
    return Path(os.path.realpath(run_dir)) if run_dir.is_symlink() else run_dir


def _check_own_run(run_dir: Path) -> None:
    try:
        config = _read_json(run_dir / CONFIG)
    except ValueError:
        config = None
    if not isinstance(config, dict) or config.get("format") != RUN_FORMAT:
        raise ValueError(
            f"{run_dir}: not a minigenre run (no {CONFIG} written by minigenre); "
            "refusing to replace it."
        )
    others = sorted(
        name
        for name in os.listdir(run_dir)
        if name not in RUN_FILES or not stat.S_ISREG(os.lstat(run_dir / name).st_mode)
    )
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise ValueError(
            f"{run_dir}: holds {len(others)} entries minigenre did not write "
            f"({shown}); --overwrite replaces only a run's own files: move them out "
            "or choose another RUN_DIR."
        )


def save_run(run: Run, run_dir: str | os.PathLike, overwrite: bool = False) -> Path:
    """Writes ``run`` as a new directory ``run_dir``, atomically as a whole.

    Args:
        run: The run to save.
        run_dir: Must not exist, or be empty, or (with ``overwrite``) hold a previous
            run and nothing else, which is then replaced. Missing parent directories
            are created.
        overwrite: Allow replacing a previous run directory (never any other one).

    Raises:
        ValueError: As `check_run_dir`, or if another process saved a run in
            ``run_dir`` meanwhile; nothing is written then.
    """
    run_dir = _real(Path(run_dir))
    replacing = check_run_dir(run_dir, overwrite)
    created = [p for p in run_dir.parents if not p.exists()]
    token = uuid.uuid4().hex[:8]
    staging = sibling(run_dir, "partial", token)
    try:
        run_dir.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        run.model.save_weights(staging / WEIGHTS)
        run.scaler.save(staging / SCALER)
        _write_json(staging / HISTORY, run.history)
        _write_json(staging / CONFIG, run.config.to_dict())  # last: marks a whole run
        # A Ctrl-C from here on waits for the run to be in place, then says so.
        with signals_held(done=f"the run was saved to {run_dir}"):
            if replacing:
                _swap_in(staging, run_dir, sibling(run_dir, "old", token))
            else:
                _move_in(staging, run_dir)
            return run_dir
    except InterruptedAfter:
        raise  # the run is saved: nothing to clean up
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        remove_created(created)  # no empty parents left behind either
        raise


def _move_in(staging: Path, run_dir: Path) -> None:
    try:
        if run_dir.is_dir():
            run_dir.rmdir()  # empty; os.rename onto a directory is not portable
        os.rename(staging, run_dir)
    except OSError as err:
        if not (run_dir.is_dir() and any(run_dir.iterdir())):
            raise
        raise ValueError(
            f"{run_dir}: another process saved a run there meanwhile; this one was "
            f"not saved ({err.strerror})."
        ) from None


def _swap_in(staging: Path, run_dir: Path, old: Path) -> None:
    """Replaces the run in ``run_dir`` by the one in ``staging``; deletes the old one.

    Between the two renames no run is at ``run_dir``, and after them the old run
    waits under a hidden name, so Ctrl-C waits until all is done (or undone).
    """
    with signals_held():
        _check_own_run(run_dir)  # again: files may have been added while training
        os.rename(run_dir, old)
        try:
            os.rename(staging, run_dir)
        except BaseException:
            os.rename(old, run_dir)  # put the previous run back
            raise
        _remove_run(old)


def _remove_run(old: Path) -> None:
    """Deletes the files minigenre wrote in ``old``, then ``old`` if it is empty."""
    try:
        for name in RUN_FILES:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(old / name)
        os.rmdir(old)
    except OSError as err:
        warnings.warn(
            f"{old}: could not remove the previous run ({err.strerror}); it is not "
            "needed, delete it by hand.",
            UserWarning,
            stacklevel=4,
        )


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
    # that size is built: a damaged config could otherwise ask for terabytes. Read
    # from the headers alone, before anything is decompressed: a small file of
    # zeros could otherwise claim gigabytes.
    kernel = npz_headers(run_dir / WEIGHTS).get("weight_0")
    shape = (config.n_features, config.units)
    if kernel is None or kernel[0] != shape:
        raise ValueError(
            f"{run_dir / WEIGHTS}: the first kernel has shape "
            f"{None if kernel is None else kernel[0]}, but {CONFIG} describes "
            f"{shape} (n_features, units)."
        )
    for key, (key_shape, _) in npz_headers(run_dir / SCALER).items():
        if key != "format_version" and key_shape != (config.n_features,):
            raise ValueError(
                f"{run_dir / SCALER}: {key!r} has shape {key_shape}, but {CONFIG} "
                f"describes {config.n_features} features."
            )
    model = study_model(
        config.seed, len(config.genre_names), config.units,
        learning_rate=config.learning_rate,
    )  # fmt: skip
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
        isinstance(values, list) and all(map(_is_float, values))
        for values in history.values()
    ):
        raise ValueError(
            f"{run_dir / HISTORY}: expected lists of numbers (float64) by name."
        )
    return Run(config, model, scaler, history, directory=run_dir)


def _is_float(value: Any) -> bool:
    """A JSON number that is a float64: an int of 400 digits is not."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        float(value)
    except OverflowError:
        return False
    return True
