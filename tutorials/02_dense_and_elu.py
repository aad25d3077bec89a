# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Tutorial 2: a Dense layer and ELU by hand
#
# The study's hidden layer is `Dense(128, activation="elu")`. This tutorial builds
# one such layer in a few lines of NumPy, forward and backward, compares it with
# minigenre's `Dense`, and then checks the backward pass the way every hand-written
# gradient should be checked: against finite differences, which need no calculus at
# all.
#
# Everything here runs in float64. Training uses float32, like Keras, but a gradient
# check compares two numbers that should agree to many digits, and float32 has only
# about seven; the end of the tutorial shows what goes wrong with it.
#
# **Needs:** minigenre only (NumPy, pandas and matplotlib).

# %%
# %matplotlib inline
import numpy as np
from matplotlib.figure import Figure

from minigenre import Dense, activations
from minigenre.course import check, show_figure
from minigenre.initializers import glorot_uniform

# %% [markdown]
# ## Forward: $a = f(xW + b)$
#
# A batch of inputs `x` has one row per example, shape (batch, in). The layer holds a
# kernel `W` of shape (in, units) and a bias `b` of shape (units,). Every unit takes
# a weighted sum of the inputs plus its bias, $z = xW + b$, shape (batch, units), and
# applies the activation. ELU, the study's activation, is
#
# $$\mathrm{elu}(z) = \begin{cases} z & z > 0 \\ e^z - 1 & z \le 0 \end{cases}$$
#
# A small layer (5 inputs, 3 units, a batch of 4) keeps every array printable. The
# kernel starts the way Keras starts it (Glorot uniform); the bias is random rather
# than Keras's zeros, so that a mistake in the bias would show.

# %%
rng = np.random.default_rng(0)
x = rng.normal(size=(4, 5))  # (batch, in)
W = glorot_uniform((5, 3), rng, np.float64)  # (in, units)
b = rng.normal(scale=0.5, size=3)  # (units,)

z = x @ W + b  # (batch, units); b is added to every row
a = np.where(z > 0, z, np.exp(z) - 1)  # ELU, written straight from its definition
print(a.round(4))

# %% [markdown]
# minigenre's layer creates its own weights when it is built; overwrite them with
# ours (the layer keeps its arrays, so write into them) and compare.

# %%
layer = Dense(3, activation="elu")
layer.build(input_dim=5, rng=np.random.default_rng(1), dtype=np.float64)
layer.kernel[...] = W
layer.bias[...] = b
out = layer.forward(x, training=True)  # training=True keeps x, z and a for backward
print("largest difference:", np.abs(out - a).max())

# %% [markdown]
# Equal, perhaps up to the last bit. The last bit is the one place where the
# package does something different from the definition: it computes $e^z - 1$ with
# `np.expm1`. For $z$ near 0, `exp(z)` is close to 1, and subtracting 1 throws away
# the leading digits that agree, leaving mostly rounding error. `expm1` computes the
# difference directly:

# %%
for small in (-1e-5, -1e-10, -1e-14):
    exact = small + small**2 / 2 + small**3 / 6  # Taylor series, exact at this size
    naive = np.exp(small) - 1
    package = activations.elu(np.array(small))  # uses expm1
    print(
        f"z = {small:g}: relative error of exp(z) - 1 {abs(naive - exact) / -exact:.0e}"
        f", of the package's elu {abs(package - exact) / -exact:.0e}"
    )

# %% [markdown]
# At $z = -10^{-14}$ the subtraction has lost all but three digits; for $z$ this
# small the first terms of the series $e^z - 1 = z + z^2/2 + z^3/6 + \dots$ are exact
# to the last bit, which is what the comparison uses.
#
# ## ELU and its derivative
#
# For $z \le 0$ the derivative of $e^z - 1$ is $e^z$, which equals $a + 1$: the
# backward pass can reuse the output instead of calling `exp` again. At $z = 0$ both
# sides have slope 1, so unlike ReLU's, ELU's derivative has no jump. And where a
# ReLU unit with negative $z$ passes no gradient at all, an ELU unit still passes
# some, so it can recover; only far out on the tail does $e^z$ become negligible
# (tutorial 4 meets such units).


