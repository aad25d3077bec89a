"""Checks of the study tutorials (1, 5, 6 and 7): each takes the learner's function
and the tutorial's variables, returns a line of praise, or raises ``Wrong`` with a hint
naming what differs (which shape was expected, which step is missing).

Common mistakes are recognised by computing them too: an answer equal to a known
wrong variant gets that variant's hint rather than a bare "differs".
"""

from __future__ import annotations

import numpy as np

from minigenre.course.verdict import Wrong, as_array, same


# --- tutorial 1: the data ---------------------------------------------------------
def check_majority_share(fn, ns) -> str:
    for y, expected in [
        ([2, 2, 1], 2 / 3),
        ([0, 1, 2, 3], 1 / 4),
        ([5] * 7 + [0] * 3, 0.7),
    ]:
        got = fn(np.array(y))
        if np.ndim(got) != 0:
            raise Wrong(
                f"majority_share({y}) returned shape {np.shape(got)}: return one number"
            )
        if np.isclose(got, expected * len(y)):
            raise Wrong(
                f"majority_share({y}) returned the count {got}: divide by len(y)"
            )
        if not np.isclose(got, expected):
            raise Wrong(
                f"majority_share({y}) returned {got}; expected {expected:.4g}: the "
                "count of the most common label (np.bincount) over the number of labels"
            )
    train, val = fn(ns["y_train"]), fn(ns["y_val"])
    if abs(train - val) >= 2 / len(ns["y_val"]):
        raise Wrong(
            f"training {train:.4f} vs validation {val:.4f}: use y_train and y_val"
        )
    return f"majority baseline {train:.4f} (training), {val:.4f} (validation)"


# --- tutorial 5: training and the confusion matrix --------------------------------
def check_recall_per_genre(fn, ns) -> str:
    small = np.array([[3, 1], [2, 2]])
    got = as_array(
        fn(small), "recall_per_genre([[3, 1], [2, 2]])", (2,), "one per genre"
    )
    if same(got, [3 / 5, 2 / 3]):
        raise Wrong(
            "that is precision (divided by column sums); recall divides each "
            "diagonal entry by its row's sum, the genre's true count"
        )
    if not same(got, [0.75, 0.5]):
        raise Wrong(f"recall_per_genre([[3, 1], [2, 2]]) = {got}; expected [0.75, 0.5]")
    cm, names = ns["cm"], ns["names"]
    recall = as_array(fn(cm), "the recall", (len(names),), "one number per genre")
    worst = names[int(recall.argmin())]
    return f"the worst-recalled genre is {worst} ({recall.min():.0%})"


def check_most_confused(fn, ns) -> str:
    small, labels = np.array([[5, 1, 0], [7, 2, 0], [0, 3, 9]]), ["a", "b", "c"]
    got = tuple(fn(small, labels))
    if got == ("c", "c"):
        raise Wrong("that is the diagonal (correct predictions): leave it out")
    if got == ("a", "b"):
        raise Wrong("swapped: rows are the true genre, columns the predicted one")
    if got != ("b", "a"):
        raise Wrong(
            f"for [[5, 1, 0], [7, 2, 0], [0, 3, 9]] expected ('b', 'a'), got {got}"
        )
    true, predicted = fn(ns["cm"], ns["names"])
    count = ns["cm"][list(ns["names"]).index(true), list(ns["names"]).index(predicted)]
    return f"most often, {true} songs are predicted as {predicted} ({count} songs)"


# --- tutorials 6 and 7: parity, early stopping ------------------------------------
def check_numpy_into_keras(fn, ns) -> str:
    trained, fresh = fn()
    if not getattr(trained, "built", False):
        raise Wrong("train the NumPy model first (fit for one epoch)")
    untrained = ns["study_model"](seed=1)
    untrained.build(ns["x_train"].shape[1])
    if np.abs(trained.get_weights()[0] - untrained.get_weights()[0]).max() <= 1e-3:
        raise Wrong("the NumPy model's weights look untrained: fit it for one epoch")
    x_val = ns["x_val"]
    gap = float(np.abs(trained.predict(x_val) - fresh.predict(x_val, verbose=0)).max())
    if gap >= 1e-5:
        raise Wrong(f"predictions differ by {gap:.1e}: copy with numpy_to_keras")
    return f"Keras predicts what minigenre predicts (gap {gap:.1e})"


