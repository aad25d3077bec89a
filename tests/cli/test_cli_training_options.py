"""``train``'s model options, ``evaluate``'s report of them, and ``predict --csv`` on
rows without a label."""

import json

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run_cli

from minigenre.study import kaggle
from minigenre.study.runs import load_run
from minigenre.study.tables import MAX_LINE
from minigenre.training.weighting import balanced_class_weight

GENRES = ("Electronic_dance", "Folk_acoustic", "Hip_hop_rap")


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """A labelled CSV (3 long genre names, unbalanced) and unlabelled rows to predict
    with the same feature columns in another order."""
    directory = tmp_path_factory.mktemp("tables")
    rng = np.random.default_rng(0)
    counts = (60, 30, 15)
    lines = ["tempo,genre,energy,brightness"]
    for g, count in enumerate(counts):
        for _ in range(count):
            a, b, c = rng.normal(loc=g, size=3)
            lines.append(f"{a},{GENRES[g]},{b},{c}")
    (directory / "songs.csv").write_text("\n".join(lines) + "\n")
    new = ["brightness,tempo,energy"]
    new += [",".join(str(v) for v in rng.normal(size=3)) for _ in range(9)]
    (directory / "new.csv").write_text("\n".join(new) + "\n")
    return directory


@pytest.fixture(scope="module")
def run_dir(tables):
    from minigenre.cli import main

    out = tables / "run"
    argv = [
        "train", "--csv", tables / "songs.csv", "--label-column", "genre",
        "--epochs", "8", "--learning-rate", "0.02", "--units", "12",
        "--class-weight", "balanced", "--validation-split", "0.3",
        "--patience", "2", "--out", out,
    ]  # fmt: skip
    assert main([str(a) for a in argv]) == 0
    return out


def test_train_records_its_options_in_the_config(run_dir):
    config = json.loads((run_dir / "config.json").read_text())
    assert config["learning_rate"] == 0.02
    assert config["units"] == 12
    assert config["class_weight"] == "balanced"
    assert config["validation_split"] == 0.3
    assert config["patience"] == 2
    assert config["feature_names"] == ["tempo", "energy", "brightness"]
    run = load_run(run_dir)
    assert run.model.layers[0].units == 12
    assert run.model.optimizer.learning_rate == 0.02


def test_evaluate_shows_the_options_and_full_genre_names(capsys, run_dir):
    code, out, err = run_cli(capsys, "evaluate", run_dir)
    assert code == 0, err
    assert (
        "Trained with 12 hidden units, learning rate 0.02, class weights balanced, "
        "validation split 0.3, early stopping with patience 2" in out
    )
    matrix = out[out.index("Confusion matrix") :]
    header = matrix.splitlines()[1]
    assert header.split()[-3:] == list(GENRES)  # not cut to 6 characters


def test_evaluate_json_has_the_training_settings(capsys, run_dir):
    code, out, _ = run_cli(capsys, "evaluate", run_dir, "--json")
    assert code == 0
    training = json.loads(out)["training"]
    assert training["learning_rate"] == 0.02
    assert training["class_weight"] == "balanced"
    assert training["patience"] == 2
    assert training["validation_split"] == 0.3
    history = json.loads((run_dir / "history.json").read_text())
    assert training["epochs_run"] == len(history["loss"])


def test_balanced_weights_follow_the_rule():
    y = np.array([0] * 60 + [1] * 30 + [2] * 15)
    weights = balanced_class_weight(y)
    assert weights == pytest.approx({0: 105 / 180, 1: 105 / 90, 2: 105 / 45})


def test_predict_csv_without_label_writes_both_submission_files(
    capsys, tmp_path, tables, run_dir
):
    out_dir = tmp_path / "submission"
    code, _, err = run_cli(
        capsys, "predict", run_dir, "--csv", tables / "new.csv", "--out", out_dir
    )
    assert code == 0, err
    labels = kaggle.read_submission(out_dir / "labels.csv", n_classes=3)
    proba = kaggle.read_submission(out_dir / "probabilities.csv", n_classes=3)
    assert len(labels.labels) == len(proba.proba) == 9
    # The columns are matched by name: the same rows in training order predict the
    # same probabilities.
    run = load_run(run_dir)
    rows = np.loadtxt(tables / "new.csv", delimiter=",", skiprows=1)
    expected = run.model.predict(run.scaler.transform(rows[:, [1, 2, 0]]))
    np.testing.assert_allclose(proba.proba, expected, atol=1e-6)


