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
# # Tutorial 6: parity with Keras
#
# minigenre claims to be the study's Keras model, rebuilt. Tutorials 3 and 4
# compared the pieces (softmax, loss, gradients, one Adam step) with TensorFlow. This
# tutorial compares whole training runs, in two ways that answer two different
# questions:
#
# 1. **Same start, same batches.** Copy Keras's initial weights into the NumPy model,
#    feed both the same batches in the same order, and compare them after every
#    epoch. If the two compute the same thing, only float rounding can separate them.
# 2. **Independent runs.** Let each library draw its own initial weights and
#    shuffles, as a user would, train several times, and compare the distributions
#    of the results. Same algorithm, same distribution.
#
# The Keras side lives in `reference`, the only part of the project that imports
# TensorFlow (which takes a few seconds).
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

from minigenre.study.plots import plot_history
from minigenre.study.preprocessing import StandardScaler, train_test_split
from minigenre.study.synthetic import make_synthetic
from reference import build_model, keras_to_numpy, numpy_to_keras  # noqa: F401 (exercise)
from reference.parity import independent_runs, study_model, train_side_by_side

data = make_synthetic(seed=0)
x_train, x_val, y_train, y_val = train_test_split(
    data.x_train, data.y_train, test_size=0.2, seed=0, stratify=data.y_train
)
scaler = StandardScaler().fit(x_train)
x_train = scaler.transform(x_train).astype(np.float32)  # Keras trains in float32
x_val = scaler.transform(x_val).astype(np.float32)

# %% [markdown]
# ## Two fresh models are two different models
#
# `build_model` makes the study's compiled Keras model; `study_model` makes the same
# network in minigenre. Both use Keras's initializer, Glorot uniform, but draw from
# different random generators, so even with the same seed their weights, and hence
# their predictions, differ.

# %%
keras_model = build_model(seed=0)
numpy_model = study_model(seed=0)
numpy_model.build(x_train.shape[1])


def largest_gap(a, b):
    return float(np.abs(np.asarray(a) - np.asarray(b)).max())


def prediction_gap():
    return largest_gap(
        numpy_model.predict(x_val), keras_model.predict(x_val, verbose=0)
    )


print(f"before copying: probabilities differ by up to {prediction_gap():.2f}")
keras_to_numpy(keras_model, numpy_model)  # checks every shape, then copies
print(f"after copying:  probabilities differ by up to {prediction_gap():.1e}")

# %% [markdown]
# With the weights copied, the two forward passes agree to float32 rounding. Both
# keep the kernel as (inputs, units), so the arrays copy across unchanged.
#
# ## Same start, same batches
#
# Each library shuffles the training rows with its own random generator, so even
# from the same weights they would see different batches. `train_side_by_side`
# removes that too: it draws one permutation per epoch and trains each model on the
# permuted rows with `shuffle=False`, one epoch at a time, recording the histories
# and the largest weight difference after each epoch.

# %%
run = train_side_by_side(
    x_train, y_train, x_val, y_val, epochs=4, batch_size=32, seed=0
)
columns = ["loss NumPy", "loss Keras", "val_loss NumPy", "val_loss Keras"]
print(f"{'epoch':>5}" + "".join(f"{c:>16}" for c in columns) + "  max |weight diff|")
for epoch in range(4):
    values = [
        history[key][epoch]
        for key in ("loss", "val_loss")
        for history in (run.numpy_history, run.keras_history)
    ]
    cells = "".join(f"{value:>16.6f}" for value in values)
    print(f"{epoch + 1:>5}{cells}{run.max_weight_diff[epoch]:>19.1e}")

# %% [markdown]
# Plotted, the curves lie on top of each other: NumPy as lines, Keras as crosses.


# %%
def draw_side_by_side(run):
    fig = plot_history(run.numpy_history)  # the NumPy model's curves
    epochs = np.arange(1, len(run.keras_history["loss"]) + 1)
    for ax, key in zip(fig.axes, ("loss", "accuracy"), strict=True):
        for prefix in ("", "val_"):
            ax.plot(epochs, run.keras_history[prefix + key], "kx", markersize=9)
        ax.plot([], [], "kx", label="Keras (both)")
        ax.legend()
    fig.suptitle("minigenre (lines) and Keras (crosses), same start, same batches")
    return fig


show_figure(draw_side_by_side(run), "06_side_by_side")

# %% [markdown]
# After 440 Adam steps the largest difference between any two corresponding
# weights is of order $10^{-6}$, on weights of order $10^{-1}$: float32 keeps about
# seven significant digits, and the two libraries add up their matrix products in
# different orders (NumPy's BLAS versus TensorFlow's kernels), so their last digits
# differ from the first step on. The difference stays at that level instead of
# growing, and it never reaches a decision:

# %%
numpy_labels = run.numpy_proba.argmax(axis=1)
keras_labels = run.keras_proba.argmax(axis=1)
print(f"validation probabilities differ by up to {run.max_proba_diff:.1e}")
differ = int((numpy_labels != keras_labels).sum())
print(f"songs labelled differently: {differ} of {len(x_val)}")

