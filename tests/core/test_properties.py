"""Properties of the numerical core over generated shapes and values (hypothesis).

The hand-picked tests in layers/, losses/ and optimizers/ check
one case each; these check the same promises over hundreds of generated ones: every
backward pass against central differences, extreme logits, softmax rows, ELU and
relu against their own forward passes, and optimizers that keep weights finite.
"""

import warnings

import numpy as np
import pytest
from gradcheck import batch_gradients, numerical_gradient
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from reliability import examples, record

from minigenre import (
    SGD,
    Adam,
    Dense,
    Sequential,
    SparseCategoricalCrossentropy,
    losses,
)
from minigenre import activations as act

SECTION = "Numerical core"
F64_MAX = float(np.finfo(np.float64).max)


def floats_of(dtype, bound: float, **kwargs) -> st.SearchStrategy[float]:
    """Finite floats in ``[-bound, bound]`` that ``dtype`` represents exactly."""
    dtype = np.dtype(dtype)
    bound = min(float(bound), float(np.finfo(dtype).max))
    exact = float(dtype.type(bound))  # rounded to dtype, maybe up
    if exact > bound:
        exact = float(np.nextafter(dtype.type(exact), dtype.type(0)))
    width = 8 * dtype.itemsize
    return st.floats(-exact, exact, width=width, allow_nan=False, **kwargs)


def gradient_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """Worst difference, relative to the largest entry (absolute when all are tiny).

    Central differences with h=1e-6 carry ~1e-10 of rounding noise, so gradients
    far below that are compared on an absolute scale.
    """
    scale = max(np.abs(numeric).max(initial=0.0), 1e-3)
    return float(np.abs(analytic - numeric).max(initial=0.0) / scale)


# --- gradient checks over generated networks ------------------------------------------

HIDDEN = ["elu", "relu", "linear", "softmax"]


