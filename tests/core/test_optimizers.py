import math

import numpy as np
import pytest

from minigenre import SGD, Adam
from minigenre.optimizers import get


def test_adam_matches_the_formula_step_by_step():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(3, 2))
    grads = [rng.normal(size=(3, 2)) for _ in range(5)]
    opt = Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.95, epsilon=1e-7)
    # The formula written out with Python floats, one weight at a time.
    expected = w.copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        opt.apply_gradients([w], [g])
        alpha = 0.01 * math.sqrt(1 - 0.95**t) / (1 - 0.8**t)
        for i in np.ndindex(w.shape):
            m[i] = m[i] + (g[i] - m[i]) * (1 - 0.8)
            v[i] = v[i] + (g[i] ** 2 - v[i]) * (1 - 0.95)
            expected[i] -= alpha * m[i] / (math.sqrt(v[i]) + 1e-7)
        np.testing.assert_allclose(w, expected, rtol=1e-14, atol=0)
    assert opt.iterations == 5


def test_adam_first_step_moves_by_learning_rate():
    # With m = (1-b1) g and v = (1-b2) g^2, the bias-corrected step is lr * sign(g).
    # Only for gradients so small that sqrt(v) nears epsilon does the step shrink.
    g = np.array([3, -2, 50, 1e-3], dtype=np.float32)
    w = np.zeros(4, dtype=np.float32)
    Adam(learning_rate=0.001).apply_gradients([w], [g])
    # In float32, as Keras: 1 - 0.999**1 and the factor (1 - 0.999) round apart.
    f32 = np.float32
    alpha = f32(0.001) * np.sqrt(f32(1) - f32(0.999)) / (f32(1) - f32(0.9))
    m, v = g * f32(1 - 0.9), np.square(g) * f32(1 - 0.999)
    np.testing.assert_allclose(w, -alpha * m / (np.sqrt(v) + f32(1e-7)), rtol=1e-6)
    np.testing.assert_allclose(w[:3], [-0.001, 0.001, -0.001], rtol=1e-4)
    assert w[3] == pytest.approx(-0.001 * 0.99685, rel=1e-4)  # epsilon's 0.3%


def test_adam_keeps_float32():
    w = np.ones(3, dtype=np.float32)
    Adam().apply_gradients([w], [np.ones(3, dtype=np.float32)])
    assert w.dtype == np.float32


def test_sgd_plain_and_momentum_match_the_formula():
    w = np.array([1.0, -1.0])
    g = np.array([0.5, 2.0])
    SGD(learning_rate=0.1).apply_gradients([w], [g])
    np.testing.assert_allclose(w, [0.95, -1.2])
    w = np.array([1.0, -1.0])
    opt = SGD(learning_rate=0.1, momentum=0.9)
    u = np.zeros(2)
    expected = w.copy()
    for _ in range(3):
        opt.apply_gradients([w], [g])
        u = 0.9 * u - 0.1 * g
        expected = expected + u
        np.testing.assert_allclose(w, expected, rtol=1e-15)


def test_names_resolve():
    assert isinstance(get("adam"), Adam)
    assert isinstance(get("SGD"), SGD)


def test_unknown_optimizer_lists_valid_names():
    with pytest.raises(
        ValueError, match=r"Unknown optimizer: 'adamm'.*adam, rmsprop, sgd"
    ):
        get("adamm")


def test_a_keras_optimizer_minigenre_lacks_is_refused_naming_what_it_has():
    with pytest.raises(
        ValueError,
        match=r"^The Keras optimizer 'Nadam' is not in minigenre; use one of "
        r"adam, rmsprop, sgd\.$",
    ):
        get("Nadam")


def test_bad_hyperparameters():
    with pytest.raises(ValueError, match=r"learning_rate must be > 0. Received: -1"):
        Adam(learning_rate=-1)
    with pytest.raises(ValueError, match=r"beta_1 must be in \[0, 1\). Received"):
        Adam(beta_1=1.0)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\]"):
        SGD(momentum=2)


@pytest.mark.parametrize(
    ("momentum", "centered"), [(0.0, False), (0.5, False), (0.0, True), (0.9, True)]
)
def test_rmsprop_matches_keras_formula_step_by_step(momentum, centered):
    from minigenre.optimizers import RMSprop

    rng = np.random.default_rng(0)
    w = rng.normal(size=5)
    w_ref = w.copy()
    v, mg, u = np.zeros(5), np.zeros(5), np.zeros(5)
    lr, rho, eps = 0.01, 0.9, 1e-7
    opt = RMSprop(learning_rate=lr, momentum=momentum, centered=centered)
    for _ in range(4):
        g = rng.normal(size=5)
        opt.apply_gradients([w], [g])
        v = rho * v + (1 - rho) * g**2
        mg = rho * mg + (1 - rho) * g
        denominator = v - mg**2 + eps if centered else v + eps
        step = lr * g / np.sqrt(denominator)
        u = momentum * u + step
        w_ref -= u if momentum else step
    np.testing.assert_allclose(w, w_ref, rtol=1e-14)
    assert opt.iterations == 4
    assert list(opt.get_state()) == (
        ["velocity"] + ["momentum"] * (momentum > 0) + ["average_gradient"] * centered
    )


def test_rmsprop_keeps_float32_and_refuses_bad_settings():
    from minigenre.optimizers import RMSprop

    w = np.ones(3, np.float32)
    RMSprop().apply_gradients([w], [np.ones(3, np.float32)])
    assert w.dtype == np.float32
    with pytest.raises(ValueError, match=r"^rho must be in \[0, 1\). Received: rho=1"):
        RMSprop(rho=1)
    with pytest.raises(ValueError, match=r"^momentum must be in \[0, 1\)"):
        RMSprop(momentum=-0.1)
    assert type(get("RMSprop")).__name__ == "RMSprop"
