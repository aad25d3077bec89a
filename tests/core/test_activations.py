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
    with pytest.raises(ValueError, match=r"Unknown activation: 'selu'.*elu, linear"):
        activations.get("selu")


@pytest.mark.parametrize("name", ["linear", "relu", "elu", "softmax"])
def test_minigenre_functions_are_accepted_by_identity(name):
    function = activations.ACTIVATIONS[name][0]
    assert activations.get(function)[0] == name


@pytest.mark.parametrize(
    ("module", "function_name", "expected"),
    [
        ("tensorflow.python.ops.gen_nn_ops", "elu", "elu"),  # tf.nn.elu
        ("tensorflow.python.ops.gen_nn_ops", "relu", "relu"),  # tf.nn.relu
        ("tensorflow.python.ops.nn_ops", "softmax_v2", "softmax"),  # tf.nn.softmax
        ("keras.src.activations.activations", "elu", "elu"),
        ("keras.src.activations.activations", "linear", "linear"),
    ],
)
def test_tensorflow_and_keras_functions_are_known_by_module_and_name(
    module, function_name, expected
):
    # Stand-ins defined where TensorFlow's are, so no TensorFlow is needed here; the
    # real functions are checked in tests/reference/test_keras_files.py.
    def stand_in(x):
        return x

    stand_in.__module__, stand_in.__name__ = module, function_name
    assert activations.get(stand_in)[0] == expected


def test_unknown_function_is_refused_with_its_name():
    def softplus(x):
        return np.log1p(np.exp(x))

    with pytest.raises(ValueError, match=r"Unknown activation: <function .*softplus"):
        activations.get(softplus)
    softplus.__module__ = "tensorflow.python.ops.gen_nn_ops"  # known module, not name
    with pytest.raises(ValueError, match="Unknown activation"):
        activations.get(softplus)


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_sigmoid_and_tanh_gradients_match_central_differences(name):
    f, f_grad = activations.ACTIVATIONS[name]
    z = np.random.default_rng(0).normal(size=(3, 4))
    grad_a = np.random.default_rng(1).normal(size=(3, 4))
    numeric = numerical_gradient(lambda: (f(z) * grad_a).sum(), z)
    assert relative_error(f_grad(z, f(z), grad_a), numeric) < 1e-8
