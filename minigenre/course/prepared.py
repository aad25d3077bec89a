"""The data a tutorial's checks need, prepared as the tutorial prepares it, but only
that: ``minigenre check`` builds it in a second instead of re-running the tutorial.

Every value is computed from the data at check time, never written down, so the
checks hold for whatever the embedded data set holds.
"""

from __future__ import annotations

import functools

import numpy as np

from minigenre import Adam, Dense, Sequential
from minigenre.study import metrics
from minigenre.study.preprocessing import StandardScaler, train_test_split
from minigenre.study.synthetic import make_synthetic


@functools.cache
def _split() -> dict:
    """Tutorials 1, 5, 6 and 7's split: 80/20 stratified, standardized on training."""
    data = make_synthetic(seed=0)
    raw_train, raw_val, y_train, y_val = train_test_split(
        data.x_train, data.y_train, test_size=0.2, seed=0, stratify=data.y_train
    )
    scaler = StandardScaler().fit(raw_train)
    return {
        "raw_train": raw_train, "raw_val": raw_val,
        "x_train": scaler.transform(raw_train), "x_val": scaler.transform(raw_val),
        "y_train": y_train, "y_val": y_val, "names": list(data.genre_names),
    }  # fmt: skip


@functools.cache
def _confusion() -> dict:
    """Tutorial 5's confusion matrix: the study's model, 4 epochs, seed 0."""
    split = _split()
    model = Sequential(
        [Dense(128, activation="elu"), Dense(10, activation="softmax")], seed=0
    )
    model.compile(optimizer=Adam(), metrics=["accuracy"])
    model.fit(split["x_train"], split["y_train"], epochs=4, verbose=0)
    predicted = model.predict(split["x_val"], verbose=0).argmax(axis=1)
    cm = metrics.confusion_matrix(split["y_val"], predicted, len(split["names"]))
    return {"cm": cm}


def _tutorial_06() -> dict:
    split = _split()
    as32 = {k: split[k].astype(np.float32) for k in ("x_train", "x_val")}
    return {**split, **as32}


# Tutorial number -> the data its checks read (the learner's code may use it too).
_PREPARE = {
    "01": _split,
    "05": lambda: {**_split(), **_confusion()},
    "06": _tutorial_06,
    "07": _split,
}


def prepared(tutorial: str) -> dict:
    """The variables tutorial ``tutorial`` ("05") gives its checks; a fresh dict."""
    make = _PREPARE.get(tutorial)
    return dict(make()) if make is not None else {}
