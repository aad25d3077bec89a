import numpy as np
import pytest
from gradcheck import numerical_gradient, relative_error

from minigenre import Dense, initializers


def built_dense(activation, units=3, input_dim=4, seed=0):
    layer = Dense(units, activation=activation, bias_initializer="ones")
    layer.build(input_dim, np.random.default_rng(seed), dtype=np.float64)
    return layer


def test_build_shapes_and_forward():
    layer = built_dense("linear")
    assert layer.kernel.shape == (4, 3)
    assert layer.bias.shape == (3,)
    x = np.arange(8.0).reshape(2, 4)
    np.testing.assert_allclose(layer.forward(x), x @ layer.kernel + 1.0)


def test_no_bias():
    layer = Dense(2, use_bias=False)
    layer.build(3, np.random.default_rng(0))
    assert layer.bias is None
    assert len(layer.weights) == 1
    assert layer.count_params() == 6


@pytest.mark.parametrize("activation", ["linear", "relu", "elu", "softmax"])
def test_backward_matches_central_differences(activation):
    rng = np.random.default_rng(2)
    layer = built_dense(activation)
    x = rng.normal(size=(5, 4))
    upstream = rng.normal(size=(5, 3))

    def loss():
        return (upstream * layer.forward(x)).sum()

    layer.forward(x, training=True)
    grad_x = layer.backward(upstream)
    for analytic, wrt in [
        (grad_x, x),
        (layer.grad_kernel, layer.kernel),
        (layer.grad_bias, layer.bias),
    ]:
        numeric = numerical_gradient(loss, wrt)
        assert relative_error(analytic, numeric) <= 1e-6


def test_glorot_uniform_limit_empirically():
    fan_in, fan_out = 264, 128
    limit = np.sqrt(6 / (fan_in + fan_out))
    w = initializers.glorot_uniform((fan_in, fan_out), np.random.default_rng(0))
    assert w.dtype == np.float32
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.999 * limit  # 33,792 draws reach the edge
    assert w.var() == pytest.approx(limit**2 / 3, rel=0.02)  # var of U(-l, l)
    assert abs(w.mean()) < 0.01 * limit


def test_repr_names_units_and_activation():
    assert repr(Dense(7, activation="elu")).startswith(
        "Dense(units=7, activation='elu'"
    )


@pytest.mark.parametrize(("units", "error"), [(0, ValueError), (-1, ValueError)])
def test_units_must_be_positive(units, error):
    with pytest.raises(error, match=f"Received: units={units}"):
        Dense(units)


def test_units_must_be_an_integer():
    with pytest.raises(TypeError, match=r"Received: units=2\.5"):
        Dense(2.5)


def test_unknown_initializer():
    with pytest.raises(ValueError, match=r"Unknown initializer: 'nope'.*glorot"):
        Dense(2, kernel_initializer="nope")
