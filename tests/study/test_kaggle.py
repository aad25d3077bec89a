"""Tests for study.kaggle: the 25% rule, exact file text, strict reader, scorer."""

import math
import os

import numpy as np
import pytest

from minigenre.study import kaggle, metrics

PROBA_HEADER = "Sample_id," + ",".join(f"Class_{k}" for k in range(1, 11))


def softmax_rows(n, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=2.0, size=(n, 10)).astype(dtype)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def one_hot_row(k, p=1.0):
    """A 10-class row with probability ``p`` on class ``k``, the rest spread evenly."""
    row = np.full(10, (1 - p) / 9)
    row[k] = p
    return row


# --- the 25% rule ---------------------------------------------------------------------


def test_confident_labels_keeps_argmax_only_above_threshold():
    proba = np.array(
        [
            one_hot_row(3, 0.9),  # confident -> 3
            one_hot_row(7, 0.26),  # just above 25% -> 7
            one_hot_row(7, 0.25),  # exactly 25% is not "more than" -> fallback 0
            [0.02, 0.2, *[0.78 / 8] * 8],  # argmax 1 at 20% -> fallback
        ]
    )
    np.testing.assert_array_equal(kaggle.confident_labels(proba), [3, 7, 0, 0])
    np.testing.assert_array_equal(
        kaggle.confident_labels(proba, fallback=5), [3, 7, 5, 5]
    )
    np.testing.assert_array_equal(
        kaggle.confident_labels(proba, threshold=0.5), [3, 0, 0, 0]
    )


@pytest.mark.parametrize("threshold", [None, 0, 0.0])
def test_confident_labels_without_threshold_is_argmax(threshold):
    proba = softmax_rows(50, seed=3)
    labels = kaggle.confident_labels(proba, threshold=threshold)
    np.testing.assert_array_equal(labels, np.argmax(proba, axis=1))
    assert labels.dtype == np.int64


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"threshold": 1.0}, r"threshold must be in \[0, 1\) or None; received 1.0"),
        ({"threshold": -0.1}, r"received -0.1"),
        ({"fallback": 10}, r"fallback must be a class in \[0, 10\); received 10"),
    ],
)
def test_confident_labels_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        kaggle.confident_labels(softmax_rows(2), **kwargs)


# --- writers: exact text --------------------------------------------------------------


def test_write_label_submission_exact_text(tmp_path):
    path = tmp_path / "labels.csv"
    kaggle.write_label_submission(path, np.array([0, 9, 3]))
    assert path.read_bytes() == b"Sample_id,Sample_label\n1,1\n2,10\n3,4\n"


def test_write_proba_submission_exact_text(tmp_path):
    path = tmp_path / "proba.csv"
    proba = np.array([one_hot_row(0, 0.1), np.eye(10)[9]])
    kaggle.write_proba_submission(path, proba)
    lines = path.read_text().split("\n")
    assert lines[0] == PROBA_HEADER
    assert not lines[0].startswith("#")
    assert lines[1] == "1,0.1," + ",".join([repr(0.9 / 9)] * 9)
    assert lines[2] == "2," + "0.0," * 9 + "1.0"
    assert lines[3] == ""  # the file ends with a newline
    assert len(lines) == 4


def test_proba_round_trip_is_bit_exact_for_float32(tmp_path):
    path = tmp_path / "proba.csv"
    proba = softmax_rows(200, seed=1, dtype=np.float32)
    kaggle.write_proba_submission(path, proba)
    sub = kaggle.read_submission(path)
    assert sub.kind == "proba"
    assert sub.labels is None
    assert sub.proba.dtype == np.float64
    np.testing.assert_array_equal(sub.proba, proba.astype(np.float64))
    np.testing.assert_array_equal(sub.proba.astype(np.float32), proba)


def test_proba_round_trip_is_bit_exact_for_float64_and_scores_equal(tmp_path):
    path = tmp_path / "proba.csv"
    proba = softmax_rows(200, seed=2, dtype=np.float64)
    y = np.random.default_rng(2).integers(0, 10, 200)
    kaggle.write_proba_submission(path, proba)
    sub = kaggle.read_submission(path)
    np.testing.assert_array_equal(sub.proba, proba)
    in_memory = metrics.log_loss(y, proba, eps=kaggle.KAGGLE_EPS)
    assert kaggle.score_submission(sub, y).log_loss == in_memory


