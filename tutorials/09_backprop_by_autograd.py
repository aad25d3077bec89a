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
# # Tutorial 9: backpropagation, by autograd
#
# Tutorials 2 to 4 derived every gradient of the study's network by hand, and
# minigenre's layers carry those derivations as code. Frameworks such as TensorFlow
# and PyTorch do not: they differentiate **automatically**. Every operation on an
# array records what it was computed from and how to pass a gradient back through
# itself; calling `backward()` on the loss walks that record in reverse and applies
# the chain rule one operation at a time. This is *reverse-mode automatic
# differentiation*, and its core fits in about a hundred lines.
#
# This tutorial writes those lines (micrograd's idea, on NumPy arrays instead of
# single numbers), rebuilds the study's network from primitive operations, and
# compares the gradients with minigenre's hand-written ones, bit for bit, and finds
# exactly where, and why, the last bit can differ.
#
# **Needs:** minigenre only (NumPy, pandas and matplotlib).

# %%
# %matplotlib inline
import numpy as np
from matplotlib.figure import Figure

from minigenre import Dense, Sequential, losses
from minigenre.course import check, show_figure
from minigenre.study.synthetic import make_synthetic
from minigenre.study.workflow import split_and_scale

# %% [markdown]
# ## A tensor that remembers where it came from
#
# A `Tensor` holds a NumPy array (`value`), the tensors it was computed from
# (`parents`) and, for each parent, a function that turns the gradient of the loss
# with respect to this tensor into the gradient with respect to that parent: the
# *vector-Jacobian product*. For $c = a \cdot b$ (elementwise) these are
# $g \mapsto g \cdot b$ and $g \mapsto g \cdot a$; for $c = AB$ (matrices) they are
# $g \mapsto g B^\top$ and $g \mapsto A^\top g$, the same lines tutorial 2 wrote for a
# Dense layer.
#
# `backward()` orders the tensors so that each comes after everything computed from
# it (a topological sort, by depth-first search), seeds the loss's own gradient with
# 1, and walks the order, adding each tensor's contribution into its parents. A
# tensor used twice (as `z` is in ELU below) receives two contributions, summed:
# that is the multivariate chain rule.


# %%
class Tensor:
    """An array with a gradient and the record of how it was computed."""

    def __init__(self, value, parents=(), vjps=()):
        self.value = np.asarray(value)
        self.parents = parents  # the tensors this one was computed from
        self.vjps = vjps  # per parent: gradient here -> gradient there
        self.grad = None

    def __repr__(self):
        return f"Tensor(shape={self.value.shape}, dtype={self.value.dtype})"

    def backward(self):
        order, seen = [], set()

        def visit(tensor):  # depth-first: parents first, then the tensor
            if id(tensor) not in seen:
                seen.add(id(tensor))
                for parent in tensor.parents:
                    visit(parent)
                order.append(tensor)

        visit(self)
        self.grad = np.ones_like(self.value)  # dL/dL = 1
        for tensor in reversed(order):  # from the loss back to the inputs
            for parent, vjp in zip(tensor.parents, tensor.vjps, strict=True):
                contribution = vjp(tensor.grad)
                if parent.grad is None:
                    parent.grad = contribution
                else:
                    parent.grad = parent.grad + contribution


def unbroadcast(grad, shape):
    """Sums a gradient over the axes NumPy broadcast a `shape` operand along."""
    while grad.ndim > len(shape):  # (batch, units) -> (units,) for a bias
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:  # (batch, 1) for a row sum
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


# %% [markdown]
# The primitives: each computes its value and says how a gradient flows back. Only
# these know any calculus; everything built from them gets its gradient for free.


# %%
def add(a, b):
    return Tensor(
        a.value + b.value,
        (a, b),
        (
            lambda g: unbroadcast(g, a.value.shape),
            lambda g: unbroadcast(g, b.value.shape),
        ),
    )


def subtract(a, b):
    return Tensor(
        a.value - b.value,
        (a, b),
        (
            lambda g: unbroadcast(g, a.value.shape),
            lambda g: -unbroadcast(g, b.value.shape),
        ),
    )


