"""Run directories: minigenre replaces only what it wrote, and never loses a run.

Each test reproduces one way a run or a user's files could be lost: a directory that
merely has a ``config.json``, files added inside a run, a directory named like an
output file, Ctrl-C between the two renames of a replacement, and an old run set
aside that should stay buried.
"""

import json
import os
import shutil
import signal
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import small_dataset

from minigenre.study import runs, workflow
from minigenre.study.config import DataSource
from minigenre.study.runs import (
    CONFIG,
    HISTORY,
    RUN_FILES,
    SCALER,
    WEIGHTS,
    check_run_dir,
    load_run,
    save_run,
)
from minigenre.study.staging import write_staged


@pytest.fixture(scope="module")
def tiny_source(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "t.csv"
    rows = [f"{i % 5},{i * i % 7},{'ab'[i % 2]}" for i in range(40)]
    path.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    return DataSource("csv", str(path), "label")


@pytest.fixture(scope="module")
def two_runs(tiny_source):
    """Two different runs of the same data (seeds 0 and 1)."""
    dataset = tiny_source.load()
    return [
        workflow.train_run(dataset, tiny_source, seed=seed, epochs=1, verbose=0)
        for seed in (0, 1)
    ]


def snapshot(directory: Path) -> dict[str, bytes | None]:
    """Every path under ``directory`` with its bytes (None for a directory)."""
    return {
        str(p.relative_to(directory)): None if p.is_dir() else p.read_bytes()
        for p in sorted(directory.rglob("*"))
    }


def weights_of(run_dir: Path) -> list[np.ndarray]:
    return load_run(run_dir).model.get_weights()


def same_weights(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def hidden(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


# --- defect: --overwrite deleted what minigenre did not write ------------------------


def test_overwrite_refuses_a_directory_whose_config_json_is_not_a_runs(
    tmp_path, two_runs
):
    project = tmp_path / "proj"
    (project / "src").mkdir(parents=True)
    (project / CONFIG).write_text('{"name": "app"}')
    (project / "src" / "main.py").write_text("x\n")
    before = snapshot(project)
    with pytest.raises(ValueError, match=r"proj: not a minigenre run"):
        save_run(two_runs[0], project, overwrite=True)
    assert snapshot(project) == before
    assert hidden(tmp_path) == []


@pytest.mark.parametrize("added", ["notes.txt", "sub/labels.csv", ".hidden"])
def test_overwrite_refuses_a_run_holding_files_the_user_added(
    tmp_path, two_runs, added
):
    run_dir = tmp_path / "run"
    save_run(two_runs[0], run_dir)
    (run_dir / added).parent.mkdir(exist_ok=True)
    (run_dir / added).write_text("mine\n")
    before = snapshot(run_dir)
    first = added.split("/")[0]
    with pytest.raises(ValueError, match=rf"minigenre did not write \({first}\)"):
        save_run(two_runs[1], run_dir, overwrite=True)
    assert snapshot(run_dir) == before
    assert hidden(tmp_path) == []


def test_overwrite_refuses_a_directory_under_a_run_files_name(tmp_path, two_runs):
    run_dir = tmp_path / "run"
    save_run(two_runs[0], run_dir)
    (run_dir / "history.json").unlink()
    (run_dir / "history.json").mkdir()
    (run_dir / "history.json" / "kept").write_text("mine\n")
    with pytest.raises(ValueError, match=r"did not write \(history.json\)"):
        check_run_dir(run_dir, overwrite=True)
    assert (run_dir / "history.json" / "kept").read_text() == "mine\n"


def test_overwrite_replaces_a_run_minigenre_wrote(tmp_path, two_runs):
    run_dir = tmp_path / "run"
    save_run(two_runs[0], run_dir)
    save_run(two_runs[1], run_dir, overwrite=True)
    assert same_weights(weights_of(run_dir), two_runs[1].model.get_weights())
    assert sorted(os.listdir(run_dir)) == sorted(RUN_FILES)
    assert hidden(tmp_path) == []


def test_files_added_while_training_stop_the_replacement(tmp_path, two_runs):
    # check_run_dir passed before training; the swap checks again.
    run_dir = tmp_path / "run"
    save_run(two_runs[0], run_dir)
    assert check_run_dir(run_dir, overwrite=True)
    (run_dir / "late.txt").write_text("mine\n")
    with pytest.raises(ValueError, match=r"did not write \(late.txt\)"):
        save_run(two_runs[1], run_dir, overwrite=True)
    assert (run_dir / "late.txt").read_text() == "mine\n"
    assert same_weights(weights_of(run_dir), two_runs[0].model.get_weights())
    assert hidden(tmp_path) == []


def test_a_link_to_a_run_replaces_the_run_and_keeps_the_link(tmp_path, two_runs):
    real, link = tmp_path / "real", tmp_path / "link"
    save_run(two_runs[0], real)
    link.symlink_to(real, target_is_directory=True)
    save_run(two_runs[1], link, overwrite=True)
    assert link.is_symlink()
    assert same_weights(weights_of(real), two_runs[1].model.get_weights())
    assert hidden(tmp_path) == []


def test_write_staged_never_replaces_a_directory_named_like_an_output(tmp_path):
    out = tmp_path / "out"
    (out / "labels.csv").mkdir(parents=True)
    (out / "labels.csv" / "keep.txt").write_text("mine\n")
    (out / "probabilities.csv").write_text("old\n")

    def write(staging: Path) -> None:
        (staging / "probabilities.csv").write_text("new\n")
        (staging / "labels.csv").write_text("new\n")

    with pytest.raises(ValueError, match=r"labels.csv: exists and is not a file"):
        write_staged(out, write)
    assert (out / "labels.csv" / "keep.txt").read_text() == "mine\n"
    assert (out / "probabilities.csv").read_text() == "old\n"
    assert hidden(tmp_path) == []


# --- defect: Ctrl-C between the renames, and set-aside runs brought back -------------


def interrupt_at(line_number: int):
    """A tracer that sends SIGINT to this process at the n-th line run in runs.py.

    (Writing each file is atomic on its own, see the persistence suite; what is
    tried here is every step between files.)
    """
    seen = [0]

    def tracer(frame, event, arg):
        if not frame.f_code.co_filename.endswith(os.path.join("study", "runs.py")):
            return None
        if event == "line":
            seen[0] += 1
            if seen[0] == line_number:
                signal.raise_signal(signal.SIGINT)
        return tracer

    return tracer, seen


def test_ctrl_c_at_any_line_of_a_replacement_leaves_one_whole_run(
    tmp_path, two_runs, ctrl_c
):
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    save_run(two_runs[0], old_dir)
    save_run(two_runs[1], new_dir)
    old, new = snapshot(old_dir), snapshot(new_dir)
    work = tmp_path / "work"
    work.mkdir()
    run_dir = work / "run"
    shutil.copytree(old_dir, run_dir)
    tracer, seen = interrupt_at(0)  # counts the lines, interrupts nowhere
    sys.settrace(tracer)
    try:
        save_run(two_runs[1], run_dir, overwrite=True)
    finally:
        sys.settrace(None)
    outcomes = set()
    for n in range(1, seen[0] + 5):  # every line of a replacement, and past it
        shutil.rmtree(run_dir)
        shutil.copytree(old_dir, run_dir)
        tracer, _ = interrupt_at(n)
        sys.settrace(tracer)
        try:
            save_run(two_runs[1], run_dir, overwrite=True)
            interrupted, said = False, ""
        except KeyboardInterrupt as err:
            interrupted, said = True, str(err)
        finally:
            sys.settrace(None)
        after = snapshot(run_dir)  # always one whole run, nothing else left
        assert after in (old, new), n
        assert os.listdir(work) == ["run"], n
        # An interruption held through the swap says the new run was saved.
        if interrupted:
            assert said == (f"the run was saved to {run_dir}" if after == new else "")
        outcomes.add((interrupted, after == new))
    assert (True, False) in outcomes  # interrupted before the swap: old run
    assert (True, True) in outcomes  # during or after it: held, new run whole
    assert (False, True) in outcomes  # past the end: not interrupted
    assert same_weights(weights_of(run_dir), two_runs[1].model.get_weights())


def test_a_set_aside_run_is_not_brought_back_after_the_user_removed_the_run(
    tmp_path, two_runs
):
    # What a cleanup that failed leaves: a whole run under a hidden .old name.
    run_dir = tmp_path / "r1"
    save_run(two_runs[0], run_dir)
    shutil.copytree(run_dir, tmp_path / ".r1.0badf00d.old")
    shutil.rmtree(run_dir)
    with pytest.raises(ValueError, match=r"r1: no such run directory"):
        load_run(run_dir)
    assert not run_dir.exists()
    assert hidden(tmp_path) == [".r1.0badf00d.old"]


def test_a_previous_run_that_cannot_be_removed_is_named_in_a_warning(
    tmp_path, two_runs, monkeypatch
):
    run_dir = tmp_path / "run"
    save_run(two_runs[0], run_dir)
    real_rmdir = os.rmdir

    def rmdir(path, *args, **kwargs):
        if ".old" in str(path):
            raise PermissionError(13, "Permission denied", str(path))
        real_rmdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "rmdir", rmdir)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        save_run(two_runs[1], run_dir, overwrite=True)
    monkeypatch.undo()
    [left] = hidden(tmp_path)
    assert [str(w.message) for w in caught] == [
        f"{tmp_path / left}: could not remove the previous run (Permission denied); "
        "it is not needed, delete it by hand."
    ]
    assert same_weights(weights_of(run_dir), two_runs[1].model.get_weights())
    shutil.rmtree(run_dir)  # and it stays buried
    with pytest.raises(ValueError, match=r"no such run directory"):
        load_run(run_dir)


def test_a_second_concurrent_save_says_another_run_was_saved(
    tmp_path, two_runs, monkeypatch
):
    run_dir = tmp_path / "run"
    assert not check_run_dir(run_dir)  # both processes pass the check...
    save_run(two_runs[0], run_dir)  # ...one saves first, while the other trains
    monkeypatch.setattr(runs, "check_run_dir", lambda path, overwrite=False: False)
    with pytest.raises(ValueError, match=r"another process saved a run there"):
        save_run(two_runs[1], run_dir)
    assert same_weights(weights_of(run_dir), two_runs[0].model.get_weights())
    assert hidden(tmp_path) == []


# --- plain cases: a run saved whole, loaded back bit for bit -------------------------


@pytest.fixture(scope="module")
def study_run():
    return workflow.train_run(
        small_dataset(), DataSource(), seed=3, epochs=1, verbose=0
    )


def test_a_saved_run_loads_back_bit_for_bit(tmp_path, study_run):
    run_dir = save_run(study_run, tmp_path / "run")
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(
        [WEIGHTS, SCALER, CONFIG, HISTORY]
    )
    loaded = load_run(run_dir)
    assert loaded.config == study_run.config
    assert loaded.history == study_run.history
    for a, b in zip(
        loaded.model.get_weights(), study_run.model.get_weights(), strict=True
    ):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    for name in ("mean_", "var_", "scale_"):
        np.testing.assert_array_equal(
            getattr(loaded.scaler, name), getattr(study_run.scaler, name)
        )
    assert json.loads((run_dir / CONFIG).read_text()) == study_run.config.to_dict()


def test_write_staged_moves_everything_in_or_nothing(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "kept.txt").write_text("before")
    (target / "a.txt").write_text("old a")

    def write_two(staging):
        (staging / "a.txt").write_text("new a")
        (staging / "b.txt").write_text("new b")

    def write_then_fail(staging):
        write_two(staging)
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_staged(target, write_then_fail)
    assert {p.name: p.read_text() for p in target.iterdir()} == {
        "kept.txt": "before",
        "a.txt": "old a",
    }
    write_staged(target, write_two)
    assert {p.name: p.read_text() for p in target.iterdir()} == {
        "kept.txt": "before",
        "a.txt": "new a",
        "b.txt": "new b",
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging left
