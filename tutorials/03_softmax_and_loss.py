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
# # Tutorial 3: softmax and sparse categorical cross-entropy
#
# The study's output layer is `Dense(10, activation="softmax")` and its loss
# `sparse_categorical_crossentropy`. Written from their definitions, both are one
# line of NumPy, and both lines break on ordinary inputs. This tutorial shows the
# two stability tricks that fix them, the clipping Keras adds, the "fused" gradient
# that makes the pair cheap and robust to differentiate, and then checks all of it
# against TensorFlow.
#
# **Needs:** minigenre and TensorFlow, for the comparisons with Keras
# (`pip install "minigenre[reference]"`); the first code cell stops with that
# command if TensorFlow is missing.

# %%
# %matplotlib inline
from minigenre.course import check, requires, show_figure

requires("tensorflow")  # stops here, saying how to install it, if missing

import numpy as np
from matplotlib.figure import Figure

from minigenre import (
    Dense,
    Sequential,
    SparseCategoricalCrossentropy,
    activations,
    losses,
    sparse_categorical_crossentropy,
)

# %% [markdown]
# ## Softmax, and the first trick: subtract the maximum
#
# Softmax turns a row of scores $z$ (the logits) into probabilities:
# $p_j = e^{z_j} / \sum_k e^{z_k}$. Straight from the definition:


# %%
def naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


z = np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0]])
with np.errstate(over="ignore", invalid="ignore"):  # the second row overflows
    print(naive_softmax(z))

# %% [markdown]
# The second row is the first plus 1000, and softmax ignores any constant added to
# the whole row (the factor $e^{1000}$ cancels between numerator and denominator).
# But $e^{1000}$ overflows to infinity, and infinity over infinity is NaN. Subtract
# the row's maximum first: the largest exponent becomes $e^0 = 1$, nothing
# overflows, and the result is unchanged mathematically. minigenre's `softmax` does
# exactly that.

# %%
print(naive_softmax(z - z.max(axis=-1, keepdims=True)))
print(activations.softmax(z))

# %% [markdown]
# ## Cross-entropy, and the second trick: log-softmax
#
# For a song of true genre $y$, the loss is $-\log p_y$: zero when the model gives
# the right genre probability 1, large when it gives it little. "Sparse" means the
# labels are class numbers rather than one-hot rows. Over a batch the loss is the
# mean. By hand, and with the package:

# %%
y = np.array([0, 2])
p = activations.softmax(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]))
by_hand = -np.log(p[np.arange(len(y)), y])  # pick each row's true-class probability
print("per sample, by hand:     ", by_hand)
print("per sample, the package: ", sparse_categorical_crossentropy(y, p))
print("batch mean:              ", SparseCategoricalCrossentropy()(y, p))

# %% [markdown]
# Taking the log of a probability is where it breaks. In float32, the precision
# Keras trains in, the smallest positive number is about $10^{-45}$. A logit 120
# below the others gives a probability of $e^{-120} \approx 10^{-52}$, which rounds
# to 0, and $-\log 0$ is infinite. Instead compute $\log p$ directly from the
# logits: $\log p_j = z_j - \log \sum_k e^{z_k}$, again with the maximum
# subtracted. That is `losses.log_softmax`, and it never forms the tiny probability.

# %%
logits = np.array([[0.0, -120.0]], dtype=np.float32)
with np.errstate(divide="ignore"):
    print("log(softmax):", np.log(activations.softmax(logits)))
print("log_softmax: ", losses.log_softmax(logits))

# %% [markdown]
# ## Keras's clip, and why training does not use it
#
# Keras's `sparse_categorical_crossentropy` also accepts probabilities. Since it
# cannot recover the logits from them, it clips each probability to
# $[10^{-7}, 1 - 10^{-7}]$ (`losses.EPSILON`) before the log, so no loss exceeds
# $-\log 10^{-7} \approx 16.1$. minigenre mirrors that. From logits, the loss keeps
# growing with the size of the mistake:


# %%
def draw_loss_curves():
    margin = np.linspace(-40, 10, 501)  # true-class logit minus the other's
    z = np.stack([margin, np.zeros_like(margin)], axis=1)  # (501, 2), class 0 true
    y = np.zeros(len(margin), dtype=int)
    fig = Figure(figsize=(6, 3.5), layout="constrained")
    ax = fig.subplots()
    from_logits = sparse_categorical_crossentropy(y, z, from_logits=True)
    from_probs = sparse_categorical_crossentropy(y, activations.softmax(z))
    ax.plot(margin, from_logits, label="from logits (log-softmax)")
    ax.plot(margin, from_probs, "--", label="from probabilities (clipped)")
    ax.set(xlabel="logit of the true class minus the other", ylabel="loss")
    ax.legend()
    return fig


show_figure(draw_loss_curves(), "03_loss_curves")

# %% [markdown]
# On the flat part of the clipped curve the gradient is zero: a model that is very
# confidently wrong would get no signal to change its mind. So when the last layer
# is a softmax, Keras keeps the logits it was computed from and takes the loss from
# them, and minigenre's `Sequential` does the same. A one-layer model whose logits
# are $(20, -20)$, scored on class 1:

# %%
tiny = Sequential([Dense(2, activation="softmax")], seed=0)
tiny.compile(loss="sparse_categorical_crossentropy")
tiny.set_weights([np.eye(2, dtype=np.float32), np.zeros(2, dtype=np.float32)])
x_wrong, y_wrong = np.array([[20.0, -20.0]]), np.array([1])
print("predicted probabilities:", tiny.predict(x_wrong))
print("loss:", tiny.evaluate(x_wrong, y_wrong, verbose=0))  # 40, not 16.1

# %% [markdown]
# ## The fused gradient
#
# Backpropagation needs $\partial L / \partial z$. Going through the pieces, the
# loss gives $\partial L / \partial p_j = -[j = y] / p_y$, and softmax has the
# Jacobian $\partial p_i / \partial z_j = p_i (\delta_{ij} - p_j)$. Multiplying the
# two, almost everything cancels:
#
# $$\frac{\partial L}{\partial z_j} = p_j - [j = y]$$
#
# the probabilities minus the one-hot label; for the batch mean, divided by the
# batch size $n$. No division by a small $p_y$, no $10 \times 10$ Jacobian. The
# cancellation is special to this pair (a sigmoid with binary cross-entropy has a
# similar one), so the model checks that its last layer is a softmax before taking
# this shortcut.

# %%
z = np.random.default_rng(0).normal(scale=2.0, size=(4, 10))  # (batch, classes)
y = np.array([3, 0, 9, 3])
probs = activations.softmax(z)

fused = probs.copy()
fused[np.arange(len(y)), y] -= 1  # p - onehot
fused /= len(y)  # the batch mean

# The long way: the loss's gradient, then the softmax Jacobian-vector product.
grad_p = SparseCategoricalCrossentropy().gradient(y, probs)  # (batch, classes)
chained = activations.softmax_grad(z, probs, grad_p)

package = losses.softmax_crossentropy_grad(y, probs)
print("fused vs package:", np.abs(fused - package).max())
print("fused vs chained:", np.abs(fused - chained).max())

# %% [markdown]
# Equal up to rounding, while every probability is inside the clip range. Outside
# it they part ways: give the true class a probability below $10^{-7}$ and the
# chained gradient, which goes through the clipped probabilities, is zero, while the
# fused one says "raise this logit" as loudly as it can.

# %%
z_bad = np.array([[25.0, 0.0, 0.0]])  # class 0 is sure; the truth is class 1
y_bad = np.array([1])
p_bad = activations.softmax(z_bad)
grad_p = SparseCategoricalCrossentropy().gradient(y_bad, p_bad)
print("p:             ", p_bad)
print("chained dL/dz: ", activations.softmax_grad(z_bad, p_bad, grad_p))
print("fused dL/dz:   ", losses.softmax_crossentropy_grad(y_bad, p_bad))

# %% [markdown]
# ## Checked against TensorFlow
#
# Now the same quantities from TensorFlow, in float32 as Keras trains. Importing
# TensorFlow takes a few seconds. Its gradients come from `tf.GradientTape`, which
# differentiates Keras's own loss function automatically: an independent
# derivation of everything above.