def test_label_round_trip(tmp_path):
    path = tmp_path / "labels.csv"
    labels = np.random.default_rng(0).integers(0, 10, 500)
    kaggle.write_label_submission(path, labels)
    sub = kaggle.read_submission(path)
    assert (sub.kind, len(sub), sub.proba) == ("labels", 500, None)
    np.testing.assert_array_equal(sub.labels, labels)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda p: kaggle.write_label_submission(p, [0, 10]),
            r"labels must hold labels in \[0, 10\) for 10 classes. Received: 10 at row",
        ),
        (
            lambda p: kaggle.write_proba_submission(p, np.full((2, 5), 0.2)),
            r"must have 10 columns; received shape \(2, 5\)",
        ),
        (
            lambda p: kaggle.write_proba_submission(p, np.full((2, 10), 0.2)),
            r"row 0 sums to 2.0",
        ),
        (
            lambda p: kaggle.write_label_submission(p / "missing" / "x.csv", [0]),
            r"does not exist",
        ),
    ],
)
def test_writer_errors_leave_no_file(tmp_path, call, match):
    with pytest.raises(ValueError, match=match):
        call(tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []


# --- atomic writes --------------------------------------------------------------------


def test_failure_mid_write_keeps_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "proba.csv"
    kaggle.write_proba_submission(path, softmax_rows(3, seed=0))
    before = path.read_bytes()
    calls = []

    def failing_format(value):
        calls.append(value)
        if len(calls) == 25:  # in the third row, after two rows were written
            raise RuntimeError("disk on fire")
        return repr(float(value))

    monkeypatch.setattr(kaggle, "_format_float", failing_format)
    with pytest.raises(RuntimeError, match="disk on fire"):
        kaggle.write_proba_submission(path, softmax_rows(3, seed=9))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["proba.csv"]  # no temp file left


def test_failure_at_fsync_keeps_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "labels.csv"
    kaggle.write_label_submission(path, [1, 2])
    before = path.read_bytes()

    def failing_fsync(fd):
        raise OSError("no space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="no space left"):
        kaggle.write_label_submission(path, [3, 4, 5])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["labels.csv"]


# --- reader: accepted variants and every error ----------------------------------------


def test_reader_accepts_bom_and_crlf(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfSample_id,Sample_label\r\n1,3\r\n2,10\r\n")
    sub = kaggle.read_submission(path)
    np.testing.assert_array_equal(sub.labels, [2, 9])


def test_reader_accepts_missing_final_newline_and_small_sum_error(tmp_path):
    path = tmp_path / "proba.csv"
    row = ",".join(["0.1001"] * 10)  # sums to 1.001, just inside the tolerance
    path.write_text(f"{PROBA_HEADER}\n1,{row}")
    sub = kaggle.read_submission(path)
    np.testing.assert_allclose(sub.proba, np.full((1, 10), 0.1001))


def test_reader_rejects_savetxt_comment_header_with_hint(tmp_path):
    path = tmp_path / "study.csv"
    # The study's slip: savetxt's default comments="# " prefixes the header.
    rows = np.array([[1, 3], [2, 7]])
    np.savetxt(path, rows, fmt="%d", delimiter=",", header="Sample_id,Sample_label")
    assert path.read_text().startswith("# Sample_id")
    with pytest.raises(ValueError, match=r"line 1: unexpected header.*comments=''"):
        kaggle.read_submission(path)


ROW = ",".join(["0.1"] * 10)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("", r"empty file"),
        ("\n  \n", r"empty file"),
        ("Sample_id,Sample_label\n", r"no data rows"),
        ("id,label\n1,1\n", r"line 1: unexpected header 'id,label'"),
        (PROBA_HEADER.rsplit(",", 1)[0] + "\n", r"unexpected header"),
        (
            "Sample_id,Sample_label\n2,1\n",
            r"line 2, column 1 \(Sample_id\): expected id 1",
        ),
        ("Sample_id,Sample_label\n1,1\n1,1\n", r"line 3, .*expected id 2, got '1'"),
        (
            "Sample_id,Sample_label\nx,1\n",
            r"column 1 \(Sample_id\): expected an integer",
        ),
        (
            "Sample_id,Sample_label\n1,0\n",
            r"line 2, column 2 \(Sample_label\): label 0 ",
        ),
        ("Sample_id,Sample_label\n1,11\n", r"label 11 is not in 1\.\.10"),
        ("Sample_id,Sample_label\n1,3.0\n", r"expected an integer, got '3.0'"),
        ("Sample_id,Sample_label\n1,Rap\n", r"expected an integer, got 'Rap'"),
        ("Sample_id,Sample_label\n1,3,4\n", r"line 2: expected 2 columns, got 3"),
        ("Sample_id,Sample_label\n1,3\n\n2,4\n", r"line 3: empty line"),
        (f"{PROBA_HEADER}\n1,{ROW},0.1\n", r"expected 11 columns, got 12"),
        (
            f"{PROBA_HEADER}\n1,nan," + ",".join(["0.1"] * 9) + "\n",
            r"column 2 \(Class_1\): 'nan' is not a finite number",
        ),
        (
            f"{PROBA_HEADER}\n1,1e999," + ",".join(["0.1"] * 9) + "\n",
            r"'1e999' is not a finite number",
        ),
        (
            f"{PROBA_HEADER}\n1," + ",".join(["0.1"] * 9) + ",abc\n",
            r"column 11 \(Class_10\): expected a number, got 'abc'",
        ),
        (
            f"{PROBA_HEADER}\n1,-0.1,0.3," + ",".join(["0.1"] * 8) + "\n",
            r"column 2 \(Class_1\): negative probability -0.1",
        ),
        (
            f"{PROBA_HEADER}\n1,{ROW}\n2," + ",".join(["0.2"] * 10) + "\n",
            r"line 3: probabilities sum to 2\.0.*tolerance 0\.001",
        ),
        (f"{PROBA_HEADER}\n1," + ",".join(["0.1002"] * 10) + "\n", r"sum to 1\.002"),
    ],
)
def test_reader_errors_name_file_line_and_column(tmp_path, content, match):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match=match) as info:
        kaggle.read_submission(path)
    assert str(info.value).startswith(str(path))


