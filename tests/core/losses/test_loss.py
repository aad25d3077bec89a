import numpy as np
import pytest
from gradcheck import numerical_gradient, relative_error

from minigenre import losses
from minigenre.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Loss,
    SparseCategoricalCrossentropy,
    softmax_crossentropy_grad,
)
from minigenre.losses.loss import Loss as BaseLoss

KINDS = [SparseCategoricalCrossentropy, CategoricalCrossentropy, BinaryCrossentropy]


def labels_and_outputs(kind, from_logits, rng, rows=5, classes=3):
    """Labels of the kind's form, and outputs (logits or probabilities)."""
    if kind is SparseCategoricalCrossentropy:
        y = rng.integers(0, classes, size=rows)
    elif kind is CategoricalCrossentropy:
        y = np.eye(classes)[rng.integers(0, classes, size=rows)]
    else:
        y = rng.integers(0, 2, size=(rows, classes)).astype(float)
    if from_logits:
        return y, rng.normal(size=(rows, classes))
    return y, rng.uniform(0.05, 0.95, size=(rows, classes))


def test_every_loss_is_a_loss_and_the_package_exports_the_base():
    assert Loss is BaseLoss
    for name in losses.LOSSES:
        assert isinstance(losses.get(name), Loss)


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_calling_a_loss_divides_the_weighted_sum_by_the_batch_size(kind, from_logits):
    # Keras's "sum_over_batch_size": sum(w * loss) / n, not / sum(w).
    y, out = labels_and_outputs(kind, from_logits, np.random.default_rng(0))
    loss = kind(from_logits=from_logits)
    w = np.array([1.0, 2.0, 0.5, 0.0, 3.0])
    per_row = loss.per_sample(y, out)
    assert loss(y, out, w) == (per_row * w).mean()
    assert loss(y, out) == per_row.mean()
    assert loss(y, out, w) != pytest.approx((per_row * w).sum() / w.sum())


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_the_gradient_of_the_weighted_mean_matches_central_differences(
    kind, from_logits
):
    y, out = labels_and_outputs(kind, from_logits, np.random.default_rng(1))
    loss = kind(from_logits=from_logits)
    w = np.array([1.0, 2.0, 0.5, 0.0, 3.0])
    numeric = numerical_gradient(lambda: loss(y, out, w), out)
    assert relative_error(loss.gradient(y, out, w), numeric) < 1e-7
    # The weights scale each row's gradient; the mean divides by the rows.
    rows = loss.output_gradient(y, out)
    np.testing.assert_array_equal(loss.gradient(y, out, w), rows * w[:, None] / 5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_gradient_from_logits_has_the_fused_paths_bits(dtype):
    # From logits, dL/dz of the sparse loss is the fused path's (p - onehot) / n,
    # bit for bit, weighted or not.
    rng = np.random.default_rng(2)
    z = rng.normal(size=(32, 10)).astype(dtype)
    y = rng.integers(0, 10, size=32)
    w = rng.uniform(0.5, 2.0, size=32).astype(dtype)
    probs = np.exp(losses.log_softmax(z))
    loss = SparseCategoricalCrossentropy(from_logits=True)
    for weight in (None, w):
        expected = softmax_crossentropy_grad(y, probs, weight)
        got = loss.gradient(y, z, weight)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, expected)


def test_a_new_loss_needs_only_its_rows_loss_and_gradient():
    class SquaredError(Loss):
        name = "mean_squared_error"

        def per_sample(self, y_true, y_pred):
            return ((y_pred - y_true) ** 2).mean(axis=-1)

        def output_gradient(self, y_true, y_pred):
            return 2 * (y_pred - y_true) / y_pred.shape[-1]

    y = np.array([[0.0, 1.0], [1.0, 1.0]])
    out = np.array([[0.5, 0.5], [1.0, 3.0]])
    loss = SquaredError()
    assert loss(y, out) == pytest.approx((0.25 + 2.0) / 2)
    numeric = numerical_gradient(lambda: loss(y, out), out)
    assert relative_error(loss.gradient(y, out), numeric) < 1e-8
    assert repr(loss) == "SquaredError(from_logits=False)"


@pytest.mark.parametrize("kind", KINDS)
def test_repr_names_the_class_and_from_logits(kind):
    assert repr(kind(from_logits=True)) == f"{kind.__name__}(from_logits=True)"
