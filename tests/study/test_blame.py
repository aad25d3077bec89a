"""Rows a run cannot score: the data, the scaler or the weights named as at fault,
with the data's file, row and column (minigenre/study/blame.py)."""

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run_cli

from minigenre.study import blame, workflow
from minigenre.study.config import DataSource
from minigenre.study.preprocessing import StandardScaler
from minigenre.study.runs import load_run, save_run

ROW = blame.name_rows("new.csv", ("a", "b"))


def scaler():
    return StandardScaler().fit(np.array([[0.0, 10.0], [2.0, 30.0]]))  # std 1, 10


def test_a_value_far_outside_the_training_data_blames_its_row_and_column():
    x = np.array([[1.0, 20.0], [1.0, 1e300]])
    with pytest.raises(ValueError, match=r"^new.csv, data row 2, column 'b': 1e\+300 "):
        blame.check_standardized(
            x, scaler().transform(x), scaler(), np.float32, "s", ROW
        )


def test_a_scale_that_makes_ordinary_values_overflow_blames_the_scaler():
    damaged = scaler()
    damaged.scale_ = np.array([1e-300, 10.0])
    x = np.array([[1.5, 20.0]])
    with pytest.raises(ValueError, match=r"^run/scaler.npz: the data it standard"):
        blame.check_standardized(
            x, damaged.transform(x), damaged, np.float32, "run/scaler.npz", ROW
        )


def test_values_float32_holds_pass():
    x = np.array([[1e30, 20.0]])  # standardized 1e30: within float32
    scaled = scaler().transform(x)
    blame.check_standardized(x, scaled, scaler(), np.float32, "s", ROW)


def test_non_finite_outputs_blame_a_far_row_else_the_weights():
    proba = np.array([[0.5, 0.5], [np.nan, np.nan]])
    far = np.array([[0.0, 1.0], [3e37, 0.0]])
    with pytest.raises(ValueError, match=r"^new.csv, data row 2, column 'a': 3e\+37 "):
        blame.check_outputs(proba, far, "run", ROW)
    near = np.array([[0.0, 1.0], [3.0, 0.0]])
    with pytest.raises(ValueError, match=r"^run: its weights give non-finite .*row 2"):
        blame.check_outputs(proba, near, "run", ROW)


def test_a_validation_row_is_named_by_the_training_row_it_came_from():
    x_train = np.arange(12.0).reshape(6, 2)
    name = blame.validation_rows(x_train, x_train[[4, 1]], ROW)
    assert name(0) == "new.csv, data row 5"
    assert name(1, 0) == "new.csv, data row 2, column 'a'"
    assert blame.validation_rows(x_train, x_train, None) is None


@pytest.fixture(scope="module")
def csv_run(tmp_path_factory):
    directory = tmp_path_factory.mktemp("blame")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(60, 3)), np.arange(60) % 3
    rows = [
        ",".join(f"{v:.4f}" for v in r) + f",g{k}" for r, k in zip(x, y, strict=True)
    ]
    (directory / "t.csv").write_text("a,b,c,label\n" + "\n".join(rows) + "\n")
    source = DataSource("csv", str(directory / "t.csv"), "label")
    save_run(workflow.train_run(source.load(), source, epochs=1), directory / "run")
    return directory


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_predict_csv_with_1e300_names_the_csv_not_the_scaler(csv_run, capsys, tmp_path):
    new = tmp_path / "new.csv"
    new.write_text("a,b,c\n0.1,0.2,0.3\n0.1,1e300,0.3\n")
    code, _, err = run_cli(
        capsys, "predict", csv_run / "run", "--csv", new, "--out", tmp_path / "out"
    )
    assert_one_line_error(code, err, f"{new}, data row 2, column 'b': 1e+300 is far")
    assert "scaler" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_evaluate_names_the_training_rows_file_row_and_column(csv_run, tmp_path):
    run = load_run(csv_run / "run")
    original = run.config.source.load()
    _, x_val, _, _ = workflow.split_rows(original, run.config.seed)
    j = int(np.flatnonzero((original.x_train == x_val[0]).all(axis=1))[0])
    lines = (csv_run / "t.csv").read_text().splitlines()
    cells = lines[1 + j].split(",")  # the split depends on the labels, not values
    lines[1 + j] = ",".join([cells[0], "1e300", *cells[2:]])
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n")
    dataset = DataSource("csv", str(path), "label").load()
    row = blame.name_rows(str(path), run.config.feature_names)
    expected = rf"^{path}, data row {j + 1}, column 'b': 1e\+300 is far outside"
    with pytest.raises(ValueError, match=expected):
        workflow.evaluate_run(run, dataset, row=row)
