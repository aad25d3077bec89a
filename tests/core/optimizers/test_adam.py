import math

import numpy as np
import pytest

from minigenre import Adam


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
