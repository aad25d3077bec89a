import numpy as np
import pytest

from minigenre.losses import EPSILON, log_softmax


def test_epsilon_is_keras_backend_epsilon():
    assert EPSILON == 1e-7


def test_log_softmax_is_the_log_of_the_softmax():
    z = np.random.default_rng(0).normal(size=(6, 4))
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(log_softmax(z), np.log(p), rtol=1e-12)


@pytest.mark.parametrize("scale", [1e3, 1e30, 3e38])
def test_finite_for_logits_of_any_size(scale):
    z = np.array([[scale, -scale, 0.0]], dtype=np.float32)
    out = log_softmax(z)
    assert out[0, 0] == 0  # the largest logit's probability is 1
    assert np.isneginf(out[0, 1]) or np.isfinite(out[0, 1])
    assert not np.isnan(out).any()
