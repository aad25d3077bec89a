import numpy as np
import pytest
from gradcheck import numerical_gradient, relative_error

from minigenre import Dense, Sequential
from minigenre.layers import Dropout


class Uniforms:
    """Stands in for a layer's generator: hands out given uniform draws."""

    def __init__(self, draws):
        self.draws = list(draws)

    def random(self, shape, dtype):
        draw = self.draws.pop(0)
        assert draw.shape == shape
        return draw.astype(dtype)


def test_inference_is_the_identity_and_costs_no_copy():
    layer = Dropout(0.3, seed=0)
    layer.build(5)
    x = np.ones((2, 5), np.float32)
    assert layer.forward(x) is x
    assert layer.backward(x) is x  # nothing was dropped


def test_training_keeps_where_the_draw_is_at_least_rate_and_scales():
    layer = Dropout(0.25)
    layer.build(4)
    layer.generator = Uniforms([np.array([[0.1, 0.25, 0.9, 0.24]])])
    out = layer.forward(np.array([[1.0, 2.0, 3.0, 4.0]], np.float32), training=True)
    scale = np.float32(1 / 0.75)
    assert out.tolist() == [[0.0, 2 * scale, 3 * scale, 0.0]]
    assert out.dtype == np.float32
    grad = layer.backward(np.ones((1, 4), np.float32))
    assert grad.tolist() == [[0.0, scale, scale, 0.0]]


def test_masks_keep_one_minus_rate_of_the_units_and_the_mean():
    kept, means = [], []
    for seed in range(20):
        layer = Dropout(0.4, seed=seed)
        layer.build(500)
        out = layer.forward(np.ones((50, 500)), training=True)
        kept.append(np.count_nonzero(out) / out.size)
        means.append(out.mean())
    # 25,000 draws per seed: the share kept has a standard deviation of 0.003
    assert abs(np.mean(kept) - 0.6) < 0.003
    assert abs(np.mean(means) - 1.0) < 0.005


def test_the_same_seed_gives_the_same_masks_and_layers_after_it_the_same_weights():
    def model(with_dropout):
        layers = [Dense(5, activation="relu"), Dense(3, activation="softmax")]
        if with_dropout:
            layers.insert(1, Dropout(0.5))
        m = Sequential(layers, seed=3)
        m.build(4)
        return m

    a, b, plain = model(True), model(True), model(False)
    x = np.ones((6, 4), np.float32)
    assert np.array_equal(a(x, training=True), b(x, training=True))
    # the dropout's generator is spawned, not drawn from: the weights are those
    # of the same network without it
    for w, v in zip(a.get_weights(), plain.get_weights(), strict=True):
        assert np.array_equal(w, v)
    assert [layer.name for layer in a.layers] == ["dense", "dropout", "dense_1"]


def test_gradient_through_a_fixed_mask_matches_central_differences():
    rng = np.random.default_rng(0)
    model = Sequential(
        [Dense(6, activation="tanh"), Dropout(0.5), Dense(3, activation="softmax")],
        seed=1,
        dtype="float64",
    )
    model.compile(optimizer="sgd")
    model.build(4)
    x, y = rng.normal(size=(5, 4)), rng.integers(0, 3, size=5)
    mask = rng.random((5, 6))
    model.layers[1].generator = Uniforms([mask] * 200)
    grads = model.compute_gradients(x, y)

    def loss():  # the training forward pass, with the same mask
        out = model(x, training=True)
        return -np.log(out[np.arange(5), y]).mean()

    weights = [w for layer in model.layers for w in layer.weights]
    for analytic, w in zip(grads, weights, strict=True):
        assert relative_error(analytic, numerical_gradient(loss, w)) <= 1e-6


def test_bad_rate_is_one_line():
    with pytest.raises(ValueError, match=r"^rate must be a number in \[0, 1\). Rec"):
        Dropout(1.0)
    with pytest.raises(ValueError, match=r"^rate must be a number in \[0, 1\). Rec"):
        Dropout(np.complex64(0.5))  # NumPy orders it by its real part


def test_a_numpy_rate_is_a_rate():
    assert Dropout(np.float32(0.5)).rate == 0.5