# %%
def draw_activations(names=("elu", "relu")):
    grid = np.linspace(-4, 3, 701)
    fig = Figure(figsize=(10, 3.5), layout="constrained")
    left, right = fig.subplots(1, 2)
    for name in names:
        f, f_grad = activations.get(name)[1]
        out = f(grid)
        left.plot(grid, out, label=name)
        right.plot(grid, f_grad(grid, out, np.ones_like(grid)), label=name)
    left.set(title="activation f(z)", xlabel="z")
    right.set(title="derivative f'(z)", xlabel="z")
    for ax in (left, right):
        ax.axhline(0, color="grey", linewidth=0.5)
        ax.legend()
    return fig


show_figure(draw_activations(), "02_activations")

# %% [markdown]
# ## Backward: the chain rule, one line per array
#
# Backpropagation hands the layer `G`, the gradient of the loss $L$ with respect to
# its output $a$, shape (batch, units). The layer must return the gradient with
# respect to its input (for the layer below) and keep the gradients of its weights
# (for the optimizer):
#
# * $\partial L / \partial z = G \odot f'(z)$, elementwise, with $f'(z) = a + 1$ where
#   $z \le 0$;
# * $\partial L / \partial W = x^\top (\partial L / \partial z)$: (in, batch) times
#   (batch, units) gives (in, units), the kernel's shape, summed over the batch;
# * $\partial L / \partial b = $ the column sums of $\partial L / \partial z$, because
#   `b` was added to every row;
# * $\partial L / \partial x = (\partial L / \partial z) W^\top$, shape (batch, in).

# %%
G = rng.normal(size=(4, 3))  # (batch, units): dL/da from the layer above

grad_z = np.where(z > 0, G, G * (a + 1))  # (batch, units)
grad_W = x.T @ grad_z  # (in, units)
grad_b = grad_z.sum(axis=0)  # (units,)
grad_x = grad_z @ W.T  # (batch, in)

returned = layer.backward(G)  # the package: returns dL/dx, keeps the weight grads
for name, mine, theirs in [
    ("kernel", grad_W, layer.grad_kernel),
    ("bias", grad_b, layer.grad_bias),
    ("input", grad_x, returned),
]:
    print(f"dL/d{name}: largest difference {np.abs(mine - theirs).max():.1e}")

# %% [markdown]
# ## A numerical gradient check
#
# Agreement between two implementations written by the same reasoning proves
# little: both could share a mistake. Finite differences check the derivative
# against its definition instead. Pick the loss $L = \sum G \odot a$; its gradient
# with respect to $a$ is exactly $G$, so the backward pass above computed
# $\partial L / \partial W$ for it. Now nudge one weight up and down by $h$ and see
# how $L$ moves:
#
# $$\frac{\partial L}{\partial w} \approx \frac{L(w + h) - L(w - h)}{2h}$$
#
# The central difference is accurate to order $h^2$; the function below applies it
# to every entry of an array, one at a time.


# %%
def loss():
    return float((G * layer.forward(x)).sum())


