"""Bad input found where it is, said in one line that names the file and the value.

Reproductions of reported defects: a traceback instead of a message, a message that
blames the wrong thing, or labels read as more classes than the file holds.
"""

import json
import os
import warnings

import numpy as np
import pytest

from minigenre.study import workflow
from minigenre.study.config import DataSource
from minigenre.study.data import load_csv, load_kaggle
from minigenre.study.kaggle import read_submission
from minigenre.study.network import study_model
from minigenre.study.preprocessing import StandardScaler
from minigenre.study.runs import CONFIG, HISTORY, load_run, save_run


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("run")
    path = directory / "t.csv"
    rows = [f"{i % 5},{i * i % 7},{'ab'[i % 2]}" for i in range(40)]
    path.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    source = DataSource("csv", str(path), "label")
    run = workflow.train_run(source.load(), source, epochs=1, verbose=0)
    save_run(run, directory / "run")
    return directory / "run"


def copy_run(run_dir, tmp_path):
    target = tmp_path / "run"
    target.mkdir()
    for path in run_dir.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


# --- tracebacks instead of one-line errors --------------------------------------------


@pytest.mark.parametrize("name", [CONFIG, HISTORY])
def test_json_nested_a_hundred_thousand_deep_is_a_value_error(run_dir, tmp_path, name):
    run = copy_run(run_dir, tmp_path)
    (run / name).write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match=rf"{name}: not valid JSON \(nested too deep"):
        load_run(run)


def test_a_history_number_beyond_float64_is_refused_when_loading(run_dir, tmp_path):
    run = copy_run(run_dir, tmp_path)
    history = json.loads((run / HISTORY).read_text())
    history["loss"][0] = 10**400  # json writes it as 400 digits
    (run / HISTORY).write_text(json.dumps(history))
    with pytest.raises(ValueError, match=rf"{HISTORY}: expected lists of numbers"):
        load_run(run)


def test_json_integers_past_the_digit_limit_name_the_file(run_dir, tmp_path):
    run = copy_run(run_dir, tmp_path)
    config = (run / CONFIG).read_text().replace('"seed": 0', '"seed": ' + "9" * 5000)
    (run / CONFIG).write_text(config)
    with pytest.raises(ValueError, match=rf"{CONFIG}: not valid JSON \(Exceeds"):
        load_run(run)


