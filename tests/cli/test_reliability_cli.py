"""Every command against generated bad usage: exit 2, one line, nothing written.

Each case builds a command line with one fault (a missing or invalid argument, a
path that does not exist or is the wrong kind, an output directory that cannot be
written, a run meeting data of another width, a damaged run) and runs ``main`` in
this process. The promise: exit status 2, one ``minigenre CMD: error: ...`` line
last on stderr that names the culprit, nothing on stdout, and not a single file
created, changed or removed anywhere.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run_cli, small_dataset
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure
from reliability import examples, record

from minigenre.cli import main
from minigenre.study import kaggle, runs
from minigenre.study.data import write_kaggle

SECTION = "Command line"


def snapshot(root: Path) -> dict[str, tuple | None]:
    """Every path under ``root``: a file's size and modification time, or None for a
    directory (whose time changes when an entry is moved out and back)."""
    found = {}
    for path in sorted(root.rglob("*")):
        stat = path.lstat()
        found[str(path.relative_to(root))] = (
            None if path.is_dir() else (stat.st_size, stat.st_mtime_ns)
        )
    return found


def make_unwritable(directory: Path) -> bool:
    """Makes ``directory`` unwritable: mode 0o555, or for root the immutable flag."""
    directory.chmod(0o555)
    probe = directory / ".probe"
    try:
        probe.touch()
    except PermissionError:
        return True
    probe.unlink()  # root ignores the mode bits
    done = subprocess.run(["chattr", "+i", str(directory)], capture_output=True)
    return done.returncode == 0 and not os.access(directory, os.W_OK)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """Data and runs of three widths, a file, a missing path and a read-only dir."""
    root = tmp_path_factory.mktemp("cli")
    kaggle_dir = root / "kaggle"
    kaggle_dir.mkdir()
    write_kaggle(small_dataset(), kaggle_dir)
    paths = {"root": root, "kaggle": kaggle_dir, "missing": root / "no" / "such"}
    for width in (3, 5):
        rows = [
            ",".join([*(str((i * (j + 3)) % 7) for j in range(width)), "ab"[i % 2]])
            for i in range(40)
        ]
        header = ",".join([*(f"f{j}" for j in range(width)), "label"])
        paths[f"csv{width}"] = root / f"w{width}.csv"
        paths[f"csv{width}"].write_text(header + "\n" + "\n".join(rows) + "\n")
    argv = ["train", "--data", kaggle_dir, "--epochs", "1", "--out", root / "run264"]
    assert main([str(a) for a in argv]) == 0
    argv = ["train", "--csv", paths["csv3"], "--label-column", "label", "--epochs"]
    assert main([*map(str, argv), "1", "--out", str(root / "run3")]) == 0
    paths.update(run264=root / "run264", run3=root / "run3")
    paths["file"] = root / "notes.txt"
    paths["file"].write_text("not a directory\n")
    paths["submission"] = root / "labels.csv"
    kaggle.write_label_submission(paths["submission"], [0] * 6544)
    # What is the user's, not minigenre's: a project with a config.json, a run
    # holding notes, and an output directory with directories named like outputs.
    paths["project"] = root / "project"
    (paths["project"] / "src").mkdir(parents=True)
    (paths["project"] / "config.json").write_text('{"name": "app"}\n')
    (paths["project"] / "src" / "main.py").write_text("print('hi')\n")
    paths["annotated"] = root / "annotated_run"
    shutil.copytree(paths["run3"], paths["annotated"])
    (paths["annotated"] / "notes.txt").write_text("mine\n")
    paths["outdir"] = root / "user_outputs"
    for name in ("labels.csv", "history.png"):
        (paths["outdir"] / name).mkdir(parents=True)
        (paths["outdir"] / name / "keep.txt").write_text("mine\n")
    paths["ro"] = root / "readonly"
    paths["ro"].mkdir()
    paths["ro_ok"] = make_unwritable(paths["ro"])
    yield paths
    subprocess.run(["chattr", "-i", str(paths["ro"])], capture_output=True)
    paths["ro"].chmod(0o755)


def out_path(env) -> str:
    return str(env["root"] / "out")  # never exists: every case must fail first


# --- the faults: each returns (argv, fragments the error line must contain) ----------


def missing_argument(draw, env):
    r = str(env["run264"])
    return draw(
        st.sampled_from(
            [
                ([], ["COMMAND"]),
                (["train"], ["--out"]),
                (["train", "--data", str(env["kaggle"])], ["--out"]),
                (["train", "--out"], ["--out", "expected one argument"]),
                (["evaluate"], ["RUN_DIR"]),
                (["evaluate", r, "--threshold"], ["--threshold"]),
                (["predict", r], ["--out"]),
                (["predict", "--out", out_path(env)], ["RUN_DIR"]),
                (["plot", r], ["--out"]),
                (["plot", r, "--out", out_path(env), "--dpi"], ["--dpi"]),
                (["score"], ["SUBMISSION_CSV"]),
                (["compare", "--epochs"], ["--epochs"]),
                (
                    ["train", "--csv", str(env["csv3"]), "--out", out_path(env)],
                    ["--label-column"],
                ),
            ]
        )
    )


def bad_int(min_value: int, max_value: int | None = None):
    below = st.integers(max_value=min_value - 1).map(str)
    above = [] if max_value is None else [st.integers(min_value=max_value + 1).map(str)]
    noise = st.one_of(
        st.floats(allow_nan=True)
        .filter(lambda v: v != int(v) if abs(v) < 1e300 else True)
        .map(str),
        st.text("abcxyz.,-+e ", min_size=1, max_size=6).filter(
            lambda t: not t.strip().lstrip("+-").isdigit()
        ),
        st.sampled_from(["", "1e3", "nan", "inf", "0x10", "2.0", "one"]),
    )
    return st.one_of(below, *above, noise)


def bad_threshold():
    return st.one_of(
        st.floats(allow_nan=True).filter(lambda p: not 0 <= p < 1).map(str),
        st.sampled_from(["", "1", "-0.1", "nan", "abc", "25%"]),
    )


def invalid_value(draw, env):
    r, out = str(env["run264"]), out_path(env)
    option, base, values = draw(
        st.sampled_from(
            [
                ("--epochs", ["train", "--out", out], bad_int(1)),
                ("--batch-size", ["train", "--out", out], bad_int(1)),
                ("--seed", ["train", "--out", out], bad_int(0)),
                (
                    "--model",
                    ["train", "--out", out],
                    st.sampled_from(["torch", "", "Numpy"]),
                ),
                ("--threshold", ["evaluate", r], bad_threshold()),
                ("--threshold", ["predict", r, "--out", out], bad_threshold()),
                ("--dpi", ["plot", r, "--out", out], bad_int(1, 1000)),
                ("--epochs", ["compare"], bad_int(1)),
                ("--batch-size", ["compare"], bad_int(1)),
                ("--seed", ["compare"], bad_int(0)),
            ]
        )
    )
    value = draw(values)
    return [*base, f"{option}={value}"], [option]


def nonexistent_path(draw, env):
    r, out, missing = str(env["run264"]), out_path(env), str(env["missing"])
    command = draw(st.sampled_from(["train", "evaluate", "predict", "plot", "score"]))
    where = draw(st.sampled_from(["--data", "--csv", "positional"]))
    tail = {"train": ["--out", out], "predict": ["--out", out], "plot": ["--out", out]}
    if where == "positional" and command == "train":
        where = "--data"
    if where == "positional":
        argv = [command, missing]
    else:
        first = [] if command == "train" else [r]
        if command == "score":
            first = [str(env["submission"])]
        argv = [command, *first, where, missing]
        if where == "--csv":
            argv += ["--label-column", "label"]
    return [*argv, *tail.get(command, [])], [missing]


def wrong_kind_of_path(draw, env):
    r, out = str(env["run264"]), out_path(env)
    file, directory = str(env["file"]), str(env["kaggle"])
    return draw(
        st.sampled_from(
            [
                (["train", "--data", file, "--out", out], ["notes.txt"]),
                (["train", "--out", file], ["notes.txt", "not a directory"]),
                (["train", "--out", f"{file}/run"], ["notes.txt"]),
                (["evaluate", file], ["notes.txt"]),
                (
                    ["evaluate", r, "--csv", directory, "--label-column", "g"],
                    ["kaggle"],
                ),
                (["predict", r, "--out", file], ["notes.txt"]),
                (["plot", r, "--out", file], ["notes.txt"]),
                (["score", directory], ["kaggle"]),
                (["score", file], ["notes.txt"]),
                (["evaluate", str(env["kaggle"])], ["config.json"]),
            ]
        )
    )


def unwritable_output(draw, env):
    if not env["ro_ok"]:
        pytest.skip("cannot make a directory unwritable here")
    r, ro = str(env["run264"]), env["ro"]
    return draw(
        st.sampled_from(
            [
                (
                    ["train", "--data", str(env["kaggle"]), "--out", str(ro / "run")],
                    ["readonly"],
                ),
                (["train", "--out", str(ro / "deeper" / "run")], ["readonly"]),
                (["predict", r, "--out", str(ro)], ["readonly"]),
                (["predict", r, "--out", str(ro / "sub")], ["readonly"]),
                (["plot", r, "--out", str(ro)], ["readonly"]),
                (["plot", r, "--out", str(ro / "figs")], ["readonly"]),
            ]
        )
    )


def other_width(draw, env):
    command = draw(st.sampled_from(["evaluate", "predict", "plot"]))
    run, data, widths = draw(
        st.sampled_from(
            [
                ("run3", ["--data", str(env["kaggle"])], ("3", "264")),
                (
                    "run3",
                    ["--csv", str(env["csv5"]), "--label-column", "label"],
                    ("3", "5"),
                ),
                (
                    "run264",
                    ["--csv", str(env["csv3"]), "--label-column", "label"],
                    ("264", "3"),
                ),
                (
                    "run264",
                    ["--csv", str(env["csv5"]), "--label-column", "label"],
                    ("264", "5"),
                ),
            ]
        )
    )
    tail = [] if command == "evaluate" else ["--out", out_path(env)]
    fragments = [f"trained on {widths[0]} features", f"has {widths[1]}"]
    return [command, str(env[run]), *data, *tail], fragments


def unknown_word(draw, env):
    word = draw(
        st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=10).filter(
            lambda w: (
                w not in ("train", "evaluate", "predict", "plot", "score", "compare")
                and not w.startswith("-")
            )
        )
    )
    if draw(st.booleans()):
        return [word], ["invalid choice"]
    return ["evaluate", str(env["run264"]), f"--{word}x"], ["unrecognized"]


def bad_label_column(draw, env):
    column = draw(st.text("abcdefgh0123", min_size=1, max_size=6)).strip()
    if column in ("label", "f0", "f1", "f2") or column.isdigit():
        column = "genre"
    command = draw(st.sampled_from(["train", "evaluate"]))
    head = (
        ["train", "--out", out_path(env)]
        if command == "train"
        else ["evaluate", str(env["run3"])]
    )
    return [*head, "--csv", str(env["csv3"]), "--label-column", column], ["w3.csv"]


def not_ours(draw, env):
    r, csv3 = str(env["run264"]), str(env["csv3"])
    retrain = ["train", "--csv", csv3, "--label-column", "label", "--epochs", "1"]
    return draw(
        st.sampled_from(
            [
                (
                    ["train", "--out", str(env["project"]), "--overwrite"],
                    ["project", "not a minigenre run"],
                ),
                (
                    [*retrain, "--out", str(env["annotated"]), "--overwrite"],
                    ["annotated_run", "notes.txt"],
                ),
                ([*retrain, "--out", str(env["annotated"])], ["not empty"]),
                (
                    ["predict", r, "--out", str(env["outdir"])],
                    ["labels.csv", "not a file"],
                ),
                (
                    ["plot", r, "--out", str(env["outdir"])],
                    ["history.png", "not a file"],
                ),
            ]
        )
    )


FAULTS = [
    ("Missing required argument", missing_argument),
    ("Invalid option value (text, negative, zero, float, NaN, huge)", invalid_value),
    ("Nonexistent path (--data, --csv, RUN_DIR, SUBMISSION)", nonexistent_path),
    ("File where a directory belongs, or the reverse", wrong_kind_of_path),
    ("Unwritable output directory", unwritable_output),
    ("RUN_DIR meeting data of another width", other_width),
    ("Unknown command or option", unknown_word),
    ("--label-column naming no column", bad_label_column),
    ("--out over what minigenre did not write (--overwrite too)", not_ours),
]


@pytest.mark.parametrize("fault", FAULTS, ids=[f[1].__name__ for f in FAULTS])
@examples(12, function_fixtures=True)
@given(data=st.data())
def test_bad_command_lines_exit_2_with_one_line_and_write_nothing(
    capsys, env, fault, data
):
    category, make = fault
    argv, fragments = make(data.draw, env)
    before = snapshot(env["root"])
    code, out, err = run_cli(capsys, *argv)
    assert_one_line_error(code, err, *fragments)
    assert out == ""
    assert snapshot(env["root"]) == before  # nothing created, changed or removed
    record(SECTION, category, "exit 2, one error line, no files written")


# --- a run directory that is damaged, seen from the command line ----------------------


DAMAGE = ["no config", "truncated weights", "pickled weights", "config of 12 features"]


@pytest.mark.parametrize("command", ["evaluate", "predict", "plot"])
@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_run_dir_exits_2_and_runs_no_code(capsys, env, command, damage):
    run_dir = env["root"] / "damaged"
    shutil.copytree(env["run264"], run_dir)
    marker = env["root"] / "pickle-ran"
    if damage == "no config":
        (run_dir / runs.CONFIG).unlink()
    elif damage == "truncated weights":
        data = (run_dir / runs.WEIGHTS).read_bytes()
        (run_dir / runs.WEIGHTS).write_bytes(data[: len(data) // 3])
    elif damage == "pickled weights":
        payload = type("P", (), {"__reduce__": lambda self: (os.mkdir, (str(marker),))})
        np.savez(
            run_dir / runs.WEIGHTS,
            format_version=np.array(1),
            weight_0=np.array([payload()], dtype=object),
        )
    else:
        config = json.loads((run_dir / runs.CONFIG).read_text())
        (run_dir / runs.CONFIG).write_text(json.dumps({**config, "n_features": 12}))
    try:
        before = snapshot(env["root"])
        tail = [] if command == "evaluate" else ["--out", out_path(env)]
        code, out, err = run_cli(capsys, command, run_dir, *tail)
        assert_one_line_error(code, err, str(run_dir))
        assert out == ""
        assert snapshot(env["root"]) == before
        assert not marker.exists()
    finally:
        shutil.rmtree(run_dir)
    record(
        SECTION, f"Damaged RUN_DIR ({damage})", "exit 2, one error line, no code run"
    )


# --- a failure while the output files are moved into place ---------------------------


@pytest.fixture(scope="module")
def outputs(env):
    """What predict and plot write for the 264-feature run, made once."""
    made = {}
    for command in ("predict", "plot"):
        made[command] = env["root"] / f"{command}-outputs"
        assert main([command, str(env["run264"]), "--out", str(made[command])]) == 0
    return made


@pytest.mark.parametrize(("command", "n_files"), [("predict", 2), ("plot", 6)])
@examples(6, function_fixtures=True)
@given(data=st.data(), previous=st.booleans())
def test_a_failure_while_moving_outputs_leaves_all_old_or_all_new(
    capsys, env, outputs, monkeypatch, command, n_files, data, previous
):
    at = data.draw(st.integers(1, n_files), label="failing move")
    out = env["root"] / "outputs"
    if previous:  # an earlier command's files, to be replaced together or not at all
        shutil.copytree(outputs[command], out)
        for path in out.iterdir():  # so that new files would differ
            path.write_bytes(b"old " + path.name.encode())
    before = snapshot(env["root"])
    moves = {"n": 0}
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst).parent == out:
            moves["n"] += 1
            if moves["n"] == at:
                raise OSError(28, "No space left on device")
        real_replace(src, dst)

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", replace)
        # The moves are under test, not the drawing: a stand-in PNG is as good.
        patch.setattr(
            Figure, "savefig", lambda self, path, **kw: path.write_bytes(b"PNG")
        )
        code, _, err = run_cli(capsys, command, env["run264"], "--out", out)
    plt.close("all")
    try:
        assert_one_line_error(code, err, "No space left")
        assert snapshot(env["root"]) == before
    finally:
        shutil.rmtree(out, ignore_errors=True)
    outcome = "exit 2; previous outputs intact" if previous else "exit 2; no outputs"
    record(SECTION, f"Failure moving the {command} outputs into place", outcome)
