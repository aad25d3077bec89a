import re

import numpy as np
import pytest
from gradcheck import numerical_gradient, relative_error

from minigenre import Dense, Sequential
from minigenre.layers import BatchNormalization


def built(units=3, dtype=np.float64, **settings):
    layer = BatchNormalization(**settings)
    layer.build(units, np.random.default_rng(0), dtype)
    return layer


def test_training_normalises_by_the_batch_and_moves_the_averages_by_hand():
    layer = built(2)
    x = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 16.0]])
    out = layer.forward(x, training=True)
    # mean (3, 12); biased variance (8/3, 8); out = (x - mean) / sqrt(var + 1e-3)
    expected = (x - [3.0, 12.0]) / np.sqrt(np.array([8 / 3, 8.0]) + 1e-3)
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    # moving = moving * 0.99 + batch * 0.01, from zeros and ones
    np.testing.assert_allclose(layer.moving_mean, [0.03, 0.12], rtol=1e-12)
    np.testing.assert_allclose(layer.moving_variance, [0.99 + 8 / 300, 1.07])


def test_inference_uses_the_moving_statistics_and_moves_nothing():
    layer = built(2)
    layer.set_weights([[2.0, 1.0], [0.5, 0.0], [1.0, -1.0], [4.0, 0.25]])
    out = layer.forward(np.array([[3.0, 0.0]]))
    # gamma * (x - moving_mean) / sqrt(moving_variance + eps) + beta
    expected = [2 * 2 / np.sqrt(4.001) + 0.5, 1 / np.sqrt(0.251)]
    np.testing.assert_allclose(out[0], expected, rtol=1e-12)
    assert layer.moving_mean.tolist() == [1.0, -1.0]


def test_the_moving_averages_use_keras_order_of_operations_in_float32():
    layer = built(4, np.float32, momentum=0.9)
    x = np.random.default_rng(1).normal(size=(8, 4)).astype(np.float32)
    layer.forward(x, training=True)
    mean = x.mean(axis=0)
    variance = np.square(x - mean).mean(axis=0)
    zeros, ones = np.zeros(4, np.float32), np.ones(4, np.float32)
    # moving * momentum + stat * (1 - momentum), the scalars cast to float32
    assert layer.moving_mean.tolist() == (zeros * 0.9 + mean * (1 - 0.9)).tolist()
    assert layer.moving_variance.tolist() == (ones * 0.9 + variance * 0.1).tolist()
    assert layer.moving_variance.dtype == np.float32


@pytest.mark.parametrize(
    "settings", [{}, {"center": False}, {"scale": False}, {"epsilon": 0.5}]
)
def test_backward_matches_central_differences_for_x_gamma_and_beta(settings):
    rng = np.random.default_rng(2)
    layer = built(3, **settings)
    if layer.gamma is not None:
        layer.gamma[...] = rng.normal(size=3)
    if layer.beta is not None:
        layer.beta[...] = rng.normal(size=3)
    x = rng.normal(size=(5, 3))
    upstream = rng.normal(size=(5, 3))  # L = sum(upstream * out)

    def loss():
        return float((upstream * layer.forward(x, training=True)).sum())

    layer.forward(x, training=True)
    grad_x = layer.backward(upstream)
    assert relative_error(grad_x, numerical_gradient(loss, x)) < 1e-7
    for weight, grad in zip(layer.trainable_weights, layer.gradients, strict=True):
        assert relative_error(grad, numerical_gradient(loss, weight)) < 1e-7


def test_weights_are_keras_order_and_only_gamma_and_beta_are_trainable():
    model = Sequential([Dense(4), BatchNormalization(), Dense(2)], seed=0)
    model.build(3)
    assert model.layers[1].name == "batch_normalization"
    assert [w.shape for w in model.get_weights()] == [
        (3, 4), (4,), (4,), (4,), (4,), (4,), (4, 2), (2,)
    ]  # fmt: skip
    gamma, beta, mean, variance = model.get_weights()[2:6]
    assert (gamma.tolist(), beta.tolist()) == ([1.0] * 4, [0.0] * 4)
    assert (mean.tolist(), variance.tolist()) == ([0.0] * 4, [1.0] * 4)
    assert [w.shape for w in model.trainable_weights] == [
        (3, 4), (4,), (4,), (4,), (4, 2), (2,)
    ]  # fmt: skip
    assert model.count_params() == 16 + 16 + 10


