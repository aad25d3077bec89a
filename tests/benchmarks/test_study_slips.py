"""benchmarks/study_slips.py, which measures what each of the study's slips costs.

The fixes themselves are tested in tests/study/test_workflow.py; these tests keep
the measurement script working.
"""

import numpy as np
import pytest
import study_slips  # benchmarks/: tests/conftest.py puts it on the path
from cli_helpers import small_dataset

from minigenre.study import workflow
from minigenre.study.config import DataSource


@pytest.fixture(scope="module")
def data():
    return small_dataset()


@pytest.fixture(scope="module")
def run(data):
    return workflow.train_run(data, DataSource(), seed=1, epochs=2, verbose=0)


# --- the measurement script ----------------------------------------------------------


def test_study_confusion_matrix_reproduces_both_slips(data, run):
    result = workflow.evaluate_run(run, data, threshold=0.25)
    fixed = study_slips.study_confusion_matrix(result.y_true, result.proba, 10, 0.25, 0)
    np.testing.assert_array_equal(fixed, result.confusion)
    low = np.array([[0.2] * 5 + [0.0] * 5])  # no class above 25%
    slipped = study_slips.study_confusion_matrix(np.array([0]), low, 10)
    assert slipped[0, 1] == 1  # a Pop_Rock song counted as predicted Electronic


def test_the_measurement_runs(data):
    m = study_slips.measure_seed(data, seed=0, epochs=1)
    right = m["slip 2: diagonal share, right array, default 0"]
    assert right == pytest.approx(m["rule: 25% rule accuracy"])
    assert m["slip 1: distinct labels, rows one at a time"] == 1
    text = study_slips.study_label_file(np.array([2, 0]))
    assert text.splitlines() == ["# Sample_id,Sample_label", "1,3", "2,1"]