@st.composite
def networks(draw):
    """A float64 network, its data and loss: widths 1-5, 1-3 layers, any activation."""
    n_hidden = draw(st.integers(0, 2))
    hidden = [
        (draw(st.integers(1, 5)), draw(st.sampled_from(HIDDEN)))
        for _ in range(n_hidden)
    ]
    # The output: softmax on probabilities (the fused path), or any activation
    # whose output is read as logits.
    last = draw(st.sampled_from(["softmax", *HIDDEN]))
    from_logits = last != "softmax" or draw(st.booleans())
    classes = draw(st.integers(2, 5))
    return {
        "layers": [*hidden, (classes, last)],
        "from_logits": from_logits,
        "input_dim": draw(st.integers(1, 5)),
        "batch": draw(st.integers(1, 6)),
        "x_scale": 10 ** draw(st.floats(-1, 1)),
        "weighted": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


def build_network(spec):
    rng = np.random.default_rng(spec["seed"])
    layers = [Dense(units, activation=a) for units, a in spec["layers"]]
    model = Sequential(layers, seed=spec["seed"], dtype="float64")
    model.compile("sgd", SparseCategoricalCrossentropy(spec["from_logits"]))
    model.build(spec["input_dim"])
    # Random biases too: zero biases would put every relu kink at x = 0.
    model.set_weights([rng.normal(size=w.shape) for w in model.get_weights()])
    x = rng.normal(size=(spec["batch"], spec["input_dim"])) * spec["x_scale"]
    y = rng.integers(0, spec["layers"][-1][0], size=spec["batch"])
    weight = rng.uniform(0.1, 3, size=spec["batch"]) if spec["weighted"] else None
    return model, x, y, weight


@examples(60)
@given(networks())
def test_model_gradients_match_central_differences(spec):
    model, x, y, weight = build_network(spec)
    a = x
    for layer in model.layers:
        a = layer.forward(a, training=True)
        if layer.activation == "relu":  # a finite difference across a kink is wrong
            assume(np.abs(layer.z).min() > 1e-4)
    _, grads = batch_gradients(model, x, y, weight)
    weights = [w for layer in model.layers for w in layer.weights]
    for analytic, w in zip(grads, weights, strict=True):
        numeric = numerical_gradient(lambda: batch_gradients(model, x, y, weight)[0], w)
        assert gradient_error(analytic, numeric) <= 1e-5
    fused = model.layers[-1].activation == "softmax" and not model.loss.from_logits
    path = "fused" if fused else "chain rule"
    record(SECTION, "Gradient check, generated networks", f"matches ({path})")


@examples(40)
@given(
    units=st.integers(1, 6),
    input_dim=st.integers(1, 6),
    batch=st.integers(1, 6),
    activation=st.sampled_from(HIDDEN),
    seed=st.integers(0, 2**32 - 1),
)
def test_dense_input_gradient_matches_central_differences(
    units, input_dim, batch, activation, seed
):
    rng = np.random.default_rng(seed)
    layer = Dense(units, activation=activation, bias_initializer="ones")
    layer.build(input_dim, rng, dtype=np.float64)
    x = rng.normal(size=(batch, input_dim))
    upstream = rng.normal(size=(batch, units))
    layer.forward(x, training=True)
    if activation == "relu":
        assume(np.abs(layer.z).min() > 1e-4)
    grad_x = layer.backward(upstream)  # (batch, input_dim)
    numeric = numerical_gradient(lambda: (upstream * layer.forward(x)).sum(), x)
    assert gradient_error(grad_x, numeric) <= 1e-5
    record(SECTION, "Gradient check, Dense input gradient", "matches")


# --- extreme logits -------------------------------------------------------------------


@st.composite
def logits_and_labels(draw, bound=1e4):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    n, k = draw(st.integers(1, 8)), draw(st.integers(2, 10))
    logits = draw(arrays(dtype, (n, k), elements=floats_of(dtype, bound)))
    labels = draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    return logits, labels


def reference_loss(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``logsumexp(z) - z[y]`` in float64 through ``logaddexp``: no shift, no clip."""
    z = logits.astype(np.float64)
    return np.logaddexp.reduce(z, axis=1) - z[np.arange(len(z)), labels]


@examples(100)
@given(logits_and_labels())
def test_logits_up_to_1e4_give_finite_correct_loss_and_gradient(case):
    logits, labels = case
    eps = np.finfo(logits.dtype).eps
    loss = losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    # Both sides round in proportion to the largest logit magnitude in the row.
    size = np.abs(logits).max(axis=1).astype(np.float64)
    assert np.isfinite(loss).all()
    assert (loss >= 0).all()
    error = np.abs(loss - reference_loss(logits, labels))
    assert (error <= 16 * eps * (1 + 2 * size)).all()
    grad = SparseCategoricalCrossentropy(from_logits=True).gradient(labels, logits)
    n = len(logits)
    assert np.isfinite(grad).all()
    assert (np.abs(grad) <= (1 + 8 * eps) / n).all()  # (p - onehot) / n
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=16 * eps / n)
    record(SECTION, "Logits up to ±1e4: loss and gradient", "finite and correct")


@examples(60)
@given(logits_and_labels())
def test_extreme_logits_through_the_model_give_finite_gradients(case):
    logits, labels = case
    k = logits.shape[1]
    # A softmax layer with an identity kernel: its pre-activation z is the logits,
    # and the loss is taken from them (the fused path of every softmax model).
    model = Sequential([Dense(k, activation="softmax")], dtype=logits.dtype)
    model.compile("adam")
    model.set_weights([np.eye(k), np.zeros(k)])
    loss, grads = batch_gradients(model, logits, labels)
    assert np.isfinite(loss)
    assert all(np.isfinite(g).all() for g in grads)
    # The unfused path: cross-entropy of the probabilities (0 and 1 among them),
    # clipped as Keras clips them, and its gradient through softmax.
    probs = act.softmax(logits)
    loss_fn = SparseCategoricalCrossentropy(from_logits=False)
    assert np.isfinite(loss_fn(labels, probs))
    grad_z = act.softmax_grad(logits, probs, loss_fn.gradient(labels, probs))
    assert np.isfinite(grad_z).all()
    record(SECTION, "Logits up to ±1e4 through Sequential", "finite loss and gradients")


# --- softmax --------------------------------------------------------------------------

# |z| <= max/2 keeps z - max(z) finite; beyond, see the overflow test below.
WIDE = F64_MAX / 2


SPANS = {1e4: "±1e4", 1e30: "±1e30", WIDE: "±9e307 (max/2)"}


@pytest.mark.parametrize("bound", list(SPANS), ids=list(SPANS.values()))
@examples(40)
@given(data=st.data())
def test_softmax_rows_are_distributions(bound, data):
    dtype = data.draw(st.sampled_from([np.float32, np.float64]), label="dtype")
    shape = st.tuples(st.integers(1, 6), st.integers(1, 10))
    elements = floats_of(dtype, min(bound, float(np.finfo(dtype).max) / 2))
    z = data.draw(arrays(dtype, shape, elements=elements), label="logits")
    eps = np.finfo(z.dtype).eps
    p = act.softmax(z)
    assert p.dtype == z.dtype
    assert ((p >= 0) & (p <= 1)).all()
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=0, atol=z.shape[1] * eps)
    # Monotone: the largest logit gets the largest probability (maybe tied: logits
    # 1e-211 apart have equal probabilities).
    rows = np.arange(len(z))
    np.testing.assert_array_equal(p[rows, z.argmax(axis=1)], p.max(axis=1))
    span = SPANS[bound]
    record(SECTION, f"Softmax rows, logits up to {span}", "sum to 1, in [0, 1]")


@examples(60)
@given(
    z=arrays(np.float64, (3, 4), elements=floats_of(np.float64, 1e3)),
    shift=floats_of(np.float64, 1e3),
)
def test_softmax_ignores_a_shift_of_every_logit(z, shift):
    np.testing.assert_allclose(act.softmax(z + shift), act.softmax(z), atol=1e-12)
    record(SECTION, "Softmax shift invariance", "unchanged")


# --- ELU and relu: backward consistent with forward -----------------------------------


@examples(100)
@given(
    st.sampled_from([np.float32, np.float64]).flatmap(
        lambda dtype: arrays(
            dtype,
            st.integers(1, 20),
            elements=floats_of(dtype, float(np.finfo(dtype).max)),
        )
    )
)
def test_elu_and_relu_forward_and_backward_on_every_finite_input(z):
    eps = np.finfo(z.dtype).eps
    grad_a = np.ones_like(z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not even an overflow warning
        a = act.elu(z)
        grad = act.elu_grad(z, a, grad_a)
        r = act.relu(z)
        grad_r = act.relu_grad(z, r, grad_a)
    assert np.isfinite(a).all()
    assert np.isfinite(grad).all()
    assert (a >= -1).all()
    np.testing.assert_array_equal(a[z > 0], z[z > 0])
    # d elu / dz is 1 for z > 0 and exp(z) below: the derivative computed from scratch
    # (the package reuses the output, a + 1, instead).
    with np.errstate(under="ignore"):
        expected = np.where(z > 0, 1, np.exp(np.minimum(z, 0)))
    assert (np.abs(grad - expected) <= 2 * eps).all()
    np.testing.assert_array_equal(r, np.where(z > 0, z, 0))
    np.testing.assert_array_equal(grad_r, (z > 0).astype(z.dtype))
    record(SECTION, "ELU/relu on any finite input", "finite, backward = derivative")


@examples(60)
@given(
    z=arrays(
        np.float64,
        st.integers(1, 10),
        elements=st.floats(-30, 30).filter(lambda v: abs(v) > 1e-4),
    ),
    grad_a=arrays(np.float64, 1, elements=st.floats(-10, 10)),
)
def test_elu_and_relu_backward_match_central_differences(z, grad_a):
    h = 1e-6
    for f, f_grad in (act.ACTIVATIONS["elu"], act.ACTIVATIONS["relu"]):
        analytic = f_grad(z, f(z), np.broadcast_to(grad_a, z.shape))
        # Elementwise functions: one central difference per element, all at once.
        numeric = grad_a * (f(z + h) - f(z - h)) / (2 * h)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-7)
    record(SECTION, "ELU/relu backward vs central differences", "matches")


# --- optimizers -----------------------------------------------------------------------


@st.composite
def optimizer_cases(draw, kind):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    info = np.finfo(dtype)
    shape = draw(st.integers(1, 8))
    steps = draw(st.integers(1, 5))
    lr = draw(st.floats(1e-6, 10))
    if kind == "adam":
        # |g| < sqrt(max): g**2, Adam's second moment, stays finite (see the spike
        # test below for what happens beyond).
        bound = float(np.sqrt(info.max)) / 2
        optimizer = Adam(learning_rate=lr)
    else:
        # Five steps of lr * g must stay in range: the weights are finite only if
        # their exact result is.
        bound = float(info.max) / 200
        optimizer = SGD(learning_rate=lr, momentum=draw(st.floats(0, 1)))
    w = draw(arrays(dtype, shape, elements=floats_of(dtype, float(info.max) / 4)))
    grads = [
        draw(arrays(dtype, shape, elements=floats_of(dtype, bound)))
        for _ in range(steps)
    ]
    return optimizer, w, grads


@examples(100)
@given(optimizer_cases("adam"))
def test_adam_keeps_weights_finite_and_steps_at_most_the_learning_rate(case):
    optimizer, w, grads = case
    eps = np.finfo(w.dtype).eps
    before = w.copy()
    optimizer.apply_gradients([w], [grads[0]])
    # Keras's bias correction makes the first step lr * g / (|g| + eps'): at most
    # lr, give or take float32's rounding of beta_2.
    moved = np.abs(w.astype(np.float64) - before)
    assert (
        moved <= optimizer.learning_rate * (1 + 1e-4) + 2 * eps * np.abs(before)
    ).all()
    for g in grads[1:]:
        optimizer.apply_gradients([w], [g])
    assert np.isfinite(w).all()
    record(SECTION, "Adam, finite gradients |g| < sqrt(max)", "weights finite")


@examples(100)
@given(optimizer_cases("sgd"))
def test_sgd_keeps_weights_finite(case):
    optimizer, w, grads = case
    for g in grads:
        optimizer.apply_gradients([w], [g])
    assert np.isfinite(w).all()
    record(SECTION, "SGD (any momentum), finite in-range steps", "weights finite")


# --- gaps these properties found in the core, now closed ---------------------------


def test_adam_survives_a_gradient_spike():
    w = np.array([1.0], np.float32)
    adam = Adam()
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            adam.apply_gradients([w], [np.array([1e20], np.float32)])  # finite
            adam.apply_gradients([w], [np.array([1.0], np.float32)])
        except ValueError:
            return  # a clear refusal keeps the promise too
    assert np.isfinite(w).all()


@pytest.mark.parametrize("optimizer", [Adam, SGD])
def test_an_infinite_learning_rate_is_refused(optimizer):
    with pytest.raises(ValueError, match="learning_rate"):
        optimizer(learning_rate=float("inf"))


def test_softmax_of_logits_spanning_the_whole_float_range_does_not_warn():
    z = np.array([[F64_MAX, -F64_MAX]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(act.softmax(z), [[1.0, 0.0]])
        np.testing.assert_array_equal(losses.log_softmax(z), [[0.0, -np.inf]])