def matmul(a, b):
    return Tensor(
        a.value @ b.value, (a, b), (lambda g: g @ b.value.T, lambda g: a.value.T @ g)
    )


def relu_part(a):  # max(a, 0): the gradient passes where a > 0
    return Tensor(np.maximum(a.value, 0), (a,), (lambda g: g * (a.value > 0),))


def negative_part(a):  # min(a, 0): the gradient passes where a < 0
    return Tensor(np.minimum(a.value, 0), (a,), (lambda g: g * (a.value < 0),))


def expm1(a):  # exp(a) - 1, whose derivative exp(a) is the output + 1
    out = np.expm1(a.value)
    return Tensor(out, (a,), (lambda g: g * (out + 1),))


def exp(a):
    out = np.exp(a.value)
    return Tensor(out, (a,), (lambda g: g * out,))


def log(a):
    return Tensor(np.log(a.value), (a,), (lambda g: g / a.value,))


def row_sum(a):  # (batch, classes) -> (batch, 1)
    return Tensor(
        a.value.sum(axis=-1, keepdims=True),
        (a,),
        (lambda g: np.broadcast_to(g, a.value.shape),),
    )


def column(a):  # (batch, 1) -> (batch,)
    return Tensor(a.value[:, 0], (a,), (lambda g: g[:, None],))


def pick(a, y):  # each row's entry at its label: (batch, classes) -> (batch,)
    rows = np.arange(len(y))

    def vjp(g):
        grad = np.zeros_like(a.value)
        grad[rows, y] = g
        return grad

    return Tensor(a.value[rows, y], (a,), (vjp,))


def mean(a):
    n = a.value.size
    return Tensor(a.value.mean(), (a,), (lambda g: np.full_like(a.value, g / n),))


def constant(value):  # an input: no parents, nothing flows back
    return Tensor(value)


# %% [markdown]
# ## The study's network, from primitives
#
# The forward pass is written the way minigenre computes it, operation for
# operation, so that the values are identical and any difference in the gradients
# comes from the backward pass alone:
#
# * ELU as `max(z, 0) + expm1(min(z, 0))`: each branch is 0 where the other applies
#   (see `minigenre.activations.elu`);
# * the loss from the logits, as Keras takes it: shift each row by its maximum, then
#   $L_i = \log \sum_j e^{s_{ij}} - s_{i, y_i}$, and the batch mean. The maximum is
#   a constant here: shifting by it changes no gradient, as the $-\max$ terms cancel
#   between the two parts of $L_i$.


# %%
def hidden_layer(x, W1, b1):
    z1 = add(matmul(x, W1), b1)  # (batch, 128)
    return add(relu_part(z1), expm1(negative_part(z1)))  # ELU, (batch, 128)


def crossentropy_from_primitives(logits, y):
    shift = constant(logits.value.max(axis=-1, keepdims=True))  # (batch, 1)
    shifted = subtract(logits, shift)  # (batch, 10), each row's largest is 0
    log_total = column(log(row_sum(exp(shifted))))  # (batch,)
    return mean(subtract(log_total, pick(shifted, y)))  # a scalar


def network_loss(x, y, weights, crossentropy=crossentropy_from_primitives):
    W1, b1, W2, b2 = weights
    h = hidden_layer(x, W1, b1)
    logits = add(matmul(h, W2), b2)  # (batch, 10)
    return crossentropy(logits, y)


# %% [markdown]
# One batch of the study's data and a fresh study model, in float32 as it trains.
# Its weights become our tensors; `backward()` fills their `grad`.

# %%
split = split_and_scale(make_synthetic(seed=0), seed=0)
x, y = split.x_train[:32].astype(np.float32), split.y_train[:32]  # one batch of 32
model = Sequential(
    [Dense(128, activation="elu"), Dense(10, activation="softmax")], seed=0
)
model.build(x.shape[1])

weights = [constant(w.copy()) for w in model.get_weights()]  # W1, b1, W2, b2
loss = network_loss(constant(x), y, weights)
loss.backward()
print("loss:", loss.value, " gradients:", [w.grad.shape for w in weights])

