import numpy as np
import pytest
from gradcheck import numerical_gradient, relative_error

from minigenre.activations import hidden


def test_elu_is_accurate_near_zero():
    # expm1 keeps full relative precision where exp(z) - 1 would cancel.
    z = np.array([-1e-10], dtype=np.float32)
    assert hidden.elu(z)[0] == pytest.approx(-1e-10, rel=1e-6)


@pytest.mark.parametrize("name", ["linear", "relu", "elu", "tanh"])
def test_each_derivative_matches_central_differences(name):
    f, f_grad = getattr(hidden, name), getattr(hidden, f"{name}_grad")
    rng = np.random.default_rng(2)
    z = rng.normal(size=(3, 4))
    z[np.abs(z) < 1e-3] = 0.5  # clear of the kinks of relu and elu
    grad_a = rng.normal(size=z.shape)
    numeric = numerical_gradient(lambda: (f(z) * grad_a).sum(), z)
    assert relative_error(f_grad(z, f(z), grad_a), numeric) <= 1e-6


def test_elu_with_another_alpha_takes_its_slope_from_the_output():
    z = np.array([-2.0, -0.5, 0.5, 3.0])
    a = hidden.elu(z, alpha=0.5)
    np.testing.assert_allclose(a[:2], 0.5 * np.expm1(z[:2]))
    grad = hidden.elu_grad(z, a, np.ones(4), alpha=0.5)
    np.testing.assert_allclose(grad, [0.5 * np.exp(-2.0), 0.5 * np.exp(-0.5), 1, 1])
