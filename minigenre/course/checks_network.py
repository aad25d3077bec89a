"""Checks of the network tutorials (2 to 4): each takes the learner's function and the
tutorial's variables, returns a line of praise, or raises ``Wrong`` with a hint
naming what differs (which shape was expected, which step is missing).

Common mistakes are recognised by computing them too: an answer equal to a known
wrong variant gets that variant's hint rather than a bare "differs".
"""

from __future__ import annotations

import numpy as np

from minigenre import Adam, Dense, activations, losses
from minigenre.course.verdict import Wrong, as_array, same


# --- tutorial 2: a Dense layer by hand --------------------------------------------
def _relu_case():
    rng = np.random.default_rng(7)
    x, G = rng.normal(size=(6, 4)), rng.normal(size=(6, 2))
    layer = Dense(2, activation="relu")
    layer.build(4, rng, np.float64)
    layer.bias[...] = rng.normal(size=2)
    return x, G, layer


def check_relu_backward(fn, ns) -> str:
    x, G, layer = _relu_case()
    W, b = layer.kernel.copy(), layer.bias.copy()
    answer = fn(x, W, b, G)
    if not isinstance(answer, tuple | list) or len(answer) != 3:
        raise Wrong("return three arrays: (grad_W, grad_b, grad_x)")
    layer.forward(x, training=True)
    grad_x = layer.backward(G)
    unmasked = {"grad_W": x.T @ G, "grad_b": G.sum(axis=0), "grad_x": G @ W.T}
    g_pos = G * (G > 0)
    masked_on_g = {"grad_W": x.T @ g_pos, "grad_b": g_pos.sum(0), "grad_x": g_pos @ W.T}
    for (name, want, meaning), got in zip(
        [
            ("grad_W", layer.grad_kernel, "(in, units), the kernel's: x.T @ grad_z"),
            ("grad_b", layer.grad_bias, "(units,): grad_z summed over the batch"),
            ("grad_x", grad_x, "(batch, in): grad_z @ W.T"),
        ],
        answer,
        strict=True,
    ):
        got = as_array(got, name, want.shape, meaning)
        if name == "grad_b" and same(got, want / len(x)):
            raise Wrong(
                "grad_b is the mean over the batch: the loss already divides by the "
                "batch size, so each row's share adds up: sum over axis 0"
            )
        if same(got, masked_on_g[name]):
            raise Wrong(
                f"{name} masks where G > 0: the mask is ReLU's derivative, which "
                "depends on the layer's input to ReLU, z, not on the gradient"
            )
        if same(got, unmasked[name]):
            raise Wrong(f"{name} ignores the ReLU: grad_z = G * (z > 0), z = x @ W + b")
        if not same(got, want):
            gap = np.abs(got - want).max()
            raise Wrong(f"{name} differs from the package's by up to {gap:.2g}")
    return "your ReLU backward pass matches the package's Dense(activation='relu')"


def check_directional_derivative(fn, ns) -> str:
    rng = np.random.default_rng(11)
    w, d = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    kept = w.copy()

    def f(v):
        return float(np.sum(v**3) + np.sum(np.sin(v)))

    exact = float(np.sum((3 * w**2 + np.cos(w)) * d))  # gradient . direction
    got = fn(f, w, d)
    if not np.array_equal(w, kept):
        raise Wrong("your function changed w: evaluate f(w + h * d) and f(w - h * d)")
    if np.ndim(got) != 0:
        raise Wrong(f"return one number, not an array of shape {np.shape(got)}")
    if np.isclose(got, 2 * exact, rtol=1e-4):
        raise Wrong(
            "twice the derivative: divide by 2 * h, the distance between points"
        )
    error = abs(got - exact) / abs(exact)
    if error > 1e-3:
        raise Wrong(
            f"{got:.6g}, but gradient . d = {exact:.6g}: (f(w+hd) - f(w-hd)) / 2h"
        )
    if error > 1e-7:
        raise Wrong(
            f"relative error {error:.0e}: a one-sided difference? Central differences "
            "(f(w + h d) - f(w - h d)) / (2 h) are accurate to order h**2, not h"
        )
    # Now the real use: check a Dense layer's kernel gradient along a random direction.
    x, G, layer = _relu_case()
    layer.forward(x, training=True)
    layer.backward(G)
    analytic = float(np.sum(layer.grad_kernel * d[:, :2]))

    def loss(kernel):
        probe = Dense(2, activation="relu")
        probe.build(4, np.random.default_rng(0), np.float64)
        probe.kernel[...], probe.bias[...] = kernel, layer.bias
        return float(np.sum(G * probe.forward(x)))

    numeric = fn(loss, layer.kernel.copy(), d[:, :2])
    if abs(numeric - analytic) > 1e-6 * abs(analytic):
        raise Wrong(
            f"on a Dense layer: {numeric:.8g} vs the backward pass {analytic:.8g}"
        )
    return f"two loss evaluations check a whole gradient ({numeric:.8f})"