# %%
# reference.backend imports TensorFlow without its C++ start-up notices.
from reference.backend import keras, tf

rng = np.random.default_rng(1)
z32 = rng.normal(scale=3.0, size=(32, 10)).astype(np.float32)  # a batch of logits
y32 = rng.integers(0, 10, size=32)
p32 = activations.softmax(z32)

logits_var = tf.Variable(z32)
with tf.GradientTape() as tape:
    per_sample = keras.losses.sparse_categorical_crossentropy(
        y32, logits_var, from_logits=True
    )
    mean_loss = tf.reduce_mean(per_sample)
tf_grad = tape.gradient(mean_loss, logits_var).numpy()

comparisons = {
    "softmax": (p32, tf.nn.softmax(z32).numpy()),
    "loss from logits": (
        sparse_categorical_crossentropy(y32, z32, from_logits=True),
        per_sample.numpy(),
    ),
    "loss from probabilities": (
        sparse_categorical_crossentropy(y32, p32),
        keras.losses.sparse_categorical_crossentropy(y32, p32).numpy(),
    ),
    "fused gradient": (losses.softmax_crossentropy_grad(y32, p32), tf_grad),
}
for name, (ours, theirs) in comparisons.items():
    print(f"{name:<24} largest difference {np.abs(ours - theirs).max():.1e}")

# %% [markdown]
# Differences of a few units in the seventh digit: float32 rounding, in a different
# order. And Keras, given the one-layer model from before, also reports 40 rather
# than the clipped 16.1: it too takes the loss from the logits behind the softmax.

# %%
keras_tiny = keras.Sequential(
    [keras.Input(shape=(2,)), keras.layers.Dense(2, activation="softmax")]
)
keras_tiny.compile(loss="sparse_categorical_crossentropy")
keras_tiny.set_weights(tiny.get_weights())
print("Keras loss:", keras_tiny.evaluate(x_wrong, y_wrong, verbose=0))

# %% [markdown]
# ## Exercises
#
# Replace each `raise` line with your code, run the cell, then the check below it
# (or `minigenre check 03` in a terminal). The solutions are in
# `tutorials/solutions/`, for after you have tried.
#
# **1. A stable softmax.** Write `stable_softmax(z)` for a batch of logits, shape
# (batch, classes), that stays finite for logits in the thousands, positive or
# negative, and returns rows that sum to 1. Don't call minigenre's softmax: the check
# compares with it.


# %%
def stable_softmax(z):
    raise NotImplementedError(
        "not implemented yet: stable_softmax(z) should return softmax(z), row "
        "by row, finite for any logits"
    )


# %%
check(stable_softmax)

# %% [markdown]
# **2. The weighted gradient.** With class weights (tutorial 7), each sample's loss
# is multiplied by a weight $w_i$ and the batch loss is
# $\frac{1}{n} \sum_i w_i L_i$; Keras still divides by the batch size $n$, not by the
# sum of the weights. Write `weighted_logit_gradient(y, probs, w)`, the gradient of
# that weighted loss with respect to the logits. The check compares it with the
# package's gradient, which matches TensorFlow's (checked above for the unweighted
# loss, and by minigenre's tests for the weighted one).


# %%
def weighted_logit_gradient(y, probs, w):
    raise NotImplementedError(
        "not implemented yet: weighted_logit_gradient(y, probs, w) should "
        "return the gradient of Keras's weighted batch loss with respect to the"
        " logits"
    )


# %%
check(weighted_logit_gradient)

# %% [markdown]
# **3. Predict before you run.** A freshly initialized 10-genre model gives nearly
# equal logits to every genre. Before running anything, decide what its cross-
# entropy loss will be, and return that number from `untrained_loss()`. (Tutorial
# 5's first epoch starts near it.)


# %%
def untrained_loss():
    raise NotImplementedError(
        "not implemented yet: untrained_loss() should return your prediction of"
        " a fresh 10-genre model's loss, decided before running anything"
    )


# %%
check(untrained_loss)
