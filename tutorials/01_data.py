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
# # Tutorial 1: the data
#
# Before any network, the numbers it will learn from. The 2018 study used the data of
# a Kaggle competition: one row of 264 audio features per song, and one of 10 genres
# to predict. This tutorial loads that data, looks at its three kinds of features and
# at how unevenly the genres are represented, and shows why every feature is
# standardized before training. Those two facts, wildly different scales and one genre
# holding half the songs, explain most of what the later tutorials find.
#
# **Needs:** minigenre only (NumPy, pandas and matplotlib).

# %%
# %matplotlib inline
import tempfile
from pathlib import Path

import numpy as np

from minigenre import Dense, Sequential
from minigenre.course import check, show_figure
from minigenre.study.data import GENRES, SECTIONS, Dataset, load_kaggle, write_kaggle
from minigenre.study.plots import (
    plot_genre_distribution,
    plot_samples,
    plot_standardized_samples,
)
from minigenre.study.preprocessing import StandardScaler, train_test_split
from minigenre.study.synthetic import make_synthetic

# %% [markdown]
# ## Loading: the Kaggle files or the embedded set
#
# The competition ships three headerless CSV files: `train_data.csv` (4363 songs x 264
# features), `train_labels.csv` (one genre per song, numbered 1 to 10) and
# `test_data.csv` (6544 songs whose genres Kaggle keeps hidden). If you have them, put
# their folder in `KAGGLE_DIR`. Otherwise minigenre generates a stand-in from a seed:
# same shapes, the same genre counts, and column by column the real table's scales
# (its quantiles, floors, constant columns and per-genre means, measured on the real
# file and embedded in `minigenre.study.mlbp2018`), about the same difficulty, and,
# unlike Kaggle, it keeps the hidden test labels in `y_test` so that test predictions
# can be scored. Every tutorial runs on it without a download.

# %%
KAGGLE_DIR = None  # e.g. "~/data/music-genres": a folder with the three files

if KAGGLE_DIR is None:
    data = make_synthetic(seed=0)
else:
    data = load_kaggle(Path(KAGGLE_DIR).expanduser())
print(data)
print("classes:", data.genre_names)

# %% [markdown]
# Both paths give the same `Dataset`: `x_train` (songs, features), `y_train` with the
# genres as **0-based** class numbers (class 0 is Pop_Rock), `x_test`, and the genre
# names. The files number genres from 1, as the competition does; the loader shifts
# them. To see the file format without the real files, write a few rows of the
# embedded set in that format and load them back: the loader reads exactly what the
# writer wrote, every float bit for bit.

# %%
few = Dataset(data.x_train[:20], data.y_train[:20], data.x_test[:5], GENRES)
with tempfile.TemporaryDirectory() as tmp:
    folder = Path(tmp)
    write_kaggle(few, folder)
    rows = (folder / "train_data.csv").read_text().splitlines()
    labels = (folder / "train_labels.csv").read_text().split()
    back = load_kaggle(folder)
print(f"train_data.csv: {len(rows)} lines, each {rows[0].count(',') + 1} numbers")
print(f"  the first starts {rows[0][:60]}...")
print("labels in the file:", labels[:5])
print("labels in memory:  ", back.y_train[:5].tolist())
print("same floats:", np.array_equal(back.x_train, few.x_train))

# %% [markdown]
# ## Three kinds of features
#
# Each row concatenates three sections of audio descriptors, kept in `SECTIONS`:
#
# * **rhythm** (columns 0-167): rp_extract's Statistical Spectrum Descriptor, the
#   loudness of 24 frequency bands in sone x 1000, statistic by statistic: 24 band
#   means, then 24 variances, skewnesses, kurtoses, medians, minima and maxima. Means
#   are in the thousands, kurtoses reach hundreds of thousands; a band that never
#   rises above hearing sits at the floor 1.066 (band 24 does in three songs of four);
# * **chroma** (168-215): mean, *variance*, min and max of how strongly each of the
#   12 pitch classes sounds, between 0 and 1;
# * **timbre** (216-263), which the course called "MFCC" (and `SECTIONS` still names
#   `"mfcc"`): the Echo Nest's timbre vectors, mean, variance, min and max of 12
#   dimensions divided by 1000; columns 216-219 hold the same 1e6 in every row.
#
# A table of each section's range and of its columns' standard deviations shows the
# problem in numbers.

