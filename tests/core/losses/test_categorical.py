import numpy as np

from minigenre.losses import (
    CategoricalCrossentropy,
    categorical_crossentropy,
    softmax_categorical_crossentropy,
    softmax_crossentropy,
    softmax_crossentropy_grad,
)


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
