"""The checks at the public boundaries: one line naming the rule and the value."""

import numpy as np
import pytest

from minigenre.training.checks import (
    check_epsilon,
    check_features,
    check_fraction,
    check_int,
    check_labels,
    check_learning_rate,
    check_model_input,
    check_weights,
)


def test_check_int_takes_integers_at_or_above_the_minimum():
    assert check_int(np.int64(3), "epochs", minimum=0) == 3
    with pytest.raises(
        TypeError, match=r"epochs must be an integer. Received: epochs=T"
    ):
        check_int(True, "epochs", minimum=0)
    with pytest.raises(ValueError, match=r"batch_size must be >= 1. Received: batch"):
        check_int(0, "batch_size", minimum=1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, r"learning_rate must be > 0. Received: 0"),
        (-1e-3, r"must be > 0"),
        (float("nan"), r"must be > 0. Received: nan"),
        (float("inf"), r"learning_rate must be finite. Received: inf"),
        ("0.1", r"learning_rate must be a number. Received: learning_rate='0.1'"),
        (True, r"must be a number"),
        (np.complex64(0.1), r"learning_rate must be a number. Received: learning"),
        (1e-320, r"learning_rate must be at least 1.18e-38 \(float32's smallest"),
    ],
)
def test_check_learning_rate_is_the_one_rule(value, message):
    with pytest.raises(ValueError, match=message):
        check_learning_rate(value)


def test_check_learning_rate_returns_a_good_value_unchanged():
    assert check_learning_rate(0.001) == 0.001
    assert check_learning_rate(np.float32(0.5)) == np.float32(0.5)


@pytest.mark.parametrize(
    ("value", "top", "message"),
    [
        (1.0, False, r"^beta_1 must be in \[0, 1\). Received: beta_1=1.0$"),
        (-0.1, True, r"^beta_1 must be in \[0, 1\]. Received: beta_1=-0.1$"),
        (float("nan"), False, r"Received: beta_1=nan$"),
        ("0.9", False, r"Received: beta_1='0.9'$"),
        (True, False, r"Received: beta_1=True$"),
        (None, True, r"Received: beta_1=None$"),
        (np.complex64(0.5), False, r"Received: beta_1=np.complex64\(0.5\+0j\)$"),
    ],
)
def test_check_fraction_refuses_what_is_no_decay_rate(value, top, message):
    with pytest.raises(ValueError, match=message):
        check_fraction(value, "beta_1", top=top)


def test_check_fraction_and_check_epsilon_return_good_values_unchanged():
    assert check_fraction(0.0, "rho") == 0.0
    assert check_fraction(np.float32(0.9), "rho") == np.float32(0.9)
    assert check_fraction(1, "momentum", top=True) == 1
    assert check_epsilon(0) == 0
    assert check_epsilon(1e-7) == 1e-7


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), -1e-7, "1e-7", False, np.complex128(1e-7)]
)
def test_check_epsilon_refuses_what_would_turn_a_step_nan(value):
    with pytest.raises(ValueError, match=r"^epsilon must be a finite number >= 0"):
        check_epsilon(value)


def test_check_features_names_the_first_bad_cell():
    x = np.zeros((3, 2))
    x[2, 1] = np.nan
    with pytest.raises(
        ValueError, match=r"finite numbers. Received: nan at row 2, col"
    ):
        check_features(x)
    with pytest.raises(ValueError, match=r"must be 2-D .* Received: x.shape=\(3,\)"):
        check_features(np.zeros(3))
    with pytest.raises(ValueError, match=r"must hold numbers"):
        check_features([["a"]])
    with pytest.raises(ValueError, match=r"must fit in float32"):
        check_features(np.array([[1e300]]), dtype=np.float32)
    assert check_features([[1, 2]], dtype=np.float32).dtype == np.float32


def test_check_model_input_compares_the_width_only_once_built():
    assert check_model_input(np.ones((2, 5)), np.float32, None).shape == (2, 5)
    with pytest.raises(
        ValueError, match=r"x has 5 features; the model was built for 4"
    ):
        check_model_input(np.ones((2, 5)), np.float32, 4)


def test_check_labels_takes_whole_floats_and_column_vectors():
    assert check_labels([[1.0], [0.0]]).tolist() == [1, 0]
    with pytest.raises(ValueError, match=r"integer class labels. Received: 0.5 at row"):
        check_labels([0.5])
    with pytest.raises(ValueError, match=r"labels in \[0, 3\) for 3 classes. Rec"):
        check_labels([0, 3], n_classes=3)
    with pytest.raises(ValueError, match=r"one label per row .* \(4 rows\)"):
        check_labels([0, 1], n_rows=4)


def test_check_weights_refuses_count_shape_and_values_before_any_change():
    current = [np.zeros((2, 2), np.float32), np.zeros(2, np.float32)]
    with pytest.raises(ValueError, match=r"Expected 2 weight arrays. Received: 1"):
        check_weights([np.zeros((2, 2))], current)
    with pytest.raises(ValueError, match=r"Weight 1 has shape \(3,\); the model exp"):
        check_weights([np.zeros((2, 2)), np.zeros(3)], current)
    with pytest.raises(ValueError, match=r"Weight 0 holds non-finite"):
        check_weights([np.full((2, 2), np.inf), np.zeros(2)], current)
    with pytest.raises(ValueError, match=r"beyond float32"):
        check_weights([np.full((2, 2), 1e300), np.zeros(2)], current)
    check_weights([np.ones((2, 2)), np.ones(2)], current)  # passes