def test_reader_rejects_non_utf8_and_missing_file(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("Sample_id,Sample_label\n1,Électro\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1.csv: not UTF-8 text"):
        kaggle.read_submission(path)
    with pytest.raises(ValueError, match=r"nope.csv: file not found"):
        kaggle.read_submission(tmp_path / "nope.csv")


# --- scoring --------------------------------------------------------------------------


def test_score_label_submission():
    sub = kaggle.Submission("labels", labels=np.array([0, 1, 2, 3]))
    score = kaggle.score_submission(sub, [0, 1, 2, 0])
    assert score == kaggle.SubmissionScore("labels", 4, 0.75, None, None)


def test_score_proba_submission_known_values():
    proba = np.array([one_hot_row(0, 0.5), one_hot_row(1, 0.25)])
    score = kaggle.score_submission(kaggle.Submission("proba", proba=proba), [0, 1])
    assert score.kind == "proba"
    assert score.n_samples == 2
    assert score.accuracy == 1.0
    assert score.log_loss == pytest.approx((math.log(2) + math.log(4)) / 2)
    # The leaderboard's: per row, the true cell and nine cells of the rest spread.
    row0 = math.log(2) + 9 * -math.log(1 - 0.5 / 9)
    row1 = math.log(4) + 9 * -math.log(1 - 0.75 / 9)
    assert score.kaggle_log_loss == pytest.approx((row0 + row1) / 20, rel=1e-12)


def test_score_proba_clips_at_kaggle_eps_and_renormalises():
    certain_and_wrong = kaggle.Submission("proba", proba=np.eye(10)[[1]])
    score = kaggle.score_submission(certain_and_wrong, [0])
    assert score.log_loss == pytest.approx(-math.log(1e-15))
    assert score.accuracy == 0.0
    off = one_hot_row(2, 0.5) * 1.0008  # sums to 1.0008; Kaggle divides by the sum
    score = kaggle.score_submission(kaggle.Submission("proba", proba=off[None]), [2])
    assert score.log_loss == pytest.approx(-math.log(0.5))


def test_the_all_class_1_sample_submission_on_both_scales():
    # Kaggle's sample submission says Class_1 (Pop_Rock) with certainty for every
    # row; the 2018 leaderboard scored it 3.49086 on the real test labels.
    from minigenre.study.synthetic import make_synthetic

    y_test = make_synthetic(0).y_test
    proba = np.zeros((len(y_test), 10))
    proba[:, 0] = 1.0
    score = kaggle.score_submission(kaggle.Submission("proba", proba=proba), y_test)
    wrong = np.mean(y_test != 0)  # each such row: two cells clipped at 1e-15
    lo, hi = 1e-15, 1 - 1e-15  # in float64, 1 - 9.99e-16
    right_row = (-math.log(hi) - 9 * math.log1p(-lo)) / 10
    wrong_row = (-math.log(lo) - math.log1p(-hi) - 8 * math.log1p(-lo)) / 10
    assert score.kaggle_log_loss == pytest.approx(
        wrong * wrong_row + (1 - wrong) * right_row, rel=1e-12
    )
    assert 3.4 < score.kaggle_log_loss < 3.5
    assert score.log_loss == pytest.approx(
        wrong * -math.log(lo) + (1 - wrong) * -math.log(hi), rel=1e-12
    )
    assert 17 < score.log_loss < 17.5  # the description's formula: about 17


def test_score_proba_accuracy_uses_argmax_not_the_25_percent_rule():
    low = kaggle.Submission("proba", proba=one_hot_row(4, 0.2)[None])
    assert kaggle.score_submission(low, [4]).accuracy == 1.0


def test_score_row_count_mismatch():
    sub = kaggle.Submission("labels", labels=np.array([0, 1]))
    with pytest.raises(ValueError, match=r"submission has 2 rows but y_true has 3"):
        kaggle.score_submission(sub, [0, 1, 2])