# --- tutorial 3: softmax and the loss ---------------------------------------------
def check_stable_softmax(fn, ns) -> str:
    z = np.array(
        [[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, -999.0]]
    )
    with np.errstate(all="ignore"):
        got = as_array(fn(z.copy()), "the result", z.shape, "one probability per logit")
    if not np.all(np.isfinite(got)):
        rows = sorted({int(i) for i in np.nonzero(~np.isfinite(got))[0]})
        raise Wrong(
            f"rows {rows} hold nan or inf: exp(1000) overflows, exp(-1000) is 0. "
            "Subtract each row's own maximum first (axis=-1, keepdims=True): "
            "softmax is unchanged, and the largest exp is 1"
        )
    sums = got.sum(axis=-1)
    if not np.allclose(sums, 1):
        raise Wrong(f"rows sum to {sums.round(4)}: divide by each row's sum (keepdims)")
    if not same(got, activations.softmax(z), rtol=1e-12):
        raise Wrong(
            "differs from minigenre's softmax: exp(z - max) / sum(exp(z - max))"
        )
    return "finite for logits near +-1000, and equal to minigenre's softmax"


def check_weighted_logit_gradient(fn, ns) -> str:
    rng = np.random.default_rng(3)
    z = rng.normal(scale=2.0, size=(16, 10))
    y = rng.integers(0, 10, size=16)
    w = rng.uniform(0.5, 4.0, size=16)
    probs = activations.softmax(z)
    got = as_array(fn(y, probs, w), "the gradient", z.shape, "(batch, classes)")
    want = losses.softmax_crossentropy_grad(y, probs, sample_weight=w)
    plain = losses.softmax_crossentropy_grad(y, probs)
    mistakes = [
        (plain, "the weights are missing: multiply each row by its weight, w[:, None]"),
        (want * 16 / w.sum(), "Keras divides by the batch size n, not by w.sum()"),
        (want * 16, "divide by n, the batch size: the batch loss is a mean"),
        (
            probs * w[:, None] / 16,
            "subtract 1 at each row's true class y (the one-hot)",
        ),
    ]
    for variant, hint in mistakes:
        if same(got, variant, rtol=1e-6):
            raise Wrong(hint)
    if not same(got, want, rtol=1e-6):
        raise Wrong(f"differs from the package by up to {np.abs(got - want).max():.2g}")
    return "your weighted gradient matches the package's (and so Keras's)"


# --- tutorial 4: Adam -------------------------------------------------------------
def _variant(w, grads, corrected, lr=0.001, beta_1=0.9, beta_2=0.999):
    """The paper's Adam with epsilon 0 and a common slip: ``corrected`` says which
    of (m, v) gets its bias correction, or "stuck" for t that stays at 1."""
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        step = 1 if corrected == "stuck" else t
        fix_m, fix_v = (True, True) if corrected == "stuck" else corrected
        m_hat = m / (1 - beta_1**step) if fix_m else m
        v_hat = v / (1 - beta_2**step) if fix_v else v
        w = w - lr * m_hat / np.sqrt(v_hat)
    return w


