import numpy as np
import pytest
from gradcheck import numerical_gradient, relative_error

from minigenre import activations


def test_golden_values():
    z = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    np.testing.assert_allclose(activations.relu(z), [[0, 0, 0, 0.5, 3.0]])
    np.testing.assert_allclose(
        activations.elu(z), [[np.exp(-2) - 1, np.exp(-0.5) - 1, 0, 0.5, 3.0]]
    )
    np.testing.assert_allclose(activations.linear(z), z)
    e = np.exp(z - 3.0)
    np.testing.assert_allclose(activations.softmax(z), e / e.sum(), rtol=1e-15)


def test_elu_is_accurate_near_zero():
    # expm1 keeps full relative precision where exp(z) - 1 would cancel.
    z = np.array([-1e-10], dtype=np.float32)
    assert activations.elu(z)[0] == pytest.approx(-1e-10, rel=1e-6)


def test_softmax_is_stable_for_huge_logits():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    p = activations.softmax(z)
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[0], [1, 0, 0])


@pytest.mark.parametrize("name", ["linear", "relu", "elu", "softmax"])
def test_backward_matches_central_differences(name):
    rng = np.random.default_rng(1)
    _, (f, f_grad) = activations.get(name)
    z = rng.normal(size=(4, 5))
    z[np.abs(z) < 1e-3] = 0.5  # stay clear of the kinks of relu and elu
    upstream = rng.normal(size=z.shape)  # dL/da for L = sum(upstream * f(z))
    analytic = f_grad(z, f(z), upstream)
    numeric = numerical_gradient(lambda: (upstream * f(z)).sum(), z)
    assert relative_error(analytic, numeric) <= 1e-6


def test_none_means_linear():
    assert activations.get(None)[0] == "linear"


def test_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown activation: 'tanh'.*elu, linear"):
        activations.get("tanh")
