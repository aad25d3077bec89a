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
# # Tutorial 4: Adam
#
# Plain gradient descent moves every weight by the learning rate times its gradient,
# so weights with large gradients lurch and weights with small ones barely move.
# Adam (Kingma and Ba, 2015), the study's optimizer, gives every weight its own step
# size, scaled by how large that weight's gradients have recently been. This
# tutorial writes the update line by line, compares it with minigenre's `Adam` and
# with Keras's, step by step, and then looks closely at its smallest constant,
# $\varepsilon$: Keras uses $10^{-7}$, the study's TensorFlow 1 used $10^{-8}$. Does
# it matter?
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

from minigenre import Adam, Dense, Sequential, losses
from minigenre.study.preprocessing import StandardScaler, train_test_split
from minigenre.study.synthetic import make_synthetic

# %% [markdown]
# ## The update, line by line
#
# For each weight $w$ with gradient $g$ at step $t = 1, 2, \dots$, Adam keeps two
# running averages, both starting at 0:
#
# * $m$, the mean of recent gradients (momentum):
#   $m \leftarrow m + (1 - \beta_1)(g - m)$, with $\beta_1 = 0.9$, so roughly the
#   last 10 steps count;
# * $v$, the mean of recent squared gradients:
#   $v \leftarrow v + (1 - \beta_2)(g^2 - v)$, with $\beta_2 = 0.999$, roughly the
#   last 1000 steps.
#
# The step is $m / \sqrt{v}$: the gradient's recent direction divided by its recent
# size, a number of order 1 whatever the gradient's scale, times the learning rate.
# Because $m$ and $v$ start at 0 they are too small early on, by factors
# $1 - \beta_1^t$ and $1 - \beta_2^t$; Keras folds both corrections into the step
# size $\alpha_t$. Finally $\varepsilon$ keeps the division finite when $v = 0$:
#
# $$\alpha_t = \text{lr} \cdot \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}, \qquad
# w \leftarrow w - \alpha_t \frac{m}{\sqrt{v} + \varepsilon}$$


# %%
def adam_step(w, g, m, v, t, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """One Adam update in Keras's form; returns the new (w, m, v)."""
    m = m + (g - m) * (1 - beta_1)  # running mean of g
    v = v + (g**2 - v) * (1 - beta_2)  # running mean of g squared
    alpha = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)  # both bias corrections
    w = w - alpha * m / (np.sqrt(v) + epsilon)
    return w, m, v


# %% [markdown]
# The first step shows the idea at its plainest. With $m = 0.1 g$ and
# $v = 0.001 g^2$, the corrections cancel the small factors exactly and the step is
# $\text{lr} \cdot g / (|g| + \varepsilon / \sqrt{0.001})$: for any gradient much
# larger than $\varepsilon$, every weight moves by the learning rate, in the
# direction against its gradient, however large or small the gradient is.

# %%
g = np.array([1e-4, -0.01, 3.0, -250.0])  # gradients over six orders of magnitude
w, m, v = adam_step(np.zeros(4), g, np.zeros(4), np.zeros(4), t=1)
print("first step by hand:     ", -w)

weights = np.zeros(4)
Adam().apply_gradients([weights], [g])  # minigenre: updates the array in place
print("first step, the package:", -weights)

# %% [markdown]
# ## Step by step against the package and Keras
#
# Now several steps, on a float32 array (the precision both libraries train in),
# with gradients whose scale varies from step to step and weight to weight. The same
# gradients go to the hand-written update, to minigenre's `Adam` and to Keras's
# `keras.optimizers.Adam`, which updates a Keras variable. (Importing TensorFlow
# takes a few seconds.)

# %%
# reference.backend imports TensorFlow without its C++ start-up notices.
from reference.backend import keras

rng = np.random.default_rng(0)
start = rng.normal(size=(3, 4)).astype(np.float32)


def random_gradient():
    scale = 10.0 ** rng.integers(-4, 2, size=(3, 4))  # from 1e-4 to 10
    return (rng.normal(size=(3, 4)) * scale).astype(np.float32)


grads = [random_gradient() for _ in range(5)]

