import numpy as np

from minigenre import SGD


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
