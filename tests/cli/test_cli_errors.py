"""Bad usage and bad input: exit 2, one line on stderr, nothing half-written."""

import json

import pytest
from cli_helpers import (
    RUN_FILES,
    assert_one_line_error,
    run_cli,
    staging_leftovers,
)
from matplotlib.figure import Figure

from minigenre.cli import main
from minigenre.study import kaggle, runs
from minigenre.study.tables import MAX_LINE


@pytest.fixture(scope="module")
def run_dir(kaggle_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "run"
    argv = ["train", "--data", kaggle_dir, "--epochs", "1", "--out", out]
    assert main([str(arg) for arg in argv]) == 0
    return out


@pytest.fixture(scope="module")
def narrow_run(tmp_path_factory):
    """A run on a 3-feature CSV, to meet 264-feature data."""
    directory = tmp_path_factory.mktemp("narrow")
    rows = [f"{i},{i % 3},{i * i % 7},{'ab'[i % 2]}" for i in range(40)]
    (directory / "t.csv").write_text("a,b,c,label\n" + "\n".join(rows) + "\n")
    out = directory / "run"
    argv = ["train", "--csv", directory / "t.csv", "--label-column", "label"]
    assert main([*map(str, argv), "--epochs", "1", "--out", str(out)]) == 0
    return out


USAGE_ERRORS = {
    "no command": ([], "required: COMMAND"),
    "unknown command": (["fit"], "invalid choice"),
    "train without --out": (["train"], "--out"),
    "zero epochs": (["train", "--epochs", "0", "--out", "r"], "integer >= 1"),
    "text epochs": (["train", "--epochs", "four", "--out", "r"], "'four'"),
    "bad model": (["train", "--model", "torch", "--out", "r"], "invalid choice"),
    "--data and --csv": (
        ["train", "--data", "d", "--csv", "f", "--out", "r"],
        "not allowed with",
    ),
    "csv without label": (["train", "--csv", "f.csv", "--out", "r"], "--label-column"),
    "label without csv": (["train", "--label-column", "g", "--out", "r"], "--csv"),
    "threshold 1": (["predict", "r", "--threshold", "1", "--out", "o"], "[0, 1)"),
    "threshold nan": (["predict", "r", "--threshold", "nan", "--out", "o"], "nan"),
    "score no file": (["score"], "SUBMISSION_CSV"),
}


@pytest.mark.parametrize("case", USAGE_ERRORS, ids=list(USAGE_ERRORS))
def test_usage_errors(capsys, tmp_path, monkeypatch, case):
    monkeypatch.chdir(tmp_path)
    argv, fragment = USAGE_ERRORS[case]
    code, out, err = run_cli(capsys, *argv)
    assert_one_line_error(code, err, fragment)
    assert out == ""
    assert list(tmp_path.iterdir()) == []


def test_bad_kaggle_files_write_no_run(capsys, tmp_path, kaggle_dir):
    bad = tmp_path / "bad"
    bad.mkdir()
    for path in kaggle_dir.iterdir():
        (bad / path.name).write_text(path.read_text())
    (bad / "train_labels.csv").write_text("11\n" * 300)
    code, _, err = run_cli(capsys, "train", "--data", bad, "--out", tmp_path / "run")
    assert_one_line_error(code, err, "train_labels.csv, line 1", "outside 1..10")
    assert not (tmp_path / "run").exists()


def test_missing_and_broken_runs(capsys, tmp_path, run_dir):
    code, _, err = run_cli(capsys, "evaluate", tmp_path / "nothing")
    assert_one_line_error(code, err, "no such run directory")
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in RUN_FILES:
        (broken / name).write_bytes((run_dir / name).read_bytes())
    (broken / "config.json").write_text('{"format": "minigenre-run"')
    code, _, err = run_cli(capsys, "plot", broken, "--out", tmp_path / "figs")
    assert_one_line_error(code, err, "config.json: not valid JSON")
    assert not (tmp_path / "figs").exists()
    config = json.loads((run_dir / "config.json").read_text())
    (broken / "config.json").write_text(json.dumps({**config, "n_features": 12}))
    code, _, err = run_cli(capsys, "evaluate", broken)
    assert_one_line_error(code, err, "weights.npz", "shape")


def test_feature_width_must_match_the_run(capsys, tmp_path, narrow_run, kaggle_dir):
    code, _, err = run_cli(
        capsys, "predict", narrow_run, "--data", kaggle_dir, "--out", tmp_path / "o"
    )
    assert_one_line_error(code, err, "trained on 3 features", "has 264")
    assert not (tmp_path / "o").exists()


def test_score_needs_hidden_labels_and_a_valid_file(capsys, tmp_path, kaggle_dir):
    labels = tmp_path / "labels.csv"
    kaggle.write_label_submission(labels, [0] * 6544)
    code, _, err = run_cli(capsys, "score", labels, "--data", kaggle_dir)
    assert_one_line_error(code, err, "no hidden test labels")
    kaggle.write_label_submission(labels, [0] * 10)
    code, _, err = run_cli(capsys, "score", labels)
    assert_one_line_error(code, err, "10 rows", "6544")
    labels.write_text("# Sample_id,Sample_label\n1,1\n")  # the study's np.savetxt
    code, _, err = run_cli(capsys, "score", labels)
    assert_one_line_error(code, err, "comments=''")


def test_score_refuses_a_file_of_nul_bytes_at_its_first_line(capsys, tmp_path):
    nul = tmp_path / "nul.csv"
    with open(nul, "wb") as f:
        f.truncate(MAX_LINE + 1)  # a sparse file: one line of NUL bytes
    code, _, err = run_cli(capsys, "score", nul)
    assert_one_line_error(code, err, f"{nul}, line 1: longer than {MAX_LINE}")
    assert len(err) < 300, len(err)  # not the line itself


def test_verbose_shows_the_traceback(capsys, tmp_path):
    code, _, err = run_cli(capsys, "--verbose", "evaluate", tmp_path / "none")
    assert code == 2
    assert "Traceback" in err
    code, _, err = run_cli(capsys, "evaluate", tmp_path / "none", "--verbose")
    assert "Traceback" in err


def test_train_refuses_a_directory_that_is_not_a_run(capsys, tmp_path, kaggle_dir):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me")
    argv = ["train", "--data", kaggle_dir, "--out", tmp_path / "notes"]
    code, _, err = run_cli(capsys, *argv)
    assert_one_line_error(code, err, "not empty", "--overwrite")
    code, _, err = run_cli(capsys, *argv, "--overwrite")
    assert_one_line_error(code, err, "not a minigenre run")
    assert [p.name for p in (tmp_path / "notes").iterdir()] == ["todo.txt"]


def test_a_failed_save_leaves_no_run(capsys, tmp_path, monkeypatch, kaggle_dir):
    def fail(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(runs, "_write_json", fail)  # after the two .npz files
    out = tmp_path / "run"
    code, _, err = run_cli(capsys, "train", "--data", kaggle_dir, "--out", out)
    assert_one_line_error(code, err, "No space left")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_overwrite_keeps_the_previous_run(
    capsys, tmp_path, monkeypatch, kaggle_dir
):
    out = tmp_path / "run"
    argv = ["train", "--data", kaggle_dir, "--epochs", "1", "--out", out]
    assert run_cli(capsys, *argv)[0] == 0
    before = {name: (out / name).read_bytes() for name in RUN_FILES}
    monkeypatch.setattr(runs.StandardScaler, "save", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):  # not an input error: it propagates
        main([*map(str, argv), "--seed", "1", "--overwrite"])
    assert {name: (out / name).read_bytes() for name in RUN_FILES} == before
    assert staging_leftovers(tmp_path) == []


def test_a_failed_plot_or_predict_changes_nothing(
    capsys, tmp_path, monkeypatch, run_dir
):
    figs = tmp_path / "figs"
    saved = []

    def savefig_then_fail(self, path, **kwargs):
        saved.append(path)
        if len(saved) == 3:
            raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", savefig_then_fail)
    code, _, err = run_cli(capsys, "plot", run_dir, "--out", figs)
    assert_one_line_error(code, err, "disk full")
    assert list(tmp_path.iterdir()) == []
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "labels.csv").write_text("old")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(kaggle, "write_proba_submission", fail)
    code, _, err = run_cli(capsys, "predict", run_dir, "--out", sub)
    assert_one_line_error(code, err, "disk full")
    assert [p.name for p in sub.iterdir()] == ["labels.csv"]
    assert (sub / "labels.csv").read_text() == "old"
    assert staging_leftovers(tmp_path) == []
