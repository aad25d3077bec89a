"""The study's workflow (train, evaluate, predict), its 25% rule and its slips.

Each of the study's three slips has a fix here, tested; benchmarks/study_slips.py
measures what each slip costs on the embedded data (docs/WORKFLOW.md quotes it).
"""

import io

import numpy as np
import pytest
from cli_helpers import small_dataset

from minigenre.study import kaggle, metrics, workflow
from minigenre.study.config import DataSource
from minigenre.study.data import Dataset
from minigenre.study.preprocessing import StandardScaler


@pytest.fixture(scope="module")
def data():
    return small_dataset()


@pytest.fixture(scope="module")
def run(data):
    return workflow.train_run(data, DataSource(), seed=1, epochs=2, verbose=0)


def with_test_rows(data: Dataset, x_test: np.ndarray) -> Dataset:
    return Dataset(data.x_train, data.y_train, x_test, genre_names=data.genre_names)


# --- slip 1: the test rows standardized with their own statistics --------------------


def test_the_scaler_sees_only_the_training_rows(data, run):
    x_train, *_ = workflow.split_rows(data, seed=1)
    np.testing.assert_array_equal(run.scaler.mean_, x_train.mean(axis=0))
    assert not np.allclose(run.scaler.mean_, data.x_train.mean(axis=0))
    assert not np.allclose(run.scaler.mean_, data.x_test.mean(axis=0))


def test_test_rows_are_standardized_with_the_training_statistics(data, run):
    _, proba = workflow.predict_run(run, data)
    expected = run.model.predict(run.scaler.transform(data.x_test))
    np.testing.assert_array_equal(proba, expected)
    slipped = run.model.predict(StandardScaler().fit_transform(data.x_test))
    assert np.abs(proba - slipped).max() > 0.01


def test_a_songs_prediction_does_not_depend_on_the_other_rows(data, run):
    _, everything = workflow.predict_run(run, data)
    # A whole first batch of 32 songs: a product of fewer rows may sum a row in
    # another order than the batch it sits in (some BLAS builds sum rows in panels
    # of 24), which is the BLAS's doing, not the other rows' values.
    _, first_32 = workflow.predict_run(run, with_test_rows(data, data.x_test[:32]))
    np.testing.assert_array_equal(first_32, everything[:32])
    # With the slip, the same five songs look different in a file of their own...
    own = run.model.predict(StandardScaler().fit_transform(data.x_test[:5]))
    assert np.abs(own - everything[:5]).max() > 0.01
    # ...and a song predicted alone is all zeros after standardizing: every song
    # then gets the same answer.
    alone = [StandardScaler().fit_transform(row[None]) for row in data.x_test[:5]]
    assert all(not x.any() for x in alone)


# --- slip 2: the confusion matrix from the wrong array, with a 1-based default -------


def test_the_confusion_matrix_counts_the_validation_predictions(data, run):
    result = workflow.evaluate_run(run, data)
    _, x_val, _, y_val = workflow.split_rows(data, seed=1)
    y_pred = run.model.predict(run.scaler.transform(x_val)).argmax(axis=1)
    np.testing.assert_array_equal(result.y_true, y_val)
    np.testing.assert_array_equal(
        result.confusion, metrics.confusion_matrix(y_val, y_pred, 10)
    )
    np.testing.assert_array_equal(result.confusion.sum(axis=1), np.bincount(y_val))
    assert np.trace(result.confusion) / len(y_val) == result.accuracy
    assert result.accuracy == pytest.approx(run.history["val_accuracy"][-1])


def test_the_rules_fallback_is_counted_as_pop_rock(data, run):
    # A high threshold makes many rows fall back; they belong in column 0
    # (Pop_Rock, 0-based), not column 1 (Electronic) as the study's default 1 put it.
    result = workflow.evaluate_run(run, data, threshold=0.9)
    confident = result.proba.max(axis=1) > 0.9
    argmax = result.proba.argmax(axis=1)
    assert (~confident).sum() > 0
    fallback_or_pop = (~confident | (argmax == 0)).sum()
    assert result.confusion[:, 0].sum() == fallback_or_pop
    assert result.confusion[:, 1].sum() == (confident & (argmax == 1)).sum()


def test_the_25_percent_rule_only_changes_unconfident_rows(data, run):
    plain = workflow.evaluate_run(run, data)
    rule = workflow.evaluate_run(run, data, threshold=0.25)
    changed = plain.y_pred != rule.y_pred
    assert (plain.proba.max(axis=1)[changed] <= 0.25).all()
    assert (rule.y_pred[changed] == 0).all()
    assert rule.log_loss == plain.log_loss  # the probabilities are untouched


# --- slip 3: np.savetxt's header and an unknown keyword ------------------------------


def test_np_savetxt_prefixes_the_header_and_the_reader_says_why(tmp_path):
    path = tmp_path / "study.csv"
    rows = np.array([[1, 3], [2, 1]])
    np.savetxt(path, rows, fmt="%d", delimiter=",", header="Sample_id,Sample_label")
    assert path.read_text().splitlines()[0] == "# Sample_id,Sample_label"
    with pytest.raises(ValueError, match=r"adds '# ' unless comments='' is passed"):
        kaggle.read_submission(path)
    with pytest.raises(TypeError, match="comment"):
        np.savetxt(io.StringIO(), rows, header="h", comment="")  # the study's typo


def test_minigenre_writes_headers_kaggle_accepts(tmp_path, data, run):
    labels, proba = workflow.predict_run(run, data)
    kaggle.write_label_submission(tmp_path / "labels.csv", labels)
    kaggle.write_proba_submission(tmp_path / "proba.csv", proba)
    first_lines = [
        (tmp_path / name).read_text().splitlines()[0]
        for name in ("labels.csv", "proba.csv")
    ]
    assert first_lines == ["Sample_id,Sample_label", ",".join(kaggle.proba_header())]
    score = kaggle.score_submission(
        kaggle.read_submission(tmp_path / "proba.csv"), data.y_test
    )
    assert score.log_loss == pytest.approx(
        metrics.log_loss(data.y_test, proba, eps=kaggle.KAGGLE_EPS), rel=1e-12
    )