# %%
print(f"{'section':<8}{'columns':>10}{'min':>10}{'max':>10}{'std of columns':>22}")
for name, part in SECTIONS.items():
    values = data.x_train[:, part]  # (songs, columns in the section)
    spread = values.std(axis=0)  # (columns,)
    print(
        f"{name:<8}{part.start:>4}-{part.stop - 1:<5}{values.min():>10.3g}"
        f"{values.max():>10.3g}{spread.min():>11.2g} to {spread.max():<8.2g}"
    )
stds = data.x_train.std(axis=0)
print(f"columns that never change: {np.flatnonzero(stds == 0).tolist()}")
print(f"largest / smallest other std: {stds.max() / stds[stds > 0].min():,.0f}")

# %% [markdown]
# The same in pictures: three songs, whole and section by section. In the whole
# vector (left) the constant 1e6 columns and the rhythm kurtoses dwarf everything;
# only the per-section panels show that chroma and timbre carry structure too.

# %%
show_figure(plot_samples(data.x_train, indices=(0, 1, 2)), "01_raw_samples")

# %% [markdown]
# ## One genre holds half the songs
#
# Count the songs per genre.

# %%
show_figure(plot_genre_distribution(data.y_train, data.genre_names), "01_genres")

# %% [markdown]
# Pop_Rock is half of the training set; Reggae and Blues are about 2% each. That
# sets the bar every model must clear: answering "Pop_Rock" for every song, without
# looking at it, is right half of the time. An accuracy of 60% is therefore far less
# impressive than it sounds, and a model that minimises its average error has every
# reason to lean towards Pop_Rock when it is unsure. Tutorial 5 shows that it does.

# %%
counts = np.bincount(data.y_train, minlength=len(data.genre_names))
majority = data.genre_names[counts.argmax()]
print(f"always answering {majority}: accuracy {counts.max() / counts.sum():.3f}")

# %% [markdown]
# ## Why standardization matters
#
# The first layer of the study's network computes $z = x W + b$: each of its 128
# units adds up all 264 features, each times a weight. Keras starts those weights
# uniform in $\pm\sqrt{6 / (264 + 128)} \approx \pm 0.12$, a choice that assumes
# inputs of about unit size. Feed it raw features and a feature's influence on $z$ is
# proportional to its scale. Split a freshly initialised layer's $z$ into the part
# each section contributes:

# %%
layer = Dense(128, activation="elu")
layer.build(input_dim=264, rng=np.random.default_rng(0), dtype=np.float64)
scaled_all = StandardScaler().fit_transform(data.x_train)


def section_shares(x):
    """How much of the spread of z = x @ kernel over songs each section produces."""
    spread = {
        n: (x[:, p] @ layer.kernel[p]).std(axis=0).mean() for n, p in SECTIONS.items()
    }  # per unit, the spread over songs; averaged over the 128 units
    total = sum(spread.values())
    return {name: f"{value / total:.2%}" for name, value in spread.items()}


print("raw features:         ", section_shares(data.x_train))
print("standardized features:", section_shares(scaled_all))
z_raw = data.x_train @ layer.kernel  # (songs, 128)
print(f"raw z: median |z| {np.median(np.abs(z_raw)):,.0f}")

# %% [markdown]
# On raw features the rhythm section's large columns make nearly all the difference
# between songs; chroma and timbre, 96 of the 264 columns, move $z$ by a fraction of
# a percent: the network starts out effectively deaf to them. And the constant 1e6
# columns, which tell songs apart not at all, shift every unit's $z$ by up to
# hundreds of thousands, where ELU is flat on the negative side and the softmax
# saturates. After standardization every column has mean 0 and standard deviation 1,
# and each section speaks in proportion to its size.
#
# ## A column that never changes
#
# Columns 216-219 hold 1e6 in every row: their standard deviation is 0, and
# "divide by the standard deviation" would divide 0 by 0. scikit-learn's
# `StandardScaler`, and minigenre's, keep such a column's `scale_` at 1 instead: it is
# centred (to 0 in every row) and left unscaled. The naive formula gives NaN, and one
# NaN column makes every prediction NaN.

