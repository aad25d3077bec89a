import numpy as np
import pytest
from gradcheck import numerical_gradient, relative_error

from minigenre.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
)


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("kind", [CategoricalCrossentropy, BinaryCrossentropy])
def test_dense_label_gradients_match_central_differences(kind, from_logits):
    rng = np.random.default_rng(2)
    if from_logits:
        y_pred = rng.normal(size=(4, 3))
    else:
        y_pred = rng.uniform(0.05, 0.95, size=(4, 3))
    if kind is CategoricalCrossentropy:
        y = np.eye(3)[rng.integers(0, 3, size=4)]
    else:
        y = rng.integers(0, 2, size=(4, 3)).astype(float)
    w = np.array([1.0, 2.0, 0.5, 0.0])
    loss = kind(from_logits=from_logits)
    numeric = numerical_gradient(lambda: loss(y, y_pred, w), y_pred)
    assert relative_error(loss.gradient(y, y_pred, w), numeric) < 1e-7


@pytest.mark.parametrize("kind", [CategoricalCrossentropy, BinaryCrossentropy])
def test_the_fused_gradient_is_the_gradient_at_the_logits(kind):
    rng = np.random.default_rng(3)
    z = rng.normal(size=(5, 3))
    y = np.eye(3)[rng.integers(0, 3, size=5)]
    loss = kind()
    probs, _ = loss.from_logits_output(y, z)
    numeric = numerical_gradient(lambda: loss.from_logits_output(y, z)[1].mean(), z)
    assert relative_error(loss.logits_gradient(y, probs), numeric) < 1e-7


def test_shape_mismatch_is_one_line():
    with pytest.raises(ValueError, match=r"^Expected y_true and y_pred of the same"):
        categorical_crossentropy(np.zeros((2, 3)), np.ones((2, 4)) / 4)
    with pytest.raises(ValueError, match=r"Received: y_true.shape=\(2,\)"):
        binary_crossentropy(np.zeros(2), np.ones((2, 1)) / 2)