def numerical_gradient(f, array, h=1e-6):
    """Central differences of f() with respect to each entry of array (in place)."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        kept = array[index]
        array[index] = kept + h
        up = f()
        array[index] = kept - h
        down = f()
        array[index] = kept  # put the weight back
        grad[index] = (up - down) / (2 * h)
    return grad


def relative_error(a, b):
    return np.abs(a - b).max() / np.abs(b).max()


numeric_W = numerical_gradient(loss, layer.kernel)
numeric_b = numerical_gradient(loss, layer.bias)
print(f"kernel: relative error {relative_error(numeric_W, grad_W):.1e}")
print(f"bias:   relative error {relative_error(numeric_b, grad_b):.1e}")

# %% [markdown]
# Agreement to about ten digits: the backward pass is right. The input gradient is
# checked the same way, by nudging `x` (the layer reads `x` afresh on each call).

# %%
numeric_x = numerical_gradient(loss, x)
print(f"input:  relative error {relative_error(numeric_x, grad_x):.1e}")

# %% [markdown]
# ### Choosing $h$, and why float32 will not do
#
# Two errors compete. The difference formula is off by about $h^2$ (times the third
# derivative), which favours a small $h$. But $L(w+h)$ and $L(w-h)$ are each rounded
# to the precision of the float type, about $10^{-16}$ relative in float64 and
# $10^{-7}$ in float32, and dividing their difference by $2h$ magnifies that rounding
# by $1/h$. The best $h$ balances the two. Measure the error for a range of $h$ in
# both precisions:


# %%
def kernel_check_error(dtype, h):
    """Relative error of the finite-difference kernel gradient in this precision."""
    probe = Dense(3, activation="elu")
    probe.build(5, np.random.default_rng(1), dtype)
    probe.kernel[...], probe.bias[...] = W, b
    inputs, upstream = x.astype(dtype), G.astype(dtype)

    def f():
        return float((upstream * probe.forward(inputs)).sum())

    return relative_error(numerical_gradient(f, probe.kernel, h), grad_W)


def draw_step_sizes():
    steps = np.logspace(-10, -1, 19)
    fig = Figure(figsize=(6, 3.5), layout="constrained")
    ax = fig.subplots()
    for dtype in (np.float64, np.float32):
        errors = [kernel_check_error(dtype, h) for h in steps]
        ax.loglog(steps, errors, marker=".", label=np.dtype(dtype).name)
    ax.set(xlabel="step h", ylabel="relative error of the gradient")
    ax.set_title("Central differences: rounding (left) vs truncation (right)")
    ax.legend()
    return fig


show_figure(draw_step_sizes(), "02_step_sizes")

# %% [markdown]
# In float64 the error bottoms out near $10^{-10}$ around $h \approx 10^{-5}$. In
# float32 the best it reaches is about $10^{-4}$, with a step as coarse as
# $10^{-2}$, and at $h = 10^{-6}$ the "check" is off by tens of percent: a correct
# backward pass would look broken. That is why minigenre's own tests check gradients
# on `dtype="float64"` models, while parity with Keras is tested in float32.
#
# ## Exercises
#
# Replace each `raise` line with your code, run the cell, then the check below it
# (or `minigenre check 02` in a terminal: it reports every exercise as passed, not
# yet or wrong, with a hint). The solutions are in `tutorials/solutions/`, for after
# you have tried.
#
# **1. A backward pass.** ReLU, $\max(z, 0)$, has derivative 1 for $z > 0$ and 0
# otherwise. Write `relu_backward(x, W, b, G)` returning `(grad_W, grad_b, grad_x)`
# for a Dense layer with ReLU, given the upstream gradient `G`. The check compares
# your gradients with minigenre's `Dense(..., activation="relu")`. (ReLU has a kink
# at 0, where no derivative exists; with random inputs no $z$ is ever exactly 0.)


# %%
def relu_backward(x, W, b, G):
    raise NotImplementedError(
        "not implemented yet: relu_backward(x, W, b, G) should return (grad_W, "
        "grad_b, grad_x) for a Dense layer with ReLU, given the gradient G of "
        "its output"
    )


# %%
check(relu_backward)

# %% [markdown]
# **2. A gradient check in two evaluations.** The check above nudged every weight
# twice: for the study's 35,210 weights that is 70,420 evaluations of the loss. A
# cheaper check picks one random direction $d$ (an array shaped like $w$) and
# compares the derivative along it, which needs only two,
#
# $$\frac{L(w + h d) - L(w - h d)}{2h} \approx \nabla L \cdot d
# = \sum_{ij} \frac{\partial L}{\partial w_{ij}} d_{ij},$$
#
# with the backward pass's gradient. Write `directional_derivative(f, w, d, h)`,
# the left-hand side for a function `f` of an array `w`, leaving `w` unchanged. The
# check applies it to a known function, then to a Dense layer's kernel.


# %%
def directional_derivative(f, w, d, h=1e-6):
    raise NotImplementedError(
        "not implemented yet: directional_derivative(f, w, d, h) should return "
        "the derivative of f at w along d, from two evaluations of f"
    )


# %%
check(directional_derivative)

# %% [markdown]
# **3. The derivative from the output.** A backward pass keeps what the forward pass
# computed. Write `elu_grad_from_output(out)`: ELU's derivative at each $z$, given
# only the outputs `out = elu(z)` (so no second `exp` is needed). Decide what the
# derivative is on each side of 0, in terms of the output.


# %%
def elu_grad_from_output(out):
    raise NotImplementedError(
        "not implemented yet: elu_grad_from_output(out) should return ELU's "
        "derivative at each z, given only the outputs out = elu(z)"
    )


# %%
check(elu_grad_from_output)