# %% [markdown]
# ## minigenre's hand-written gradients
#
# Now the same batch through minigenre's layers, the calls its `Sequential` makes
# for one training step: forward with `training=True`, the fused softmax
# cross-entropy from the logits (tutorial 3), then each layer's hand-written
# `backward`.


# %%
def by_hand(model, x, y):
    hidden, output = model.layers
    h = hidden.forward(x, training=True)
    logits = output.forward(h, training=True, logits=True)  # stops at the logits
    probs, per_sample = losses.softmax_crossentropy(y, logits)
    grad_logits = losses.softmax_crossentropy_grad(y, probs)  # (p - onehot) / n
    grad_h = output.backward(grad_logits, logits=True)  # (batch, 128)
    hidden.backward(grad_h, input_grad=False)
    grads = [hidden.grad_kernel, hidden.grad_bias, output.grad_kernel, output.grad_bias]
    return per_sample.mean(), [g.copy() for g in grads], grad_logits


def ulps(a, b):
    """How far a is from b, in units in the last place of b (0: the same bits)."""
    gap = np.abs(a.astype(np.float64) - b.astype(np.float64))
    return gap / np.spacing(np.abs(b)).astype(np.float64)


def compare(autograd_grads, hand_grads):
    names = ["hidden kernel", "hidden bias", "output kernel", "output bias"]
    for name, mine, theirs in zip(names, autograd_grads, hand_grads, strict=True):
        differ = int(np.sum(mine != theirs))
        # Measured against the array's largest entry: a gradient near 0 is the sum
        # of terms that cancel, and its own last place is no yardstick.
        scale = np.spacing(np.abs(theirs).max()).astype(np.float64)
        largest = np.abs(mine.astype(np.float64) - theirs).max() / scale
        print(
            f"{name:<14} {differ:>5} of {mine.size:>5} entries differ, the largest by "
            f"{largest:.2f} ulp of the largest entry"
        )


hand_loss, hand, hand_logits = by_hand(model, x, y)
print(
    "loss: autograd",
    loss.value,
    " by hand",
    hand_loss,
    " same:",
    loss.value == hand_loss,
)
compare([w.grad for w in weights], hand)

# %% [markdown]
# ## Where the last bit differs, and why
#
# The loss is the same to the bit: the forward passes are the same operations.
# The gradients agree to within a unit or so in the last place (ulp: about
# $6 \cdot 10^{-8}$ of a value in float32) of each array's largest entry, but many
# entries are not the same bits. Follow one entry of
# $\partial L / \partial \text{logits}$, not at the label, back through the
# primitives: `mean` hands each sample $g = 1/n$; `log` divides it by the row's
# total $T$; `row_sum` copies that to every class; `exp` multiplies by $e^{s_j}$.
# Autograd therefore computes
#
# $$\Big(\frac{1/n}{T}\Big) \cdot e^{s_j},$$
#
# rounding after the division and again after the product, while the fused formula
# of tutorial 3 computes $(e^{s_j} / T - 1_{j = y}) / n$: one division by $T$, one
# rounding. With $n = 32$ the division by $n$ is exact (a power of two), so the whole
# difference is $e \cdot \mathrm{round}(1/T)$ against $\mathrm{round}(e/T)$: the same
# real number, rounded once or twice. Count it on the logits' gradient:

# %%
logits_tensor = add(
    matmul(hidden_layer(constant(x), *weights[:2]), weights[2]), weights[3]
)
autograd_loss = crossentropy_from_primitives(logits_tensor, y)
autograd_loss.backward()
gaps = ulps(logits_tensor.grad, hand_logits)
same = int(np.sum(gaps == 0))
print(f"dL/dlogits: {same} of {gaps.size} entries the same bits")
print(f"the others differ by at most {gaps.max():.0f} ulp")


def draw_gaps(gaps):
    fig = Figure(figsize=(6, 3), layout="constrained")
    ax = fig.subplots()
    counts = np.bincount(np.round(gaps).astype(int).ravel())
    ax.bar(np.arange(len(counts)), counts)
    ax.set(xlabel="gap from the fused gradient (ulp)", ylabel="entries of dL/dlogits")
    ax.set_xticks(np.arange(len(counts)))
    ax.set_title("Autograd through exp, sum and log vs the fused (p - onehot) / n")
    return fig