def check_paper_adam(fn, ns) -> str:
    rng = np.random.default_rng(5)
    w0 = rng.normal(size=20)
    steps = [
        rng.normal(size=20) * 10.0 ** rng.integers(-6, 1, size=20) for _ in range(8)
    ]
    keras_form = w0.copy()
    optimizer = Adam(epsilon=0.0)
    for g in steps:
        optimizer.apply_gradients([keras_form], [g])
    with np.errstate(all="ignore"):
        got = as_array(fn(w0.copy(), steps, epsilon=0.0), "w", w0.shape, "like w")
    if not np.all(np.isfinite(got)):
        raise Wrong(
            "nan or inf: the step count t starts at 1, so 1 - beta**t is never 0"
        )
    for corrected, hint in [
        ((False, False), "no bias correction: m and v start at 0, so early on both "
         "are too small; each needs its own correction"),
        ((True, False), "only m is corrected: v starts at 0 too and is too small "
         "early on, by its own factor"),
        ((False, True), "only v is corrected: m starts at 0 too"),
        ("stuck", "the correction never changes: is t incremented at every step?"),
    ]:  # fmt: skip
        if same(got, _variant(w0, steps, corrected), rtol=1e-9):
            raise Wrong(hint)
    if not np.allclose(got, keras_form, rtol=0, atol=1e-12):
        raise Wrong("with epsilon=0 both forms must agree: check m, v and the update")
    eps_hat = 1e-6  # one step: Keras's epsilon = eps_hat * sqrt(1 - beta_2)
    one_step = w0.copy()
    Adam(epsilon=eps_hat * np.sqrt(1 - 0.999)).apply_gradients([one_step], [steps[0]])
    got = np.asarray(fn(w0.copy(), steps[:1], epsilon=eps_hat), dtype=float)
    if not np.allclose(got, one_step, rtol=0, atol=1e-12):
        raise Wrong("epsilon is misplaced: the paper adds it to sqrt(v_hat), corrected")
    return "the paper's Adam and Keras's differ only in where epsilon sits"


# --- tutorial 9: backpropagation by autograd --------------------------------------
def check_tensor_tanh(fn, ns) -> str:
    tensor, mean = ns["Tensor"], ns["mean"]
    x = np.random.default_rng(9).normal(size=(3, 4))
    a = tensor(x.copy())
    out = fn(a)
    if not isinstance(out, tensor):
        raise Wrong(
            f"return a Tensor, not {type(out).__name__}: Tensor(value, (a,), ...)"
        )
    if not same(out.value, np.tanh(x)):
        raise Wrong("the value should be np.tanh(a.value)")
    if len(out.parents) != 1 or out.parents[0] is not a:
        raise Wrong("the parents should be (a,): the tensor the value came from")
    mean(out).backward()
    want = (1 - np.tanh(x) ** 2) / x.size
    if a.grad is None:
        raise Wrong("no gradient reached a: give the Tensor one vjp per parent")
    if same(a.grad, (1 - x**2) / x.size):
        raise Wrong("that is 1 - x**2: the derivative is 1 - tanh(x)**2, the output's")
    if same(a.grad, np.full_like(x, 1 / x.size) * (1 - np.tanh(x) ** 2) * x.size):
        raise Wrong("multiply by g, the gradient arriving from above, in the vjp")
    if not same(a.grad, want):
        raise Wrong("the gradient differs from g * (1 - tanh(a)**2)")
    return "a new primitive: everything built on it now has its gradient"


# --- the second round: a derivative from the output, predictions, step sizes ------
def check_elu_grad_from_output(fn, ns) -> str:
    z = np.array([-30.0, -3.0, -0.5, -1e-3, 1e-3, 0.5, 4.0])
    out = activations.elu(z)
    got = as_array(fn(out.copy()), "the derivative", z.shape, "one per output")
    want = np.where(z > 0, 1.0, out + 1.0)
    if same(got, np.where(z > 0, 1.0, np.exp(out))):
        raise Wrong(
            "exp(output) is not exp(z): for z <= 0 the output is exp(z) - 1, so "
            "exp(z) is the output plus 1"
        )
    if same(got, np.where(z > 0, 1.0, out)):
        raise Wrong("for z <= 0 the derivative is exp(z), the output plus 1")
    if same(got, np.where(z > 0, out, out + 1.0)):
        raise Wrong("for z > 0, ELU is z itself: its derivative there is 1")
    if not same(got, want):
        raise Wrong("differs from ELU's derivative exp(z) (z <= 0), 1 (z > 0)")
    return "the backward pass can reuse the forward's output: no exp twice"


def check_untrained_loss(fn, ns) -> str:
    got = float(fn())
    want = float(np.log(10))
    if np.isclose(got, 0.1):
        raise Wrong("0.1 is the probability; the loss is minus its logarithm")
    if np.isclose(got, 1.0):
        raise Wrong("log base 10: cross-entropy uses the natural logarithm")
    if np.isclose(got, np.log2(10)):
        raise Wrong("log base 2 (bits): Keras's loss uses the natural logarithm")
    if not np.isclose(got, want, rtol=1e-3):
        raise Wrong(
            f"{got:.4g}: an untrained model gives each of the 10 genres about the "
            "same probability; what is the loss of that probability?"
        )
    return f"log(10) = {want:.4f}: a first epoch's loss starts near it"