def test_predict_csv_with_the_label_column_is_a_clear_error(
    capsys, tmp_path, tables, run_dir
):
    code, _, err = run_cli(
        capsys, "predict", run_dir, "--csv", tables / "songs.csv",
        "--out", tmp_path / "out",
    )  # fmt: skip
    assert_one_line_error(code, err, "songs.csv", "not trained on ['genre']")
    assert not (tmp_path / "out").exists()


def test_predict_csv_with_a_missing_column_is_a_clear_error(capsys, tmp_path, run_dir):
    (tmp_path / "short.csv").write_text("tempo,energy\n1,2\n")
    code, _, err = run_cli(
        capsys, "predict", run_dir, "--csv", tmp_path / "short.csv",
        "--out", tmp_path / "out",
    )  # fmt: skip
    assert_one_line_error(code, err, "short.csv", "missing ['brightness']")


def test_predict_csv_of_nul_bytes_is_refused_at_its_first_line(
    capsys, tmp_path, run_dir
):
    nul = tmp_path / "nul.csv"
    with open(nul, "wb") as f:
        f.truncate(MAX_LINE + 1)  # a sparse file: one line of NUL bytes
    code, _, err = run_cli(
        capsys, "predict", run_dir, "--csv", nul, "--out", tmp_path / "out"
    )
    assert_one_line_error(code, err, f"{nul}, line 1: longer than {MAX_LINE}")
    assert not (tmp_path / "out").exists()


def test_predict_csv_needs_a_run_trained_on_named_columns(
    capsys, tmp_path, tables, kaggle_dir
):
    run = tmp_path / "kaggle_run"
    code, _, err = run_cli(
        capsys, "train", "--data", kaggle_dir, "--epochs", "1", "--out", run
    )
    assert code == 0, err
    code, _, err = run_cli(
        capsys, "predict", run, "--csv", tables / "new.csv", "--out", tmp_path / "o"
    )
    assert_one_line_error(code, err, "need a run trained with --csv")


@pytest.mark.parametrize(
    ("option", "value", "rule"),
    [
        ("--learning-rate", "0", "a finite number > 0"),
        ("--learning-rate", "inf", "a finite number > 0"),
        ("--units", "0", "an integer >= 1"),
        ("--validation-split", "1", "a number in (0, 1)"),
        ("--patience", "-1", "an integer >= 0"),
        ("--class-weight", "inverse", "invalid choice"),
    ],
)
def test_bad_training_options_are_usage_errors(capsys, tmp_path, option, value, rule):
    code, _, err = run_cli(capsys, "train", option, value, "--out", tmp_path / "r")
    assert code == 2
    assert rule in err
    assert not (tmp_path / "r").exists()


def test_train_on_chosen_sections_is_recorded_and_replayed(capsys, tmp_path):
    run = tmp_path / "run"
    code, _, err = run_cli(
        capsys, "train", "--sections", "rhythm,chroma", "--epochs", "1", "--out", run
    )
    assert code == 0, err
    config = json.loads((run / "config.json").read_text())
    assert config["sections"] == ["rhythm", "chroma"]
    assert config["n_features"] == 216
    saved = load_run(run)
    assert saved.config.sections == ("rhythm", "chroma")
    assert saved.scaler.n_features_in_ == 216
    code, out, err = run_cli(capsys, "evaluate", run, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["training"]["sections"] == ["rhythm", "chroma"]
    assert summary["accuracy"] == pytest.approx(
        saved.history["val_accuracy"][-1], abs=1e-6
    )
    code, _, err = run_cli(capsys, "predict", run, "--out", tmp_path / "sub")
    assert code == 0, err
    assert len(kaggle.read_submission(tmp_path / "sub" / "labels.csv")) == 6544


def test_sections_need_the_studys_264_columns(capsys, tmp_path, tables):
    code, _, err = run_cli(
        capsys, "train", "--csv", tables / "songs.csv", "--label-column", "genre",
        "--sections", "rhythm", "--out", tmp_path / "run",
    )  # fmt: skip
    assert_one_line_error(code, err, "the data has 3", "sections=['rhythm']")
