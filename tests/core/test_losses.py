import numpy as np
import pytest
from gradcheck import numerical_gradient, relative_error

from minigenre import SparseCategoricalCrossentropy, sparse_categorical_crossentropy
from minigenre.activations import softmax
from minigenre.losses import (
    EPSILON,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    sigmoid_binary_crossentropy,
    softmax_categorical_crossentropy,
    softmax_crossentropy,
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


# -- categorical and binary cross-entropy -------------------------------------------


def test_categorical_golden_values_and_renormalisation():
    p = np.array([[0.7, 0.2, 0.1], [0.2, 0.2, 1.6]])  # the second row sums to 2
    y = np.array([[1.0, 0, 0], [0, 0, 1.0]])
    np.testing.assert_allclose(
        categorical_crossentropy(y, p), [-np.log(0.7), -np.log(0.8)]
    )


def test_categorical_on_one_hot_labels_is_the_sparse_loss_to_the_bit():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(7, 5)).astype(np.float32)
    labels = rng.integers(0, 5, size=7)
    onehot = np.eye(5, dtype=np.float32)[labels]
    p_sparse, loss_sparse = softmax_crossentropy(labels, z)
    p_dense, loss_dense = softmax_categorical_crossentropy(onehot, z)
    assert np.array_equal(p_sparse, p_dense)
    assert np.array_equal(loss_sparse, loss_dense)
    grad = CategoricalCrossentropy().logits_gradient(onehot, p_dense)
    assert np.array_equal(grad, softmax_crossentropy_grad(labels, p_sparse))


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