def check_epsilon_one_first_step(fn, ns) -> str:
    g = np.array([1e-3, 1.0, 100.0])
    weights = np.zeros(3)
    Adam(epsilon=1.0).apply_gradients([weights], [g])
    got = as_array(fn(), "your prediction", (3,), "one movement per gradient")
    if same(got, -weights, rtol=1e-3):
        raise Wrong("the sign: Adam moves against the gradient (w - step)")
    if same(got, np.full(3, -0.001), rtol=1e-3) or same(got, -0.001 * np.sign(g)):
        raise Wrong(
            "that is the step when epsilon is negligible; with epsilon = 1, next to "
            "sqrt(v) = sqrt(0.001) |g|, which gradients still move by lr?"
        )
    if not same(got, weights, rtol=1e-3):
        raise Wrong(
            "not yet: write the first step with m = 0.1 g, v = 0.001 g**2 and both "
            "corrections, then put in epsilon = 1"
        )
    return "epsilon = 1 damps small gradients: Adam becomes momentum SGD for them"


def check_step_size(fn, ns) -> str:
    ts = [1, 2, 10, 100, 10_000]
    want = [0.001 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t) for t in ts]
    with np.errstate(all="ignore"):
        got = [float(fn(t)) for t in ts]
    if same(got, [0.001 * (1 - 0.999**t) / (1 - 0.9**t) for t in ts]):
        raise Wrong("the square root: v holds squares, so its correction enters as one")
    if same(got, [0.001 * np.sqrt(1 - 0.9**t) / (1 - 0.999**t) for t in ts]):
        raise Wrong("beta_1 and beta_2 swapped: beta_1 belongs to m, the numerator")
    if not np.all(np.isfinite(got)):
        raise Wrong("nan or inf: the first step is t = 1, where 1 - beta**t is not 0")
    if not same(got, want, rtol=1e-9):
        raise Wrong(f"step_size(1) = {got[0]:.6g}: at t = 1, which factors are left?")
    return f"{want[0]:.2e} at t = 1, {want[-1]:.2e} once both corrections fade"


def check_tensor_mul(fn, ns) -> str:
    tensor, mean = ns["Tensor"], ns["mean"]
    rng = np.random.default_rng(12)
    x, y = rng.normal(size=(3, 4)), rng.normal(size=(4,))
    a, b = tensor(x.copy()), tensor(y.copy())
    out = fn(a, b)
    if not isinstance(out, tensor) or not same(out.value, x * y):
        raise Wrong("return a Tensor holding a.value * b.value")
    mean(out).backward()
    g = np.full_like(x, 1 / x.size)
    if a.grad is None or b.grad is None:
        raise Wrong("a gradient reached only one parent: one vjp per parent")
    if np.shape(b.grad) != y.shape:
        raise Wrong(
            f"b's gradient has shape {np.shape(b.grad)}, b has {y.shape}: NumPy "
            "broadcast b along the batch, so its gradient sums back over it"
        )
    if same(a.grad, g * x) or same(b.grad, (g * y).sum(axis=0)):
        raise Wrong("the vjps are swapped: d(a b)/da is b, not a")
    if not (same(a.grad, g * y) and same(b.grad, (g * x).sum(axis=0))):
        raise Wrong("the gradients differ from g * b (for a) and g * a (for b)")
    return "a product's gradient: each factor gets the other, summed where broadcast"


def check_tensor_div(fn, ns) -> str:
    tensor, mean = ns["Tensor"], ns["mean"]
    rng = np.random.default_rng(13)
    x, y = rng.normal(size=(2, 5)), rng.uniform(0.5, 2.0, size=(2, 5))
    a, b = tensor(x.copy()), tensor(y.copy())
    out = fn(a, b)
    if not isinstance(out, tensor) or not same(out.value, x / y):
        raise Wrong("return a Tensor holding a.value / b.value")
    mean(out).backward()
    g = 1 / x.size
    if a.grad is None or b.grad is None:
        raise Wrong("a gradient reached only one parent: one vjp per parent")
    if same(b.grad, -g * x / y):
        raise Wrong("d(a / b)/db is -a / b**2: the square is missing")
    if same(b.grad, g * x / y**2):
        raise Wrong("the sign of b's gradient: a larger b makes a / b smaller")
    if not (same(a.grad, g / y) and same(b.grad, -g * x / y**2)):
        raise Wrong("the gradients differ from g / b and -g * a / b**2")
    return "the quotient rule as two vjps"