by_hand, m, v = start.copy(), np.zeros_like(start), np.zeros_like(start)
package, package_adam = start.copy(), Adam()
keras_weights, keras_adam = keras.Variable(start.copy()), keras.optimizers.Adam()
for t, grad in enumerate(grads, start=1):
    by_hand, m, v = adam_step(by_hand, grad, m, v, t)
    package_adam.apply_gradients([package], [grad])
    keras_adam.apply_gradients([(grad, keras_weights)])
    print(
        f"step {t}: |by hand - Keras| <= {np.abs(by_hand - keras_weights).max():.1e}, "
        f"|package - Keras| <= {np.abs(package - keras_weights).max():.1e}"
    )

# %% [markdown]
# The package matches Keras bit for bit: it computes $\alpha_t$ in the weights'
# float32, in the same order as Keras. The hand-written version computes
# $\alpha_t$ in float64 and differs in the last bit or so, which is harmless.
#
# ## One step of the study's model
#
# The same comparison on the real thing: the study's network, Keras's initial
# weights copied into minigenre's model, one batch of 32 standardized songs, one
# training step each (`reference` holds the Keras model and the weight transfer).

# %%
from reference import build_model, keras_to_numpy
from reference.parity import study_model

data = make_synthetic(seed=0)
raw_train, raw_val, y_train, y_val = train_test_split(
    data.x_train, data.y_train, test_size=0.2, seed=0, stratify=data.y_train
)
scaler = StandardScaler().fit(raw_train)
x_train, x_val = scaler.transform(raw_train), scaler.transform(raw_val)
x_batch, y_batch = x_train[:32].astype(np.float32), y_train[:32]

keras_model = build_model(seed=0)
numpy_model = study_model(seed=0)
keras_to_numpy(keras_model, numpy_model)
before = numpy_model.get_weights()

keras_model.train_on_batch(x_batch, y_batch)
numpy_model.train_on_batch(x_batch, y_batch)  # the same single Adam step

names = ["hidden kernel", "hidden bias", "output kernel", "output bias"]
after_keras = keras_model.get_weights()
for name, w0, w1, wk in zip(
    names, before, numpy_model.get_weights(), after_keras, strict=True
):
    print(
        f"{name:<14} largest step {np.abs(w1 - w0).max():.2e}, "
        f"largest difference from Keras {np.abs(w1 - wk).max():.1e}"
    )

# %% [markdown]
# Every weight moved by at most the learning rate, $10^{-3}$, as the first step
# promises, and the two libraries agree to float32 rounding (their matrix products
# add in different orders).
#
# ## The paper's form and Keras's form
#
# The paper writes the bias corrections on $m$ and $v$ instead:
# $\hat m = m / (1 - \beta_1^t)$, $\hat v = v / (1 - \beta_2^t)$,
# $w \leftarrow w - \text{lr} \cdot \hat m / (\sqrt{\hat v} + \hat\varepsilon)$.
# Multiply out and this is Keras's form with
# $\varepsilon = \hat\varepsilon \sqrt{1 - \beta_2^t}$. The two differ only in where
# $\varepsilon$ sits: Keras's $10^{-7}$ acts like a paper $\hat\varepsilon$ that
# starts 30 times larger and shrinks towards $10^{-7}$ as $t$ grows. The study's
# TensorFlow 1 `AdamOptimizer` used Keras's form too, with $\varepsilon = 10^{-8}$.

# %%
for t in (1, 10, 110, 440, 10_000):
    paper_epsilon = 1e-7 / np.sqrt(1 - 0.999**t)
    print(f"step {t:>6}: Keras's 1e-7 equals a paper epsilon of {paper_epsilon:.1e}")

# %% [markdown]
# (440 steps is the study's whole training: 4 epochs of 110 batches.)
#
# ## Why $\varepsilon = 10^{-7}$ or $10^{-8}$ matters so little...
#
# $\varepsilon$ is added to $\sqrt{v}$, the typical size of a weight's gradient. It
# changes the step noticeably only for weights whose gradients are within a factor of
# 100 or so of it. One step from zero, for gradients of every size, with either
# value:


# %%
def draw_first_steps():
    gradient = np.logspace(-11, 0, 221)
    fig = Figure(figsize=(6.5, 3.8), layout="constrained")
    ax = fig.subplots()
    for epsilon in (1e-7, 1e-8):
        weights = np.zeros_like(gradient)
        Adam(epsilon=epsilon).apply_gradients([weights], [gradient])
        ax.semilogx(gradient, -weights / 1e-3, label=f"epsilon = {epsilon:g}")
    ax.set(xlabel="|gradient|", ylabel="first step / learning rate")
    ax.set_title("Adam's first step: the learning rate, unless g is tiny")
    ax.legend()
    return fig


show_figure(draw_first_steps(), "04_first_steps")

# %% [markdown]
# The step falls off where $|g|$ approaches $\varepsilon / \sqrt{1 - \beta_2}$,
# about $3 \times 10^{-6}$ for $10^{-7}$ and $3 \times 10^{-7}$ for $10^{-8}$. So
# where are this model's gradients? The loop below is `fit`'s inner loop written
# out with the pieces of tutorials 2 and 3 (forward through the layers, the fused
# gradient, backward) and the hand-written `adam_step`, for one epoch in order; it
# returns each weight's $\sqrt{v}$, the size of its recent gradients. First, a
# check that it trains as `fit` does (up to float32 rounding: the hand-written
# $\alpha_t$ is computed in float64).


# %%
def one_epoch_by_hand(x, y, seed=0, batch_size=32):
    """One epoch of the study's model, unshuffled; returns (model, sqrt(v))."""
    x = x.astype(np.float32)
    model = Sequential(
        [Dense(128, activation="elu"), Dense(10, activation="softmax")], seed=seed
    )
    model.build(x.shape[1])
    weights = [w for layer in model.layers for w in layer.weights]  # live arrays
    m = [np.zeros_like(w) for w in weights]
    v = [np.zeros_like(w) for w in weights]
    for t, first in enumerate(range(0, len(x), batch_size), start=1):
        out, yb = x[first : first + batch_size], y[first : first + batch_size]
        for layer in model.layers:
            out = layer.forward(out, training=True)
        grad_z = losses.softmax_crossentropy_grad(yb, out)  # fused, tutorial 3
        model.layers[0].backward(model.layers[1].backward(grad_z, logits=True))
        grads = [grad for layer in model.layers for grad in layer.gradients]
        for i, (w, grad) in enumerate(zip(weights, grads, strict=True)):
            new_w, m[i], v[i] = adam_step(w, grad, m[i], v[i], t)
            w[...] = new_w  # in place: the layer keeps its arrays
    return model, np.sqrt(np.concatenate([vi.ravel() for vi in v]))


by_hand_model, rms_scaled = one_epoch_by_hand(x_train, y_train)
fit_model = Sequential(
    [Dense(128, activation="elu"), Dense(10, activation="softmax")], seed=0
)
fit_model.compile(optimizer=Adam())
fit_model.fit(x_train, y_train, epochs=1, shuffle=False, verbose=0)
gaps = [
    np.abs(a - b).max()
    for a, b in zip(by_hand_model.get_weights(), fit_model.get_weights(), strict=True)
]
print(f"by hand vs fit after 110 steps: largest weight difference {max(gaps):.1e}")

# %% [markdown]
# Now the sizes. On standardized inputs, the smallest $\sqrt{v}$ among all 35,210
# weights is around $10^{-3}$, four orders of magnitude above either $\varepsilon$.
# On raw, unstandardized inputs (tutorial 1) the picture changes.

# %%
_, rms_raw = one_epoch_by_hand(raw_train, y_train)
for name, rms in (("standardized", rms_scaled), ("raw", rms_raw)):
    print(
        f"{name:>12}: smallest sqrt(v) {rms.min():.1e}; below 1e-5: "
        f"{(rms < 1e-5).mean():.1%} of weights; exactly 0: {(rms == 0).mean():.1%}"
    )

# %% [markdown]
# On raw inputs the hidden layer's pre-activations are in the hundreds. Units whose
# $z$ is very negative sit on ELU's flat tail, where the derivative $e^z$ rounds to
# zero in float32: their weights get no gradient at all, and others get gradients
# near $\varepsilon$. For those weights $\varepsilon$ decides the step size. Train
# the study's model for its 4 epochs with each $\varepsilon$, same seeds:

