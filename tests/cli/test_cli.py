"""Every ``minigenre`` command end to end, in process, in temporary directories.

One small run (300 songs written as Kaggle files, two epochs) is trained once per
module and shared; the embedded dataset is used where only it will do (``score``).
Failures and half-written output are in test_cli_errors.py.
"""

import json
import struct

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from cli_helpers import RUN_FILES, run_cli, small_dataset, staging_leftovers

from minigenre.cli import main
from minigenre.study import kaggle, metrics, workflow
from minigenre.study.config import DataSource
from minigenre.study.data import GENRES, load_kaggle
from minigenre.study.runs import load_run


@pytest.fixture(scope="module")
def run_dir(kaggle_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "small"
    argv = ["train", "--data", kaggle_dir, "--epochs", "2", "--seed", "3"]
    assert main([*map(str, argv), "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize(
    "command", ["train", "evaluate", "predict", "score", "plot", "compare"]
)
def test_every_command_has_help(capsys, command):
    code, out, _ = run_cli(capsys, command, "--help")
    assert code == 0
    assert out.startswith(f"usage: minigenre {command}")
    assert "--verbose" in out


def test_train_through_kaggle_files(capsys, tmp_path, kaggle_dir):
    out_dir = tmp_path / "runs" / "first"  # the parent is created too
    code, out, err = run_cli(
        capsys, "train", "--data", kaggle_dir, "--epochs", "2", "--out", out_dir
    )
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == RUN_FILES
    assert staging_leftovers(tmp_path) == []
    assert "Epoch 1/2" in err
    assert "Epoch 1/2" not in out
    assert f"Saved the run to {out_dir}" in out
    config = json.loads((out_dir / "config.json").read_text())
    assert config["source"] == {
        "kind": "kaggle", "path": str(kaggle_dir.resolve()), "label_column": None
    }  # fmt: skip
    assert (config["epochs"], config["batch_size"], config["seed"]) == (2, 32, 0)
    assert (config["model"], config["n_features"]) == ("numpy", 264)
    assert config["genre_names"] == list(GENRES)
    history = json.loads((out_dir / "history.json").read_text())
    assert sorted(history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(values) == 2 for values in history.values())
    # Through the files or straight from memory: bit-identical weights.
    direct = workflow.train_run(small_dataset(), DataSource(), epochs=2, verbose=0)
    saved = load_run(out_dir)
    for a, b in zip(saved.model.get_weights(), direct.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(saved.scaler.mean_, direct.scaler.mean_)
    assert saved.history == direct.history


def test_evaluate_reports_the_validation_split(capsys, run_dir, kaggle_dir):
    code, out, err = run_cli(capsys, "evaluate", run_dir)
    assert code == 0, err
    expected = workflow.evaluate_run(load_run(run_dir), load_kaggle(kaggle_dir))
    assert f"accuracy  {expected.accuracy:.4f}" in out
    assert f"log-loss  {expected.log_loss:.4f}" in out
    assert f"Kaggle log-loss  {expected.kaggle_log_loss:.4f}" in out
    assert "precision  recall  f1-score  support" in out
    for row in expected.report.rows:
        assert f"{row.name:>13}  {row.precision:>9.2f}" in out
    full_names = max(map(len, GENRES))  # headings not cut short
    assert (
        metrics.format_confusion_matrix(expected.confusion, GENRES, full_names) in out
    )
    history = load_run(run_dir).history
    assert expected.accuracy == pytest.approx(history["val_accuracy"][-1], abs=1e-6)
    code, out, _ = run_cli(capsys, "evaluate", run_dir, "--json")
    summary = json.loads(out)
    assert summary["accuracy"] == expected.accuracy
    assert summary["log_loss"] == expected.log_loss
    assert summary["kaggle_log_loss"] == expected.kaggle_log_loss
    assert summary["confusion_matrix"] == expected.confusion.tolist()
    assert [row["support"] for row in summary["per_genre"]] == [6] * 10


def test_predict_writes_the_two_kaggle_files(capsys, tmp_path, run_dir, kaggle_dir):
    code, out, err = run_cli(capsys, "predict", run_dir, "--out", tmp_path / "sub")
    assert code == 0, err
    labels_text = (tmp_path / "sub" / "labels.csv").read_text().splitlines()
    proba_text = (tmp_path / "sub" / "probabilities.csv").read_text().splitlines()
    assert labels_text[0] == "Sample_id,Sample_label"
    assert proba_text[0] == "Sample_id," + ",".join(f"Class_{k}" for k in range(1, 11))
    rows = np.array([line.split(",") for line in labels_text[1:]], dtype=int)
    np.testing.assert_array_equal(rows[:, 0], np.arange(1, 61))
    assert rows[:, 1].min() >= 1
    assert rows[:, 1].max() <= 10
    proba = np.array([line.split(",") for line in proba_text[1:]], dtype=float)
    np.testing.assert_array_equal(proba[:, 0], np.arange(1, 61))
    run = load_run(run_dir)
    expected = run.model.predict(run.scaler.transform(load_kaggle(kaggle_dir).x_test))
    np.testing.assert_array_equal(proba[:, 1:], expected)  # repr round-trips exactly
    rule = kaggle.confident_labels(proba[:, 1:], 0.25, fallback=0)
    np.testing.assert_array_equal(rows[:, 1], rule + 1)
    assert "labels.csv: 60 rows" in out
    assert "else Pop_Rock" in out


def test_predict_threshold_zero_is_the_plain_argmax(capsys, tmp_path, run_dir):
    code, out, _ = run_cli(
        capsys, "predict", run_dir, "--threshold", "0", "--out", tmp_path
    )
    assert code == 0
    labels = kaggle.read_submission(tmp_path / "labels.csv").labels
    proba = kaggle.read_submission(tmp_path / "probabilities.csv").proba
    np.testing.assert_array_equal(labels, proba.argmax(axis=1))
    assert "argmax of each row" in out


def test_train_predict_score_on_the_embedded_dataset(capsys, tmp_path):
    run, sub = tmp_path / "run", tmp_path / "sub"
    assert run_cli(capsys, "train", "--epochs", "1", "--out", run)[0] == 0
    assert json.loads((run / "config.json").read_text())["source"]["kind"] == (
        "embedded"
    )
    assert run_cli(capsys, "predict", run, "--out", sub)[0] == 0
    y_test = DataSource().load().y_test
    for name in ("labels.csv", "probabilities.csv"):
        code, out, err = run_cli(capsys, "score", sub / name)
        assert code == 0, err
        expected = kaggle.score_submission(kaggle.read_submission(sub / name), y_test)
        assert f"accuracy  {expected.accuracy:.4f}" in out
        assert f"for {len(y_test)} test rows" in out
        code, out, _ = run_cli(capsys, "score", sub / name, "--json")
        assert json.loads(out) == expected.__dict__
    assert expected.log_loss is not None
    out = run_cli(capsys, "score", sub / name)[1]
    assert f"log-loss  {expected.log_loss:.4f}" in out
    assert f"Kaggle log-loss  {expected.kaggle_log_loss:.4f}" in out


def test_the_study_model_on_the_leaderboard_scale(capsys, tmp_path):
    # The study's "test log-loss roughly 0.18" was the leaderboard's N x 10 binary
    # scale; the multi-class log-loss of the same model is about six times larger.
    run = tmp_path / "run"
    assert run_cli(capsys, "train", "--seed", "0", "--out", run)[0] == 0
    code, out, err = run_cli(capsys, "evaluate", run, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert 0.14 < result["kaggle_log_loss"] < 0.20
    assert 5 < result["log_loss"] / result["kaggle_log_loss"] < 8


def png_size(path):
    """(width, height) from the PNG's IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_plot_saves_the_figures_of_the_run(capsys, tmp_path, run_dir, kaggle_dir):
    code, out, err = run_cli(
        capsys, "plot", run_dir, "--out", tmp_path / "figs", "--dpi", "20"
    )
    assert code == 0, err
    names = [
        "raw_samples.png", "standardized_samples.png", "genre_distribution.png",
        "confusion_counts.png", "confusion_normalized.png", "history.png",
    ]  # fmt: skip
    assert out.split() == [str(tmp_path / "figs" / name) for name in names]
    assert png_size(tmp_path / "figs" / "history.png") == (11 * 20, 4 * 20)
    assert png_size(tmp_path / "figs" / "confusion_counts.png") == (8 * 20, 7 * 20)
    # What those files show: the run's own history, scaler and validation split.
    run, dataset = load_run(run_dir), load_kaggle(kaggle_dir)
    figures = workflow.make_figures(run, dataset)
    assert list(figures) == names
    loss_ax, acc_ax = figures["history.png"].axes
    np.testing.assert_array_equal(loss_ax.lines[0].get_ydata(), run.history["loss"])
    np.testing.assert_array_equal(
        acc_ax.lines[1].get_ydata(), run.history["val_accuracy"]
    )
    raw = figures["raw_samples.png"].axes
    assert len(raw) == 3 * 4  # samples 1-3: whole, rhythm, chroma, mfcc
    np.testing.assert_array_equal(raw[0].lines[0].get_ydata(), dataset.x_train[0])
    assert raw[4 + 3].get_title() == "Raw sample 2: mfcc"
    standardized = figures["standardized_samples.png"].axes
    np.testing.assert_allclose(
        standardized[8].lines[0].get_ydata(),
        run.scaler.transform(dataset.x_train[2:3])[0],
    )
    counts_ax = figures["genre_distribution.png"].axes[0]
    heights = [bar.get_height() for bar in counts_ax.patches]
    assert heights == [30] * 10
    matrix_ax = figures["confusion_counts.png"].axes[0]
    assert [t.get_text() for t in matrix_ax.get_xticklabels()] == list(GENRES)
    shown = np.array([float(t.get_text()) for t in matrix_ax.texts]).reshape(10, 10)
    np.testing.assert_array_equal(shown, workflow.evaluate_run(run, dataset).confusion)
    normalized_ax = figures["confusion_normalized.png"].axes[0]
    assert "row-normalized" in normalized_ax.get_title()
    assert [t.get_text() for t in normalized_ax.get_yticklabels()] == list(GENRES)


def test_generic_csv_with_string_labels_and_a_text_column(capsys, tmp_path):
    rng = np.random.default_rng(0)
    genres = np.array(["rock", "jazz", "blues"])[np.arange(60) % 3]
    x = rng.normal(size=(60, 4)) + (np.arange(60) % 3)[:, None]  # separable-ish
    lines = ["title,tempo,genre,energy,pitch,mood"]
    for i, (row, genre) in enumerate(zip(x, genres, strict=True)):
        lines.append(f"song {i},{row[0]},{genre},{row[1]},{row[2]},{row[3]}")
    csv = tmp_path / "songs.csv"
    csv.write_text("\n".join(lines) + "\n")
    run = tmp_path / "run"
    code, out, err = run_cli(
        capsys, "train", "--csv", csv, "--label-column", "genre",
        "--epochs", "1", "--batch-size", "8", "--out", run,
    )  # fmt: skip
    assert code == 0, err
    assert "warning:" in err
    assert "'title'" in err
    config = json.loads((run / "config.json").read_text())
    assert config["genre_names"] == ["blues", "jazz", "rock"]
    assert config["n_features"] == 4
    assert config["source"]["label_column"] == "genre"
    code, out, err = run_cli(capsys, "evaluate", run)
    assert code == 0, err
    assert "Validation rows: 12 of 60" in out
    assert "jazz" in out
    code, _, err = run_cli(capsys, "plot", run, "--out", tmp_path / "figs")
    assert code == 0, err
    assert len(list((tmp_path / "figs").iterdir())) == 6
    code, _, err = run_cli(capsys, "predict", run, "--out", tmp_path / "sub")
    assert code == 2
    assert "no test rows" in err
    assert not (tmp_path / "sub").exists()


def test_overwrite_replaces_a_previous_run(capsys, tmp_path, kaggle_dir):
    run = tmp_path / "run"
    argv = ["train", "--data", kaggle_dir, "--epochs", "1", "--out", run]
    assert run_cli(capsys, *argv)[0] == 0
    assert run_cli(capsys, *argv, "--seed", "5", "--overwrite")[0] == 0
    assert json.loads((run / "config.json").read_text())["seed"] == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_keras_model_trains_and_saves_in_numpy_format(capsys, tmp_path, kaggle_dir):
    pytest.importorskip("tensorflow")
    run = tmp_path / "run"
    code, _, err = run_cli(
        capsys, "train", "--data", kaggle_dir, "--model", "keras",
        "--epochs", "1", "--out", run,
    )  # fmt: skip
    assert code == 0, err
    saved = load_run(run)  # a NumPy Sequential; no TensorFlow needed from here on
    assert saved.config.model == "keras"
    result = workflow.evaluate_run(saved, load_kaggle(kaggle_dir))
    # Keras measured these on the same validation rows before the weights moved.
    assert result.accuracy == pytest.approx(saved.history["val_accuracy"][0], abs=1e-6)
    assert result.log_loss == pytest.approx(saved.history["val_loss"][0], abs=1e-4)
