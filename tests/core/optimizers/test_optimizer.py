import numpy as np
import pytest

from minigenre import SGD, Adam, optimizers
from minigenre.compat import AdamOptimizer
from minigenre.optimizers import Optimizer, RMSprop

KINDS = [Adam, SGD, RMSprop]


@pytest.mark.parametrize("kind", KINDS)
def test_every_optimizer_starts_at_step_zero_with_its_learning_rate(kind):
    optimizer = kind(learning_rate=0.25)
    assert isinstance(optimizer, Optimizer)
    assert optimizer.iterations == 0
    assert optimizer.jit_compile == "auto"
    assert next(iter(optimizer.get_config().items())) == ("learning_rate", 0.25)
    w, g = np.ones(3), np.full(3, 0.5)
    optimizer.apply_gradients([w], [g])
    optimizer.apply_gradients([w], [g])
    assert optimizer.iterations == 2


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), "0.1", 1j])
def test_every_optimizer_checks_the_learning_rate_the_same_way(kind, bad):
    with pytest.raises((ValueError, TypeError), match="learning_rate"):
        kind(learning_rate=bad)


@pytest.mark.parametrize("kind", KINDS)
def test_every_optimizer_checks_jit_compile(kind):
    with pytest.raises(ValueError, match="jit_compile"):
        kind(jit_compile="sometimes")
    assert kind(jit_compile=False).jit_compile is False


def test_repr_shows_the_class_and_every_setting_by_keras_names():
    assert repr(Adam()) == (
        "Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07)"
    )
    assert repr(SGD(momentum=0.5)) == "SGD(learning_rate=0.01, momentum=0.5)"
    assert repr(RMSprop(centered=True)) == (
        "RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07, "
        "centered=True)"
    )
    # TensorFlow 1's name is an Adam with its own defaults, shown as the Adam it is.
    assert repr(AdamOptimizer()) == (
        "Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-08)"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_get_config_rebuilds_the_optimizer(kind):
    optimizer = kind(learning_rate=0.02)
    again = kind(**optimizer.get_config())
    assert again.get_config() == optimizer.get_config()
    assert repr(again) == repr(optimizer)


def test_get_passes_any_optimizer_through():
    tf1 = AdamOptimizer()
    assert optimizers.get(tf1) is tf1
    with pytest.raises(ValueError, match="Unknown optimizer: 3"):
        optimizers.get(3)