def test_the_optimizer_never_sees_the_moving_statistics():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(64, 5)).astype(np.float32)
    y = rng.integers(0, 3, size=64)
    # momentum 1 keeps the moving statistics as they are: only the optimizer
    # could move them, and it must not.
    model = Sequential(
        [Dense(6, activation="relu"), BatchNormalization(momentum=1.0),
         Dense(3, activation="softmax")], seed=0,
    )  # fmt: skip
    model.compile("adam")
    model.fit(x, y, epochs=2, verbose=0)
    assert model.layers[1].moving_mean.tolist() == [0.0] * 6
    assert model.layers[1].moving_variance.tolist() == [1.0] * 6
    (momentum,) = model.optimizer.get_state()["momentum"]
    assert momentum.shape == (sum(w.size for w in model.trainable_weights),)
    assert np.abs(model.layers[1].gamma - 1).max() > 0  # gamma did learn


def test_compute_gradients_puts_the_moving_statistics_back():
    model = Sequential([Dense(4), BatchNormalization(), Dense(2)], seed=0)
    model.compile("sgd", loss="sparse_categorical_crossentropy")
    model.build(3)
    x = np.random.default_rng(4).normal(size=(8, 3)).astype(np.float32)
    before = model.get_weights()
    grads = model.compute_gradients(x, np.arange(8) % 2)
    assert [g.shape for g in grads] == [w.shape for w in model.trainable_weights]
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_summary_counts_trainable_and_non_trainable_params_like_keras():
    model = Sequential([Dense(4), BatchNormalization(), Dense(3)], seed=0)
    model.build(5)
    lines = []
    model.summary(print_fn=lines.append)
    assert " batch_normalization (BatchNormalization) (None, 4)" in "\n".join(lines)
    # Keras prints 151 total for a compiled model (with the optimizer's);
    # weights: 24 + 16 + 15, of which the 8 moving statistics are not trainable
    assert lines[-4:-1] == [
        "Total params: 55",
        "Trainable params: 47",
        "Non-trainable params: 8",
    ]


def test_config_round_trips_and_names_keras_settings():
    layer = BatchNormalization(momentum=0.9, epsilon=0.01, center=False, name="bn")
    config = layer.get_config()
    assert config == {
        "class_name": "BatchNormalization", "name": "bn", "axis": -1,
        "momentum": 0.9, "epsilon": 0.01, "center": False, "scale": True,
        "gamma_initializer": "ones", "beta_initializer": "zeros",
        "moving_mean_initializer": "zeros", "moving_variance_initializer": "ones",
    }  # fmt: skip
    model = Sequential([Dense(2), layer], seed=0)
    model.build(3)
    again = Sequential.from_config(model.get_config())
    assert again.get_config() == model.get_config()
    assert [w.shape for w in again.get_weights()] == [(3, 2), (2,), (2,), (2,), (2,)]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"axis": 0}, "axis must be -1 (or 1)"),
        ({"axis": 2}, "axis must be -1 (or 1)"),
        ({"momentum": 1.5}, "momentum must be in [0, 1]. Received: momentum=1.5"),
        ({"momentum": "0.9"}, "momentum must be a number"),
        ({"momentum": np.complex64(0.9)}, "momentum must be a number"),
        ({"epsilon": 1e-3 + 1j}, "epsilon must be a number"),
        ({"epsilon": 0}, "epsilon must be > 0 and finite. Received: epsilon=0"),
        ({"center": 1}, "center must be True or False. Received: 1"),
        ({"gamma_initializer": "uniform"}, "Unknown initializer: 'uniform'"),
    ],
)
def test_bad_settings_are_refused_with_the_value(settings, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        BatchNormalization(**settings)


def test_numpy_numbers_are_settings_as_in_keras():
    layer = BatchNormalization(momentum=np.float32(0.5), epsilon=np.float64(1e-2))
    assert (layer.momentum, layer.epsilon) == (0.5, 1e-2)
    assert type(layer.momentum) is float  # what get_config writes to JSON