# %%
constant = SECTIONS["mfcc"].start + np.arange(4)  # columns 216-219
fitted = StandardScaler().fit(data.x_train)
print("mean_: ", fitted.mean_[constant], " scale_:", fitted.scale_[constant])
print("transformed:", fitted.transform(data.x_train[:2])[:, constant])
with np.errstate(invalid="ignore"):  # 0 / 0, on purpose
    naive = (data.x_train - data.x_train.mean(axis=0)) / data.x_train.std(axis=0)
print("naive (x - mean) / std:", naive[:2, constant])
#
# Standardizing means subtracting each column's mean and dividing by its standard
# deviation. Those statistics must come from the **training** rows only: the
# validation rows stand in for songs the model has never seen, and the test rows
# must be transformed with exactly the same numbers the model was trained with
# (tutorial 7 measures what happens when they are not). So: split first, fit the
# scaler on the training part, transform both. The split is stratified, so each genre
# keeps its share in both parts.

# %%
x_train, x_val, y_train, y_val = train_test_split(
    data.x_train, data.y_train, test_size=0.2, seed=0, stratify=data.y_train
)
scaler = StandardScaler().fit(x_train)  # statistics of the training rows only
x_train_std, x_val_std = scaler.transform(x_train), scaler.transform(x_val)
print(f"training {x_train.shape}, validation {x_val.shape}")
print(f"training columns: mean within {np.abs(x_train_std.mean(axis=0)).max():.1e}")
print(f"validation columns: means up to {np.abs(x_val_std.mean(axis=0)).max():.2f}")

# %% [markdown]
# The validation columns are only approximately centred, as they should be: they
# were scaled with the training statistics. The same three songs, standardized (here
# from the training part of the split):

# %%
show_figure(
    plot_standardized_samples(x_train_std, indices=(0, 1, 2)),
    "01_standardized_samples",
)

# %% [markdown]
# Does it matter for the trained model, not only at the start? Train the study's
# network (tutorial 5 explains `fit`; here it is just a measuring instrument) once on
# raw and once on standardized features, same seed, and score both on the validation
# rows.

# %%
for name, (xt, xv) in {
    "raw": (x_train, x_val),
    "standardized": (x_train_std, x_val_std),
}.items():
    model = Sequential(
        [Dense(128, activation="elu"), Dense(10, activation="softmax")], seed=0
    )
    model.compile(optimizer="adam", metrics=["accuracy"])
    model.fit(xt, y_train, epochs=4, verbose=0)
    loss, acc = model.evaluate(xv, y_val, verbose=0)
    print(f"{name:>12}: validation accuracy {acc:.3f}, log-loss {loss:.2f}")

# %% [markdown]
# Without standardization the model does no better than always answering Pop_Rock,
# and its log-loss is thousands of times larger: with inputs in the millions every
# softmax is certain, and where it is wrong, it is confidently wrong.
#
# ## Exercise
#
# The split above is stratified. Write `majority_share(y)`, the accuracy of always
# predicting the most common class of `y`; the check uses it to confirm that the
# training and validation parts have the same majority baseline (to within a row or
# two). Replace the `raise` line with your code, run the cell, then the check below
# it (or `minigenre check 01` in a terminal). The solution is in
# `tutorials/solutions/`, for after you have tried.


# %%
def majority_share(y):
    raise NotImplementedError(
        "not implemented yet: majority_share(y) should return the accuracy of "
        "always predicting the most common label of y"
    )


# %%
check(majority_share)

# %% [markdown]
# **2. A slip of the study's kind.** The study's script standardized every row at
# once, before splitting. Write `standardize(x_train, x_val)` returning the two
# parts standardized the way a model in use must see them: decide where the mean and
# standard deviation come from. The check knows the ways this goes wrong.


# %%
def standardize(x_train, x_val):
    raise NotImplementedError(
        "not implemented yet: standardize(x_train, x_val) should return both "
        "parts scaled as the model must see them"
    )


# %%
check(standardize)

# %% [markdown]
# **3. A baseline for the loss.** Accuracy has its majority baseline; the log-loss
# has one too. Write `prior_log_loss(y, classes)`: the mean log-loss of a model that
# ignores the features and gives every song the same probabilities, the ones the
# genre counts of `y` suggest. A trained model that cannot beat it has learned
# nothing from the features.


# %%
def prior_log_loss(y, classes):
    raise NotImplementedError(
        "not implemented yet: prior_log_loss(y, classes) should return the log-"
        "loss of a model that knows only the genre counts of y"
    )


# %%
check(prior_log_loss)
