import numpy as np
from gradcheck import numerical_gradient, relative_error

from minigenre.activations import output


def test_softmax_is_stable_for_huge_logits():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    p = output.softmax(z)
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[0], [1, 0, 0])


def test_sigmoid_golden_values_and_no_overflow_warning():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = output.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    assert out.tolist() == [0.0, 0.5, 1.0]


def test_softmax_rows_sum_to_one_and_its_derivative_matches_central_differences():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(3, 5))
    np.testing.assert_allclose(output.softmax(z).sum(axis=1), 1.0)
    grad_a = rng.normal(size=z.shape)
    numeric = numerical_gradient(lambda: (output.softmax(z) * grad_a).sum(), z)
    analytic = output.softmax_grad(z, output.softmax(z), grad_a)
    assert relative_error(analytic, numeric) <= 1e-8