# %%
for name, (xt, xv) in {
    "standardized": (x_train, x_val),
    "raw": (raw_train, raw_val),
}.items():
    for seed in (0, 1):
        results = []
        for epsilon in (1e-7, 1e-8):
            model = Sequential(
                [Dense(128, activation="elu"), Dense(10, activation="softmax")],
                seed=seed,
            )
            model.compile(optimizer=Adam(epsilon=epsilon), metrics=["accuracy"])
            model.fit(xt, y_train, epochs=4, verbose=0)
            results.append(model.evaluate(xv, y_val, verbose=0))
        (loss_7, acc_7), (loss_8, acc_8) = results
        print(
            f"{name:>12}, seed {seed}: validation log-loss {loss_7:.6f} vs "
            f"{loss_8:.6f}, accuracy {acc_7:.4f} vs {acc_8:.4f}"
        )

# %% [markdown]
# ## ...and when it would matter
#
# On standardized inputs the two values of $\varepsilon$ change the validation
# log-loss in the sixth decimal place, while a different seed changes it in the
# second: the study's $10^{-8}$ and Keras's $10^{-7}$ give the same model for every
# practical purpose. On raw inputs they give visibly different models, though
# neither is any good. In general $\varepsilon$ matters when some weights'
# gradients come within a factor of about 100 of it:
#
# * inputs left unscaled, or features that are almost always zero;
# * saturated or dead units, whose gradients vanish;
# * a loss multiplied by a small factor, such as tiny class or sample weights;
# * low precision: in float16, $10^{-8}$ is below the smallest representable number
#   and rounds to zero, while $10^{-7}$ survives.

# %%
print("1e-8 in float16:", np.float16(1e-8), "  1e-7 in float16:", np.float16(1e-7))

# %% [markdown]
# The opposite direction is sometimes taken on purpose: the documentation of
# TensorFlow 1's `AdamOptimizer`, the study's optimizer, warns that its $10^{-8}$ is
# not a good default everywhere and cites 1.0 or 0.1 for training an Inception
# network on ImageNet. With $\varepsilon$ that large, every weight whose
# $\sqrt{v}$ is below it takes steps proportional to its momentum $m$: Adam turns
# into momentum SGD with learning rate $\alpha_t / \varepsilon$.
#
# ## Exercise
#
# Write `paper_adam(w, grads, lr, beta_1, beta_2, epsilon)`: starting from `w`,
# apply the gradients in `grads` one after the other with the **paper's** form (bias
# correction on $m$ and $v$, then $\hat\varepsilon$ added to $\sqrt{\hat v}$) and
# return the final weights. The check confirms two facts from above: with
# $\varepsilon = 0$ both forms are the same algorithm, and for one step the paper's
# $\hat\varepsilon$ equals Keras's $\varepsilon / \sqrt{1 - \beta_2}$. Replace the
# `raise` line, run the cell, then the check (or `minigenre check 04` in a
# terminal); the solution is in `tutorials/solutions/`, for after you have tried.


# %%
def paper_adam(w, grads, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    raise NotImplementedError(
        "not implemented yet: paper_adam(w, grads, ...) should return w after "
        "one step of the paper's Adam per gradient in grads"
    )


# %%
check(paper_adam)

# %% [markdown]
# **2. Predict: what will $\varepsilon = 1$ do to the first step?** Three weights
# start at 0 with gradients 0.001, 1 and 100. Before running anything, work out how
# far `Adam(epsilon=1.0)` moves each of them in its first step, and return the three
# movements (new weight minus old) from `epsilon_one_first_step()`. The check runs
# Adam and compares.


# %%
def epsilon_one_first_step():
    raise NotImplementedError(
        "not implemented yet: epsilon_one_first_step() should return your "
        "prediction of how far Adam(epsilon=1.0) moves three zero weights with "
        "gradients 0.001, 1 and 100 in its first step"
    )


# %%
check(epsilon_one_first_step)

# %% [markdown]
# **3. The step size.** Write `step_size(t)`, Keras's $\alpha_t$ for learning rate
# 0.001 and the default betas, at step $t = 1, 2, \dots$. The check compares it with
# the package for the first step and for step 10,000.


# %%
def step_size(t):
    raise NotImplementedError(
        "not implemented yet: step_size(t) should return Keras's step size "
        "alpha_t at step t (lr 0.001, betas 0.9 and 0.999)"
    )


# %%
check(step_size)