def test_a_label_column_of_5000_digits_names_the_file(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,label\n1,x\n2,y\n")
    with pytest.raises(ValueError, match=r"t.csv: no label column '9999"):
        load_csv(path, "9" * 5000)


# --- labels: one class per value ----------------------------------------------------


def test_a_number_label_is_one_class_however_it_is_spelled(tmp_path):
    path = tmp_path / "t.csv"
    labels = ["3", "3.0", "03", "+3", "3e0", "10", "1_0", "10.00", "-2"]
    rows = [f"{i},{label}" for i, label in enumerate(labels)]
    path.write_text("a,genre\n" + "\n".join(rows) + "\n")
    dataset = load_csv(path, "genre")
    assert dataset.genre_names == ("-2", "3", "10", "1_0")
    assert dataset.y_train.tolist() == [1, 1, 1, 1, 1, 2, 3, 2, 0]


# --- messages that say what they found ----------------------------------------------


@pytest.mark.parametrize(
    ("first_line", "found"),
    [
        ("1.5;2.5;3.5", "separated by semicolons"),
        ("1.5\t2.5\t3.5", "separated by tabs"),
        ('"1.5","2.5","3.5"', "numbers in quotes"),
        ("a,b,c", "looks like a header row"),
    ],
)
def test_a_first_line_without_numbers_says_what_it_holds(
    kaggle_dir, tmp_path, first_line, found
):
    for name in ("train_data.csv", "train_labels.csv", "test_data.csv"):
        (tmp_path / name).write_bytes((kaggle_dir / name).read_bytes())
    (tmp_path / "train_data.csv").write_text(first_line + "\n")
    with pytest.raises(ValueError, match=rf"train_data.csv, line 1: .*{found}"):
        load_kaggle(tmp_path)


def test_a_text_label_in_the_labels_file_is_named(kaggle_dir, tmp_path):
    for name in ("train_data.csv", "train_labels.csv", "test_data.csv"):
        (tmp_path / name).write_bytes((kaggle_dir / name).read_bytes())
    labels = (tmp_path / "train_labels.csv").read_text().splitlines()
    (tmp_path / "train_labels.csv").write_text("\n".join(["Rock", *labels[1:]]))
    with pytest.raises(ValueError, match=r"line 1: 'Rock' is not a label from 1 to"):
        load_kaggle(tmp_path)


def test_a_directory_or_fifo_is_not_called_missing(tmp_path):
    (tmp_path / "d.npz").mkdir()
    with pytest.raises(ValueError, match=r"d.npz: is a directory, not a file"):
        StandardScaler.load(tmp_path / "d.npz")
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(ValueError, match=r"d.csv: is a directory, not a file"):
        load_csv(tmp_path / "d.csv", "y")
    with pytest.raises(ValueError, match=r"d.csv: is a directory, not a file"):
        read_submission(tmp_path / "d.csv")
    os.mkfifo(tmp_path / "f.npz")
    with pytest.raises(ValueError, match=r"f.npz: not a regular file"):
        StandardScaler.load(tmp_path / "f.npz")  # and does not hang


def test_an_unreadable_npz_says_permission_denied(tmp_path, monkeypatch):
    path = tmp_path / "s.npz"
    scaler = StandardScaler().fit(np.arange(6.0).reshape(3, 2))
    scaler.save(path)
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if p == path else real_access(p, mode)
    )  # as for a user without the read permission (root always has it)
    with pytest.raises(ValueError, match=r"s.npz: cannot read the file \(permission"):
        StandardScaler.load(path)


def test_the_stratify_error_names_the_file_and_the_class(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,genre\n1,x\n2,x\n3,y\n4,y\n5,z\n")
    source = DataSource("csv", str(path), "genre")
    with pytest.raises(ValueError, match=rf"{path} .*class 'z' has 1 row"):
        workflow.train_run(source.load(), source, epochs=1, verbose=0)


def test_a_damaged_scaler_is_named_at_use(run_dir, tmp_path):
    run = copy_run(run_dir, tmp_path)
    scaler = StandardScaler.load(run / "scaler.npz")
    scaler.scale_ = np.full_like(scaler.scale_, 1e-300)
    scaler.save(run / "scaler.npz")
    loaded = load_run(run)
    with pytest.raises(ValueError, match=r"run/scaler.npz: the data it standardizes"):
        workflow.evaluate_run(loaded, loaded.config.source.load())


def test_damaged_weights_are_named_at_use_not_as_nan_probabilities(run_dir, tmp_path):
    run = copy_run(run_dir, tmp_path)
    model = study_model(0, 2)
    model.build(2)
    model.load_weights(run / "weights.npz")
    weights = model.get_weights()
    weights[2] = np.full_like(weights[2], 3e38)
    model.set_weights(weights)
    model.save_weights(run / "weights.npz")
    loaded = load_run(run)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=r"run: its weights give non-finite"):
            workflow.evaluate_run(loaded, loaded.config.source.load())
    assert [str(w.message) for w in caught] == []  # no overflow warnings either


def test_an_error_about_a_wide_header_lists_ten_columns_and_the_count(tmp_path):
    path = tmp_path / "wide.csv"
    names = [f"feature_{i:03d}" for i in range(265)]
    path.write_text(",".join(names) + "\n" + ",".join("1" for _ in names) + "\n")
    with pytest.raises(ValueError, match=r"\(265 in all\)\]\.$") as caught:
        load_csv(path, label_column="genre")
    message = str(caught.value)
    assert "'feature_009', ..." in message
    assert "feature_010" not in message
    assert len(message) < 400