show_figure(draw_gaps(gaps), "09_logit_gradient_ulps")

# %% [markdown]
# Everything below the logits is the same arithmetic on both sides: the matrix
# products are the same BLAS calls, the bias gradient the same column sum, and ELU's
# backward the same numbers. (By hand, minigenre multiplies by $\min(a + 1, 1)$; here
# the two branches give $g \cdot 1 + 0$ where $z > 0$ and $0 + g \cdot (e^z - 1 + 1)$
# where $z < 0$, the same values, since `expm1`'s derivative is taken as its output
# plus one, just as minigenre reuses $a + 1$. Computing it as `exp(z)` instead would
# differ in the last bit for some $z$. At exactly $z = 0$ the two would differ, 1 by
# hand against 0 here, but a float32 product and sum never lands on 0 in practice.)
#
# So the differences enter at the loss, and only there. Frameworks know this:
# TensorFlow's cross-entropy from logits is **one** operation with its own gradient
# (`SparseSoftmaxCrossEntropyWithLogits`), not a chain of primitives, because the
# fused formula is faster and cannot divide by a tiny probability. Give our autograd
# that same primitive, its gradient the fused one from minigenre's `losses`:


# %%
def fused_crossentropy(logits, y):
    """The mean cross-entropy of a softmax as one primitive: gradient (p - onehot)/n."""
    probs, per_sample = losses.softmax_crossentropy(y, logits.value)
    return Tensor(
        per_sample.mean(),
        (logits,),
        (lambda g: g * losses.softmax_crossentropy_grad(y, probs),),
    )


weights = [constant(w.copy()) for w in model.get_weights()]
network_loss(constant(x), y, weights, crossentropy=fused_crossentropy).backward()
compare([w.grad for w in weights], hand)

# %% [markdown]
# Now every gradient is the same to the last bit: the hand-written backward pass and
# the automatic one are the same computation, and the only freedom either has is at
# the loss, where the order of a division and a product decides the last bit.
#
# That is the bridge from "by hand" to how frameworks work. A framework is this
# tape of primitives plus many more of them, each with a hand-written
# vector-Jacobian product (TensorFlow calls them *gradient functions*, PyTorch
# *derivatives.yaml* entries), and fused operations where one formula beats the
# chain.
#
# ## Exercise
#
# Replace the `raise` line with your code, run the cell, then the check below it (or
# `minigenre check 09` in a terminal). The solution is in `tutorials/solutions/`,
# for after you have tried.
#
# Add a primitive: write `tensor_tanh(a)`, returning a `Tensor` holding
# $\tanh$ of `a.value`, with `a` as its parent and the vector-Jacobian product
# $g \mapsto g \cdot (1 - \tanh^2)$. The check differentiates a loss through it and
# compares with the derivative's formula.


# %%
def tensor_tanh(a):
    raise NotImplementedError(
        "not implemented yet: tensor_tanh(a) should return a Tensor holding "
        "tanh of a, through which gradients flow back to a"
    )


# %%
check(tensor_tanh)

# %% [markdown]
# **2. A product.** Write `tensor_mul(a, b)`, a primitive for `a.value * b.value`,
# where `b` may be broadcast along the batch (a bias-like shape). Each parent needs
# its own vector-Jacobian product, shaped like that parent.


# %%
def tensor_mul(a, b):
    raise NotImplementedError(
        "not implemented yet: tensor_mul(a, b) should return a Tensor holding a"
        " * b (b may be broadcast), with a gradient for each"
    )


# %%
check(tensor_mul)

# %% [markdown]
# **3. A quotient.** Write `tensor_div(a, b)` for `a.value / b.value` (same shapes),
# with a vector-Jacobian product for each parent.


# %%
def tensor_div(a, b):
    raise NotImplementedError(
        "not implemented yet: tensor_div(a, b) should return a Tensor holding a"
        " / b, with a gradient for each"
    )


# %%
check(tensor_div)
