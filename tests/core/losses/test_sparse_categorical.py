import numpy as np
import pytest
from gradcheck import numerical_gradient, relative_error

from minigenre import SparseCategoricalCrossentropy, sparse_categorical_crossentropy
from minigenre.activations import softmax
from minigenre.losses import (
    EPSILON,
    softmax_crossentropy_grad,
)


def test_golden_values():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    np.testing.assert_allclose(
        sparse_categorical_crossentropy([0, 2], p), [-np.log(0.7), -np.log(0.8)]
    )
    assert SparseCategoricalCrossentropy()([0, 2], p) == pytest.approx(
        -(np.log(0.7) + np.log(0.8)) / 2
    )


def test_probabilities_are_clipped_like_keras():
    p = np.array([[1.0, 0.0]])
    loss = sparse_categorical_crossentropy([1], p)
    # log(1 - eps + eps) - log(eps): the clip, then the renormalisation.
    assert loss[0] == pytest.approx(np.log(1.0) - np.log(EPSILON), rel=1e-6)


def test_logits_and_probabilities_agree():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(6, 4))
    y = rng.integers(0, 4, size=6)
    np.testing.assert_allclose(
        sparse_categorical_crossentropy(y, z, from_logits=True),
        sparse_categorical_crossentropy(y, softmax(z)),
        rtol=1e-12,
    )


@pytest.mark.parametrize("scale", [1e2, 1e3, 1e4])
def test_stable_for_huge_logits(scale):
    z = np.array([[scale, -scale, 0.0], [-scale, scale, 0.0]], dtype=np.float32)
    y = np.array([1, 1])
    losses = sparse_categorical_crossentropy(y, z, from_logits=True)
    assert np.isfinite(losses).all()
    assert losses[0] == pytest.approx(2 * scale, rel=1e-6)
    assert losses[1] == pytest.approx(0.0, abs=1e-6)
    grad = softmax_crossentropy_grad(y, softmax(z))
    assert np.isfinite(grad).all()


def test_fused_gradient_matches_central_differences():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(5, 4))
    y = rng.integers(0, 4, size=5)
    w = rng.uniform(0.5, 2, size=5)
    loss = SparseCategoricalCrossentropy(from_logits=True)
    numeric = numerical_gradient(lambda: loss(y, z, w), z)
    assert relative_error(softmax_crossentropy_grad(y, softmax(z), w), numeric) <= 1e-6
    assert relative_error(loss.gradient(y, z, w), numeric) <= 1e-6


def test_probability_gradient_matches_central_differences():
    rng = np.random.default_rng(2)
    p = rng.uniform(0.05, 1, size=(5, 4))  # unnormalised: Keras renormalises
    y = rng.integers(0, 4, size=5)
    loss = SparseCategoricalCrossentropy()
    numeric = numerical_gradient(lambda: loss(y, p), p)
    assert relative_error(loss.gradient(y, p), numeric) <= 1e-6


def test_shape_errors_echo_the_shapes():
    with pytest.raises(ValueError, match=r"y_true.shape=\(3,\), y_pred.shape=\(2, 4\)"):
        sparse_categorical_crossentropy([0, 1, 2], np.ones((2, 4)) / 4)
