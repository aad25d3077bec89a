import numpy as np
import pytest

from minigenre.training.weighting import (
    balanced_class_weight,
    check_class_weight,
    check_sample_weight,
    sample_weights_from_classes,
)


def test_balanced_class_weight_equals_scikit_learns():
    from sklearn.utils.class_weight import compute_class_weight

    y = np.random.default_rng(0).integers(0, 5, size=300)
    classes = np.unique(y)
    expected = compute_class_weight("balanced", classes=classes, y=y)
    ours = balanced_class_weight(y)
    assert list(ours) == classes.tolist()
    np.testing.assert_allclose(list(ours.values()), expected, rtol=1e-15)


def test_balanced_weights_give_every_class_the_same_total():
    y = np.array([0] * 50 + [1] * 10 + [2] * 40)
    weights = balanced_class_weight(y)
    totals = [weights[k] * np.count_nonzero(y == k) for k in range(3)]
    np.testing.assert_allclose(totals, len(y) / 3)


@pytest.mark.parametrize("y", [np.array([]), np.array([0.5, 1.0]), np.zeros((2, 2))])
def test_balanced_class_weight_refuses_non_labels(y):
    with pytest.raises(ValueError, match="non-empty 1-D integer labels"):
        balanced_class_weight(y)


def test_classes_left_out_keep_weight_one():
    y = np.array([0, 1, 2, 1])
    np.testing.assert_array_equal(
        sample_weights_from_classes(y, {1: 4.0}), [1.0, 4.0, 1.0, 4.0]
    )


@pytest.mark.parametrize(
    ("class_weight", "message"),
    [
        ({3: 1.0}, r"class 3, outside the model's 3 outputs \[0, 3\)"),
        ({-1: 1.0}, "class -1, outside"),
        ({"0": 1.0}, r"keys must be integer class indices. Received: key '0'"),
        ({1.0: 1.0}, "keys must be integer class indices"),
        ({True: 1.0}, "keys must be integer class indices"),
        ({0: 0.0}, r"class_weight\[0\] must be finite and > 0. Received: 0.0"),
        ({0: -2}, r"class_weight\[0\] must be finite and > 0. Received: -2"),
        ({1: float("nan")}, r"class_weight\[1\] must be finite and > 0"),
        ({1: "2"}, r"class_weight\[1\] must be a number. Received: '2'"),
        ({1: np.complex64(2 + 1j)}, r"class_weight\[1\] must be a number"),
    ],
)
def test_bad_class_weights_are_named(class_weight, message):
    with pytest.raises(ValueError, match=message):
        check_class_weight(class_weight, n_classes=3)


def test_class_weight_must_be_a_dict():
    with pytest.raises(TypeError, match=r"dict \{class index: weight\} or 'balanced'"):
        check_class_weight([1.0, 2.0], n_classes=3)


def test_numpy_integer_keys_are_class_indices():
    assert check_class_weight({np.int64(2): np.float32(0.5)}, 3) == {2: 0.5}


@pytest.mark.parametrize(
    ("weights", "error", "message"),
    [
        (np.ones(3), ValueError, r"one weight per row of x, shape \(4,\)"),
        (np.ones((4, 2)), ValueError, r"shape \(4,\)"),
        (np.array([1, -1, 1, 1.0]), ValueError, r">= 0. Received: -1.0 at row 1"),
        (np.array([1, 1, np.inf, 1]), ValueError, "at row 2"),
        (np.array(["a"] * 4), TypeError, "must hold numbers"),
    ],
)
def test_bad_sample_weights_are_named(weights, error, message):
    with pytest.raises(error, match=message):
        check_sample_weight(weights, 4, np.float32)


def test_sample_weight_column_and_zeros_are_accepted():
    w = check_sample_weight(np.array([[0.0], [2.0]]), 2, np.float32)
    assert w.dtype == np.float32
    np.testing.assert_array_equal(w, [0.0, 2.0])
