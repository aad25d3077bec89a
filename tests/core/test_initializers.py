"""The initializers: Keras's limits, the model's generator, and their names."""

import numpy as np
import pytest

from minigenre import initializers


def test_glorot_uniform_stays_within_keras_limit_and_fills_it():
    w = initializers.glorot_uniform((264, 128), np.random.default_rng(0))
    limit = np.sqrt(6 / (264 + 128))  # 0.1237...
    assert w.dtype == np.float32
    assert w.shape == (264, 128)
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.99 * limit  # 33,792 draws reach the edge
    assert abs(w.mean()) < 0.01 * limit


def test_he_uniform_limit_depends_on_fan_in_only():
    w = initializers.he_uniform((6, 1000), np.random.default_rng(1), np.float64)
    assert w.dtype == np.float64
    assert np.abs(w).max() <= 1.0  # sqrt(6 / 6)
    assert np.abs(w).max() > 0.99


def test_the_same_generator_state_gives_the_same_weights():
    a = initializers.glorot_uniform((3, 2), np.random.default_rng(7))
    b = initializers.glorot_uniform((3, 2), np.random.default_rng(7))
    assert a.tobytes() == b.tobytes()


def test_zeros_and_ones_draw_nothing():
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    assert initializers.zeros((2,), rng).tolist() == [0.0, 0.0]
    assert initializers.ones((2,), rng, np.float64).tolist() == [1.0, 1.0]
    assert rng.bit_generator.state == state


def test_get_resolves_names_and_passes_callables():
    assert initializers.get("he_uniform") is initializers.he_uniform

    def custom(shape, rng, dtype):
        return np.full(shape, 0.5, dtype)

    assert initializers.get(custom) is custom
    with pytest.raises(ValueError, match=r"Unknown initializer: 'normal'. Valid"):
        initializers.get("normal")


def test_name_of_names_each_known_initializer_and_refuses_a_custom_one():
    for name, function in initializers.INITIALIZERS.items():
        assert initializers.name_of(function) == name
    with pytest.raises(ValueError, match="Cannot save a custom initializer"):
        initializers.name_of(lambda shape, rng, dtype: None)
