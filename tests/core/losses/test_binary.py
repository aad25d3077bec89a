import numpy as np
import pytest

from minigenre.losses import (
    EPSILON,
    binary_crossentropy,
    sigmoid_binary_crossentropy,
)


def test_binary_golden_values_mean_over_the_outputs():
    y = np.array([[1.0, 0.0], [0.0, 0.0]])
    p = np.array([[0.8, 0.4], [0.1, 0.5]])
    expected = [
        -(np.log(0.8) + np.log(0.6)) / 2,
        -(np.log(0.9) + np.log(0.5)) / 2,
    ]
    np.testing.assert_allclose(binary_crossentropy(y, p), expected)
    assert binary_crossentropy([[1.0]], [[0.0]])[0] == pytest.approx(
        -np.log(EPSILON), rel=1e-6
    )  # clipped like Keras


def test_binary_from_logits_is_finite_for_huge_logits_and_agrees():
    z = np.array([[-800.0, 0.3, 800.0]])
    y = np.array([[1.0, 0.0, 1.0]])
    probs, loss = sigmoid_binary_crossentropy(y, z)
    assert probs.tolist() == [[0.0, pytest.approx(1 / (1 + np.exp(-0.3))), 1.0]]
    assert np.isfinite(loss).all()
    assert loss[0] == pytest.approx((800 + np.log1p(np.exp(0.3)) + 0) / 3)
    z = np.array([[-1.5, 0.3, 2.0]])
    np.testing.assert_allclose(
        binary_crossentropy(y, z, from_logits=True),
        binary_crossentropy(y, 1 / (1 + np.exp(-z))),
        rtol=1e-12,
    )
