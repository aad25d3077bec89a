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
