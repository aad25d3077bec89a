"""The rows fit holds out: Keras's last share, or validation_data, checked."""

import numpy as np
import pytest

from minigenre import Dense, Sequential
from minigenre.training.validation import check_validation_data, split_validation


def test_split_validation_holds_out_the_last_rows_unshuffled():
    x, y, w = np.arange(10.0)[:, None], np.arange(10), np.linspace(1, 2, 10)
    _, y_train, w_train, (x_val, y_val, w_val) = split_validation(x, y, w, 0.25)
    # floor(10 * 0.75) = 7 rows train, as Keras's int(n * (1 - split)).
    assert y_train.tolist() == list(range(7))
    assert y_val.tolist() == [7, 8, 9]
    assert x_val[:, 0].tolist() == [7.0, 8.0, 9.0]
    assert w_train.tolist() == w[:7].tolist()
    assert w_val.tolist() == w[7:].tolist()


def test_split_validation_zero_holds_out_nothing():
    x, y = np.ones((4, 1)), np.zeros(4)
    assert split_validation(x, y, None, 0.0)[3] is None


@pytest.mark.parametrize(
    "share", [1.0, -0.1, True, "0.2", float("nan"), np.complex64(0.2)]
)
def test_split_validation_refuses_shares_outside_0_1(share):
    with pytest.raises(ValueError, match=r"validation_split must be in \[0, 1\)"):
        split_validation(np.ones((4, 1)), np.zeros(4), None, share)


def test_split_validation_takes_a_numpy_share():
    x, y = np.arange(8.0)[:, None], np.arange(8)
    assert split_validation(x, y, None, np.float32(0.25))[3][1].tolist() == [6, 7]


def test_split_validation_refuses_a_share_that_leaves_a_side_empty():
    with pytest.raises(ValueError, match=r"leaves no rows for training \(of 1 rows"):
        split_validation(np.ones((1, 1)), np.zeros(1), None, 0.9)
    # 1 - 1e-17 rounds to 1.0: every row would train.
    with pytest.raises(ValueError, match=r"leaves no rows for validation \(of 3 r"):
        split_validation(np.ones((3, 1)), np.zeros(3), None, 1e-17)


def model():
    m = Sequential([Dense(3, activation="softmax")], seed=0)
    m.build(2)
    m.compile()  # the loss says what labels it takes
    return m


def test_check_validation_data_takes_two_or_three_parts():
    x, y = np.ones((4, 2)), np.array([0, 1, 2, 0])
    x_val, y_val, w = check_validation_data(model(), (x, y))
    assert x_val.dtype == np.float32
    assert y_val.tolist() == [0, 1, 2, 0]
    assert w is None
    weights = check_validation_data(model(), [x, y, np.ones(4)])[2]
    assert weights.tolist() == [1.0] * 4


def test_check_validation_data_names_what_is_wrong():
    x, y = np.ones((4, 2)), np.array([0, 1, 2, 0])
    with pytest.raises(ValueError, match=r"a tuple .* Received: dict of length 0"):
        check_validation_data(model(), {})
    with pytest.raises(
        ValueError, match=r"x has 5 features; the model was built for 2"
    ):
        check_validation_data(model(), (np.ones((4, 5)), y))
    with pytest.raises(ValueError, match=r"validation_data's y must hold labels in"):
        check_validation_data(model(), (x, y + 1))
    with pytest.raises(ValueError, match=r"sample_weight must hold one weight per row"):
        check_validation_data(model(), (x, y, np.ones(3)))
