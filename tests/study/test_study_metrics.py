"""Tests for study.metrics: golden values, scikit-learn parity, input errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from minigenre.study import metrics
from minigenre.study.data import GENRES


def random_case(seed, n=300, k=10):
    """Labels, noisy predictions and softmax probabilities, all classes present."""
    rng = np.random.default_rng(seed)
    y = np.concatenate([np.arange(k), rng.integers(0, k, n - k)])
    y_pred = np.where(rng.random(n) < 0.5, y, rng.integers(0, k, n))
    logits = rng.normal(size=(n, k)) + 2 * np.eye(k)[y]
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y, y_pred, proba


# --- golden values, computed by hand -------------------------------------------------


def test_accuracy_golden():
    assert metrics.accuracy([0, 1, 2, 2], [0, 1, 1, 2]) == 0.75
    assert metrics.accuracy(np.array([3.0, 1.0]), [3, 1]) == 1.0


def test_log_loss_golden():
    expected = -(math.log(0.9) + math.log(0.8)) / 2
    assert metrics.log_loss([0, 1], [[0.9, 0.1], [0.2, 0.8]]) == pytest.approx(
        expected, rel=1e-12
    )


def test_kaggle_log_loss_golden():
    # Two classes: each row's two cells both score the true class's probability.
    expected = -(math.log(0.9) + math.log(0.8)) / 2
    assert metrics.kaggle_log_loss([0, 1], [[0.9, 0.1], [0.2, 0.8]]) == pytest.approx(
        expected, rel=1e-12
    )
    # Three classes: ln 2 for the true cell, ln(4/3) for each of the two others.
    expected = (math.log(2) + 2 * math.log(4 / 3)) / 3
    assert metrics.kaggle_log_loss([0], [[0.5, 0.25, 0.25]]) == pytest.approx(
        expected, rel=1e-12
    )


def test_kaggle_log_loss_clips_at_1e_15_after_renormalising():
    # Certain and wrong: the true cell is 1e-15, the predicted one 1 - 1e-15 (in
    # float64 1 - 9.99e-16), the eight others 1e-15 for "no".
    lo, hi = 1e-15, 1 - 1e-15
    expected = (-math.log(lo) - math.log1p(-hi) - 8 * math.log1p(-lo)) / 10
    value = metrics.kaggle_log_loss([0], [np.eye(10)[1]])
    assert value == pytest.approx(expected, rel=1e-12)
    assert value == pytest.approx(2 * 34.54 / 10, rel=1e-3)  # two cells of ~ln 1e15
    row = np.array([0.5, 0.5]) * 1.0008  # sums to 1.0008: divided by the sum first
    assert metrics.kaggle_log_loss([0], [row]) == pytest.approx(math.log(2))


def test_log_loss_clips_like_keras():
    # A probability of 0 for the true class costs -log(1e-7), a 1 costs -log(1 - 1e-7).
    assert metrics.log_loss([1], [[1.0, 0.0]]) == pytest.approx(-math.log(1e-7))
    assert metrics.log_loss([0], [[1.0, 0.0]]) == pytest.approx(-math.log(1 - 1e-7))
    assert metrics.log_loss([1], [[1.0, 0.0]], eps=1e-15) == pytest.approx(
        -math.log(1e-15)
    )


def test_log_loss_renormalises_rows_within_tolerance():
    slightly_off = [[0.5004, 0.5]]  # sums to 1.0004, inside PROBA_SUM_ATOL
    assert metrics.log_loss([1], slightly_off) == pytest.approx(-math.log(0.5 / 1.0004))


def test_confusion_matrix_golden():
    cm = metrics.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], n_classes=4)
    expected = [[1, 1, 0, 0], [0, 1, 0, 0], [1, 0, 2, 0], [0, 0, 0, 0]]
    np.testing.assert_array_equal(cm, expected)
    assert cm.dtype == np.int64


def test_classification_report_golden():
    # Rap: 2 true, predicted [Rap, Jazz]; Jazz: 1 true, predicted Jazz; Blues: never.
    report = metrics.classification_report(
        [0, 0, 1], [0, 1, 1], ["Rap", "Jazz", "Blues"]
    )
    rap, jazz, blues = report.rows
    assert (rap.precision, rap.recall, rap.f1, rap.support) == (1.0, 0.5, 2 / 3, 2)
    assert (jazz.precision, jazz.recall, jazz.support) == (0.5, 1.0, 1)
    assert jazz.f1 == pytest.approx(2 / 3)
    assert (blues.precision, blues.recall, blues.f1, blues.support) == (0, 0, 0, 0)
    assert report.accuracy == pytest.approx(2 / 3)
    assert report.macro_avg.precision == pytest.approx(0.5)
    assert report.weighted_avg.recall == pytest.approx((2 * 0.5 + 1 * 1.0) / 3)
    assert report.weighted_avg.support == 3


def test_classification_report_text_names_every_genre():
    y, y_pred, _ = random_case(0)
    text = str(metrics.classification_report(y, y_pred, GENRES))
    lines = text.splitlines()
    assert lines[0].split() == ["precision", "recall", "f1-score", "support"]
    for genre in GENRES:
        assert any(line.split()[0] == genre for line in lines if line.strip())
    assert any(line.split()[:2] == ["weighted", "avg"] for line in lines if line)
    assert "accuracy" in text


def test_format_confusion_matrix_counts_and_names():
    text = metrics.format_confusion_matrix([[3, 1], [0, 2]], ["Rap", "Jazz"])
    assert text.splitlines() == [
        "true \\ pred     Rap    Jazz",
        "        Rap       3       1",
        "       Jazz       0       2",
    ]


def test_format_confusion_matrix_cuts_long_names_and_formats_floats():
    cm = metrics.confusion_matrix(*random_case(1)[:2], n_classes=10)
    lines = metrics.format_confusion_matrix(cm, GENRES).splitlines()
    cut = ["Pop_Ro", "Electr", "Rap", "Jazz", "Latin"]
    cut += ["RnB", "Intern", "Countr", "Reggae", "Blues"]
    assert lines[0].split()[3:] == cut
    assert lines[7].split()[0] == "International"
    assert [int(v) for v in lines[1].split()[1:]] == cm[0].tolist()
    normalised = cm / cm.sum(axis=1, keepdims=True)
    row = metrics.format_confusion_matrix(normalised, GENRES).splitlines()[1]
    assert row.split()[1] == f"{normalised[0, 0]:.2f}"


# --- parity with scikit-learn on random data ------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_sklearn(seed):
    y, y_pred, proba = random_case(seed)
    labels = np.arange(10)
    assert metrics.accuracy(y, y_pred) == skm.accuracy_score(y, y_pred)
    # Softmax of these logits stays far inside [1e-7, 1 - 1e-7], so the clipping
    # bounds (Keras's 1e-7 here, float64's eps in scikit-learn) never bite.
    assert proba.min() > 1e-7
    assert metrics.log_loss(y, proba) == pytest.approx(
        skm.log_loss(y, proba, labels=labels), rel=1e-12
    )
    # The leaderboard's log-loss is the binary log-loss of the N x 10 cells.
    cells = np.eye(10)[y].ravel(), proba.ravel()
    assert metrics.kaggle_log_loss(y, proba) == pytest.approx(
        skm.log_loss(*cells, labels=[0, 1]), rel=1e-12
    )
    np.testing.assert_array_equal(
        metrics.confusion_matrix(y, y_pred, 10),
        skm.confusion_matrix(y, y_pred, labels=labels),
    )
    ours = metrics.precision_recall_fscore_support(y, y_pred, 10)
    theirs = skm.precision_recall_fscore_support(
        y, y_pred, labels=labels, zero_division=0
    )
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    report = metrics.classification_report(y, y_pred, GENRES)
    sk_report = skm.classification_report(
        y, y_pred, labels=labels, target_names=GENRES, output_dict=True, zero_division=0
    )
    averages = {"macro avg": report.macro_avg, "weighted avg": report.weighted_avg}
    for key, ours_row in averages.items():
        assert ours_row.precision == pytest.approx(sk_report[key]["precision"])
        assert ours_row.recall == pytest.approx(sk_report[key]["recall"])
        assert ours_row.f1 == pytest.approx(sk_report[key]["f1-score"])


def test_precision_zero_division_matches_sklearn():
    y, y_pred = [0, 0, 1, 1], [0, 0, 0, 0]  # class 1 never predicted, class 2 absent
    ours = metrics.precision_recall_fscore_support(y, y_pred, 3)
    theirs = skm.precision_recall_fscore_support(
        y, y_pred, labels=[0, 1, 2], zero_division=0
    )
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b)


@settings(max_examples=50, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda k: st.tuples(
            st.just(k),
            st.lists(
                st.tuples(st.integers(0, k - 1), st.integers(0, k - 1)), min_size=1
            ),
        )
    )
)
def test_confusion_matrix_totals_and_diagonal(case):
    k, pairs = case
    y, y_pred = np.array(pairs).T
    cm = metrics.confusion_matrix(y, y_pred, k)
    assert cm.sum() == len(pairs)
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(y, minlength=k))
    assert np.trace(cm) / len(pairs) == pytest.approx(metrics.accuracy(y, y_pred))


# --- input validation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: metrics.accuracy([0, 1], [0]), r"different lengths: 2 != 1"),
        (
            lambda: metrics.accuracy([[0, 1]], [0, 1]),
            r"y_true must be 1-D class labels. Received: y_true.shape=\(1, 2\)",
        ),
        (
            lambda: metrics.accuracy([], []),
            r"at least one label. Received: y_true.shape=\(0,\)",
        ),
        (
            lambda: metrics.accuracy([0.5], [0]),
            r"integer class labels. Received: 0.5 at row 0",
        ),
        (lambda: metrics.accuracy([np.nan], [0]), r"Received: nan at row 0"),
        (
            lambda: metrics.accuracy(["a"], [0]),
            r"integer class labels. Received: y_true.dtype=<U1",
        ),
        (
            lambda: metrics.confusion_matrix([0, 3], [0, 1], 3),
            r"y_true must hold labels in \[0, 3\).*Received: 3 at row 1",
        ),
        (
            lambda: metrics.confusion_matrix([0], [-1], 3),
            r"y_pred must hold labels in \[0, 3\).*Received: -1 at row 0",
        ),
        (lambda: metrics.confusion_matrix([0], [0], 0), r"n_classes must be >= 1"),
        (lambda: metrics.confusion_matrix([0], [0], 2.0), r"n_classes must be an int"),
        (lambda: metrics.log_loss([0], [0.5, 0.5]), r"received shape \(2,\)"),
        (lambda: metrics.log_loss([0], [[0.5, 0.6]]), r"row 0 sums to 1.1"),
        (lambda: metrics.log_loss([0], [[1.5, -0.5]]), r"negative values"),
        (lambda: metrics.log_loss([0], [[np.nan, 1.0]]), r"NaN or infinite"),
        (lambda: metrics.log_loss([0, 1], [[0.5, 0.5]]), r"lengths: 2 != 1"),
        (
            lambda: metrics.log_loss([2], [[0.5, 0.5]]),
            r"y_true must hold labels in \[0, 2\).*Received: 2 at row 0",
        ),
        (lambda: metrics.log_loss([0], [[0.5, 0.5]], eps=0.0), r"eps=0.0"),
        (
            lambda: metrics.format_confusion_matrix([[1, 2]], ["Rap", "Jazz"]),
            r"shape \(2, 2\) to match names; received shape \(1, 2\)",
        ),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