def check_early_stopping(fn, ns) -> str:
    model, history = fn()
    curve = history.history.get("val_accuracy")
    if not curve:
        raise Wrong(
            "the history has no val_accuracy: pass validation_data=(x_val, y_val)"
        )
    if len(curve) >= 50:
        raise Wrong("training never stopped early: pass callbacks=[EarlyStopping(...)]")
    final = model.evaluate(ns["x_val"], ns["y_val"], verbose=0)[1]
    if final != max(curve):
        raise Wrong(
            f"final {final:.4f} but best {max(curve):.4f}: restore_best_weights"
        )
    best = int(np.argmax(curve)) + 1
    return f"stopped after {len(curve)} epochs and kept the best, epoch {best}"


# --- the second round ------------------------------------------------------------
def check_standardize(fn, ns) -> str:
    raw_train, raw_val = ns["raw_train"], ns["raw_val"]
    got = fn(raw_train.copy(), raw_val.copy())
    if not isinstance(got, tuple | list) or len(got) != 2:
        raise Wrong("return two arrays: (training rows, validation rows), scaled")
    train = as_array(got[0], "the training rows", raw_train.shape, "like x_train")
    val = as_array(got[1], "the validation rows", raw_val.shape, "like x_val")
    # Columns that never change (the 2018 table's 216-219, always 1e6) are judged
    # apart: the slips below show in the others, where every formula is finite.
    varies = raw_train.std(axis=0) > 0
    tr, va = raw_train[:, varies], raw_val[:, varies]
    mean, std = tr.mean(axis=0), tr.std(axis=0)
    both = np.concatenate([tr, va])
    if same(val[:, varies], (va - va.mean(0)) / va.std(0), rtol=1e-6):
        raise Wrong(
            "the validation rows are scaled with their own statistics: new songs "
            "arrive one at a time, with no statistics of their own"
        )
    if same(train[:, varies], (tr - both.mean(0)) / both.std(0), rtol=1e-6):
        raise Wrong(
            "the statistics include the validation rows: they leak into training, "
            "and the validation score is no longer an honest estimate"
        )
    if same(train[:, varies], (tr - mean) / tr.std(0, ddof=1), rtol=1e-6):
        raise Wrong("std with ddof=1: StandardScaler (and scikit-learn) use ddof=0")
    if not same(train[:, varies], (tr - mean) / std, rtol=1e-6):
        raise Wrong("the training rows should have mean 0 and std 1 in every column")
    if not same(val[:, varies], (va - mean) / std, rtol=1e-6):
        raise Wrong("scale the validation rows with the training rows' mean and std")
    if not (
        varies.all() or same(train[:, ~varies], np.zeros((len(tr), (~varies).sum())))
    ):
        raise Wrong(
            f"{int((~varies).sum())} columns never change (std 0): dividing by 0 "
            "gives NaN; StandardScaler divides those by 1, leaving 0"
        )
    return "the validation rows are scaled as a new song would be"


def check_prior_log_loss(fn, ns) -> str:
    y = np.array([0, 0, 0, 1])
    got = float(fn(y, 2))
    want = -(3 * np.log(0.75) + np.log(0.25)) / 4
    if np.isclose(got, np.log(2)):
        raise Wrong("that is the uniform guess's loss; use each genre's share of y")
    if np.isclose(got, -np.log(0.75)):
        raise Wrong("only the majority's rows: average -log(share of y_i) over all")
    if not np.isclose(got, want):
        raise Wrong(f"prior_log_loss([0, 0, 0, 1], 2) = {got:.4g}; expected {want:.4g}")
    value = float(fn(ns["y_train"], len(ns["names"])))
    return f"{value:.4f} on the training labels: a model must beat this, not log(10)"


