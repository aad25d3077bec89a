"""The command line keeps what it did not write, and its last word is true.

Reproductions of reported defects, each run the way a user would meet it.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error, run_cli, staging_leftovers


def minigenre(*argv, env=None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "minigenre", *map(str, argv)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


def test_train_overwrite_keeps_a_project_that_has_a_config_json(capsys, tmp_path):
    project = tmp_path / "proj"
    (project / "src").mkdir(parents=True)
    (project / "config.json").write_text('{"name": "app"}\n')
    (project / "src" / "main.py").write_text("x\n")
    code, out, err = run_cli(capsys, "train", "--out", project, "--overwrite")
    assert_one_line_error(code, err, "not a minigenre run", str(project))
    assert out == ""
    assert (project / "src" / "main.py").read_text() == "x\n"
    assert sorted(os.listdir(tmp_path)) == ["proj"]


def test_predict_keeps_a_directory_named_like_its_output(capsys, tmp_path, kaggle_dir):
    run_dir = tmp_path / "run"
    argv = ["train", "--data", kaggle_dir, "--epochs", "1", "--out", run_dir]
    assert run_cli(capsys, *argv)[0] == 0
    out = tmp_path / "out"
    (out / "labels.csv").mkdir(parents=True)
    (out / "labels.csv" / "mine.txt").write_text("keep\n")
    code, stdout, err = run_cli(capsys, "predict", run_dir, "--out", out)
    assert_one_line_error(code, err, "labels.csv: exists and is not a file")
    assert stdout == ""
    assert (out / "labels.csv" / "mine.txt").read_text() == "keep\n"
    assert sorted(os.listdir(out)) == ["labels.csv"]
    assert staging_leftovers(tmp_path) == []


def _default_sigint() -> None:
    # A suite started in the background (``pytest &`` from a script) passes on an
    # ignored SIGINT, and Python keeps ignoring it: give the child Ctrl-C back.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_during_train_is_one_line_and_leaves_nothing(tmp_path):
    process = minigenre(
        "train", "--epochs", "100000", "--out", tmp_path / "run",
        preexec_fn=_default_sigint,
    )  # fmt: skip
    first = process.stderr.readline()  # "training the numpy model on ..."
    assert b"training" in first, first
    process.stderr.readline()  # and the first epoch has begun
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.decode().splitlines()[-1] == "minigenre train: interrupted"
    assert b"Traceback" not in err
    assert out == b""
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX byte paths")
def test_a_path_stdout_cannot_encode_does_not_turn_a_saved_run_into_an_error(
    tmp_path,
):
    out = os.fsdecode(b"run-\xff")  # not UTF-8: a surrogate escape in Python
    process = minigenre(
        "train", "--epochs", "1", "--out", out, cwd=tmp_path,
        env={"PYTHONIOENCODING": "utf-8:strict"},
    )  # fmt: skip
    stdout, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert stdout.decode().splitlines()[-1] == "Saved the run to run-\\udcff"
    assert (tmp_path / out / "config.json").is_file()


def test_a_newline_in_a_path_does_not_cut_the_message(capsys, tmp_path):
    path = tmp_path / "two\nlines.csv"
    code, out, err = run_cli(
        capsys, "train", "--csv", path, "--label-column", "y", "--out", tmp_path / "r"
    )
    assert_one_line_error(code, err, "two\\nlines.csv: file not found")
    assert out == ""


def test_a_disk_full_error_names_the_file(capsys, tmp_path, monkeypatch):
    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    code, out, err = run_cli(capsys, "train", "--epochs", "1", "--out", tmp_path / "r")
    assert_one_line_error(code, err, "No space left on device", str(tmp_path))
    assert out == ""
    assert "weights.npz" in err
    assert os.listdir(tmp_path) == []


def test_run_dir_removed_by_the_user_stays_removed(capsys, tmp_path):
    run_dir = tmp_path / "r1"
    assert run_cli(capsys, "train", "--epochs", "1", "--out", run_dir)[0] == 0
    # A previous run that could not be removed (another user's, say) lies aside.
    os.rename(run_dir, tmp_path / ".r1.0badf00d.old")
    code, out, err = run_cli(capsys, "evaluate", run_dir)
    assert_one_line_error(code, err, "no such run directory")
    assert out == ""
    assert not Path(run_dir).exists()


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("config.json", "[" * 100_000, "config.json: not valid JSON (nested too deep"),
        ("history.json", None, "history.json: expected lists of numbers"),
    ],
)
def test_damaged_json_in_a_run_is_one_line_for_plot(
    capsys, tmp_path, name, content, fragment
):
    run_dir = tmp_path / "r"
    assert run_cli(capsys, "train", "--epochs", "1", "--out", run_dir)[0] == 0
    if content is None:  # a loss of 400 digits: no float64 can hold it
        history = (run_dir / name).read_text()
        content = history.replace("[\n    ", "[\n    " + "9" * 400 + ",\n    ", 1)
    (run_dir / name).write_text(content)
    code, out, err = run_cli(capsys, "plot", run_dir, "--out", tmp_path / "figs")
    assert_one_line_error(code, err, fragment)
    assert out == ""
    assert not (tmp_path / "figs").exists()


def test_ctrl_c_during_the_swap_of_train_overwrite_says_the_run_was_saved(
    capsys, tmp_path, monkeypatch, ctrl_c
):
    out = tmp_path / "run"
    assert run_cli(capsys, "train", "--out", out, "--epochs", "1")[0] == 0
    before = (out / "weights.npz").read_bytes()
    real_rename = os.rename

    def rename(source, target):  # Ctrl-C while the new run takes the old's place
        real_rename(source, target)
        if Path(target) == out:
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(os, "rename", rename)
    code, _, err = run_cli(
        capsys, "train", "--out", out, "--overwrite", "--epochs", "1", "--seed", "1"
    )
    assert code == 130
    assert err.strip().splitlines()[-1] == (
        f"minigenre train: interrupted after the run was saved to {out}"
    )
    assert (out / "weights.npz").read_bytes() != before  # the new run, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