# %% [markdown]
# This is the strongest form of the claim: given the same inputs, minigenre computes
# what Keras computes, step for step, to the precision of the arithmetic.
#
# ## Independent runs and their statistics
#
# A user does not copy weights; each library starts from its own random draw. Then
# two runs differ by far more than rounding, even within one library, because a
# different start and batch order lead to a different model. Parity now means
# that the *distribution* of results is the same. Train a few independent runs of
# each (every Keras run re-traces its graph, so they are the slow ones here):

# %%
numpy_runs = independent_runs("numpy", list(range(8)), x_train, y_train, x_val, y_val)
keras_runs = independent_runs(
    "keras", list(range(100, 104)), x_train, y_train, x_val, y_val
)
for name, runs in (("minigenre", numpy_runs), ("Keras", keras_runs)):
    loss, acc = runs[:, 0], runs[:, 1]
    print(
        f"{name:>9}, {len(runs)} runs: validation log-loss {loss.mean():.4f} "
        f"+- {loss.std(ddof=1):.4f}, accuracy {acc.mean():.4f} +- {acc.std(ddof=1):.4f}"
    )


# %%
def draw_runs(numpy_runs, keras_runs):
    fig = Figure(figsize=(9, 3.5), layout="constrained")
    titles = ("validation log-loss", "validation accuracy")
    for column, (ax, title) in enumerate(zip(fig.subplots(1, 2), titles, strict=True)):
        for position, runs in enumerate((numpy_runs, keras_runs)):
            ax.plot(np.full(len(runs), position), runs[:, column], "o", alpha=0.6)
            ax.plot(position, runs[:, column].mean(), "k_", markersize=30)
        ax.set_xticks([0, 1], ["minigenre", "Keras"])
        ax.set_xlim(-0.6, 1.6)
        ax.set_title(title)
    return fig


show_figure(draw_runs(numpy_runs, keras_runs), "06_runs")

# %% [markdown]
# The spread within each library (the dots) is the thing to compare the gap between
# the means (the bars) with. The difference of two means, each from a handful of
# noisy runs, is itself noisy; its standard error is
# $\sqrt{s_1^2 / n_1 + s_2^2 / n_2}$, with $s$ the standard deviations and $n$ the
# numbers of runs. A gap within about two standard errors is what chance alone
# produces routinely.

# %%
for column, label in ((0, "log-loss"), (1, "accuracy")):
    a, b = numpy_runs[:, column], keras_runs[:, column]
    gap = a.mean() - b.mean()
    se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    print(f"{label:>9}: gap {gap:+.4f}, standard error {se:.4f}, ratio {gap / se:+.1f}")

# %% [markdown]
# With this few runs the test can only rule out large gaps. The project's
# `benchmarks/parity_stats.py --runs 30` runs 30 of each (a minute or two) and the
# parity tests hold the means within 0.01 in accuracy and 0.02 in log-loss. Note
# the order of magnitude: seed-to-seed spread is around $10^{-2}$, the trajectory
# difference above around $10^{-6}$. The statistical comparison could never see a
# rounding-level difference; the side-by-side run could never see whether Keras's
# own random draws are distributed like minigenre's. Each test answers its own
# question.
#
# ## Exercise
#
# Parity works in both directions. Train a fresh minigenre model (`study_model`)
# for one epoch, copy its weights into a fresh Keras model with `numpy_to_keras`,
# and return both models. The check confirms that Keras now predicts what the
# NumPy model predicts, to within $10^{-5}$. Replace the `raise` line, run the cell,
# then the check (or `minigenre check 06` in a terminal); the solution is in
# `tutorials/solutions/`, for after you have tried.


# %%
def numpy_into_keras():
    raise NotImplementedError(
        "not implemented yet: numpy_into_keras() should return (a minigenre "
        "model trained for one epoch, a Keras model that predicts what it "
        "predicts)"
    )


# %%
check(numpy_into_keras)

# %% [markdown]
# **2. Rounding, counted.** "Equal to float precision" can be measured in units in
# the last place: how many float32 numbers lie between two results. Write
# `ulp_distance(a, b)` for two float32 arrays of the same sign entry by entry,
# returning the count for each entry (0 when equal).


# %%
def ulp_distance(a, b):
    raise NotImplementedError(
        "not implemented yet: ulp_distance(a, b) should return how many float32"
        " numbers apart a and b are, entry by entry"
    )


# %%
check(ulp_distance)

# %% [markdown]
# **3. Same distribution?** Independent runs give two samples of final accuracies.
# Write `welch_t(a, b)`, Welch's $t$ statistic for the difference between their
# means (each sample's own variance; no assumption that they are equal). Beyond
# about 2 in size, the difference is unlikely to be chance.


# %%
def welch_t(a, b):
    raise NotImplementedError(
        "not implemented yet: welch_t(a, b) should return Welch's t statistic "
        "for the difference between the means of two samples"
    )


# %%
check(welch_t)