def check_swallowing_genre(fn, ns) -> str:
    small, labels = np.array([[2, 1, 0], [7, 3, 0], [5, 1, 30]]), ["a", "b", "c"]
    got = fn(small, labels)
    if got == "b":
        raise Wrong("that counts rows, the true genres; swallowing is being predicted")
    if got == "c":
        raise Wrong("the diagonal counts correct predictions: leave it out")
    if got != "a":
        raise Wrong(f"for [[2, 1, 0], [7, 3, 0], [5, 1, 30]] expected 'a', got {got!r}")
    cm, names = ns["cm"], ns["names"]
    genre = fn(cm, names)
    column = list(names).index(genre)
    taken = int(cm[:, column].sum() - cm[column, column])
    return f"{genre} takes {taken} songs of other genres"


def check_macro_recall(fn, ns) -> str:
    y_true, y_pred = np.array([0, 0, 0, 0, 1, 2]), np.array([0, 0, 0, 0, 0, 2])
    got = float(fn(y_true, y_pred))
    if np.isclose(got, 5 / 6):
        raise Wrong("that is accuracy: each genre's recall first, then their mean")
    if not np.isclose(got, 2 / 3):
        raise Wrong(f"macro_recall([0,0,0,0,1,2], [0,0,0,0,0,2]) = {got:.4g}; "
                    "expected 0.6667")  # fmt: skip
    y = ns["y_val"]
    majority = np.full_like(y, np.bincount(ns["y_train"]).argmax())
    return f"always the majority genre: macro recall {fn(y, majority):.2f}"


def check_balanced_class_weights(fn, ns) -> str:
    y = np.array([0, 0, 0, 1])
    got = as_array(fn(y), "the weights", (2,), "one per class")
    if same(got, [1 / 3, 1.0]):
        raise Wrong(
            "1 / count gives the right ratios, but the mean weight per row is far "
            "below 1, which shrinks the loss and Adam's effective step"
        )
    if same(got, [3 / 4, 1 / 4]) or same(got, [4 / 3, 4.0]):
        raise Wrong("a class's weight falls as its count grows: n / (classes * count)")
    if not same(got, [4 / 6, 2.0]):
        raise Wrong(f"balanced weights of [0, 0, 0, 1]: got {got}, expected [0.667, 2]")
    weights = as_array(fn(ns["y_train"]), "the weights", (10,), "one per genre")
    mean = float(weights[ns["y_train"]].mean())
    return f"weights from {weights.min():.2f} to {weights.max():.1f}, mean {mean:.2f}"


def check_ulp_distance(fn, ns) -> str:
    a = np.array([1.0, 1.0, -2.0, 0.5], dtype=np.float32)
    b = np.array([1.0, np.nextafter(np.float32(1), np.float32(2)), -2.0, 0.5000001],
                 dtype=np.float32)  # fmt: skip
    want = np.abs(a.view(np.int32).astype(np.int64) - b.view(np.int32))
    got = as_array(fn(a, b), "the distances", a.shape, "one per entry")
    if same(got, np.abs(a - b)):
        raise Wrong("that is the difference in value; count the float32 steps between")
    if not same(got, want):
        raise Wrong(f"expected {want.tolist()} float32 steps, got {got.tolist()}")
    return "two float32 numbers of the same sign: their bits, as integers, subtracted"


def check_welch_t(fn, ns) -> str:
    a, b = np.array([0.60, 0.62, 0.61, 0.63]), np.array([0.58, 0.61, 0.60, 0.57, 0.59])
    want = (a.mean() - b.mean()) / np.sqrt(
        a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)
    )
    got = float(fn(a, b))
    biased = (a.mean() - b.mean()) / np.sqrt(a.var() / len(a) + b.var() / len(b))
    if np.isclose(got, biased):
        raise Wrong("the sample variance divides by n - 1 (ddof=1)")
    if np.isclose(got, (a.mean() - b.mean()) / np.sqrt(a.var(ddof=1) + b.var(ddof=1))):
        raise Wrong("the standard error of a mean divides each variance by its n")
    if np.isclose(abs(got), abs(want)) and not np.isclose(got, want):
        raise Wrong("the sign: a's mean minus b's")
    if not np.isclose(got, want):
        raise Wrong(f"expected t = {want:.4f}, got {got:.4f}")
    return f"t = {want:.2f}: beyond about 2, the difference is unlikely to be chance"
