"""Measures the study's 25% rule and its three slips on the embedded dataset.

Run ``python benchmarks/study_slips.py`` (about 10 s); docs/WORKFLOW.md quotes its
output. Each seed trains the study's model as ``minigenre train --seed S`` does
(stratified 80/20 split, scaler fit on the 80%, 4 epochs, batch 32); the table shows
the mean over seeds and the range.

The ``study_*`` functions reproduce what the study's notebook did, slips included,
so that their effect can be measured; minigenre itself never does any of it.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import tempfile
from pathlib import Path

import numpy as np

from minigenre import __version__
from minigenre.study import kaggle, metrics, workflow
from minigenre.study.config import DataSource
from minigenre.study.preprocessing import StandardScaler


def study_confusion_matrix(y_true, proba, n_classes, threshold=0.25, default=1):
    """The study's loop: 25% rule with a default label, counted into a matrix.

    The study passed ``proba=predictions`` (the *test* set's probabilities) where
    the validation probabilities belonged, and ``default=1``, Pop_Rock's 1-based
    label, into a matrix indexed by 0-based labels (column 1 is Electronic).
    """
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    for i in range(len(y_true)):
        label = np.argmax(proba[i]) if proba[i].max() > threshold else default
        cm[y_true[i], label] += 1
    return cm


def study_label_file(labels) -> str:
    """The study's label file: ``np.savetxt(header=...)`` without ``comments=""``."""
    rows = np.column_stack([np.arange(1, len(labels) + 1), np.asarray(labels) + 1])
    out = io.StringIO()
    np.savetxt(out, rows, fmt="%d", delimiter=",", header="Sample_id,Sample_label")
    return out.getvalue()


def _other_mix(run, x_test, y_test) -> dict[str, float]:
    """Slip 1 on a test file whose genre mix differs from training: no Pop_Rock."""
    x, y = x_test[y_test != 0], y_test[y_test != 0]
    fixed = run.model.predict(run.scaler.transform(x)).argmax(axis=1)
    slipped = run.model.predict(StandardScaler().fit_transform(x)).argmax(axis=1)
    return {
        "slip 1: no-Pop_Rock test accuracy, training statistics": metrics.accuracy(
            y, fixed
        ),
        "slip 1: no-Pop_Rock test accuracy, own statistics": metrics.accuracy(
            y, slipped
        ),
    }


def measure_seed(dataset, seed: int, epochs: int = 4) -> dict[str, float]:
    """Trains one run and returns every figure the docs quote, by name."""
    run = workflow.train_run(dataset, DataSource(), seed=seed, epochs=epochs, verbose=0)
    argmax = workflow.evaluate_run(run, dataset)
    rule = workflow.evaluate_run(run, dataset, threshold=0.25)
    low = argmax.proba.max(axis=1) <= 0.25  # rows where the rule falls back
    y_val, names = argmax.y_true, dataset.genre_names
    hard = np.eye(len(names))  # a label file scored as 0/1 probabilities
    m = {
        "rule: argmax accuracy": argmax.accuracy,
        "rule: 25% rule accuracy": rule.accuracy,
        "rule: rows at or below 25%": float(low.sum()),
        "rule: argmax right on those rows": float((argmax.y_pred == y_val)[low].sum()),
        "rule: Pop_Rock right on those rows": float((y_val[low] == 0).sum()),
        "rule: log-loss of probabilities (both)": argmax.log_loss,
        "rule: log-loss of argmax as 0/1": metrics.log_loss(
            y_val, hard[argmax.y_pred], eps=kaggle.KAGGLE_EPS
        ),
        "rule: log-loss of rule as 0/1": metrics.log_loss(
            y_val, hard[rule.y_pred], eps=kaggle.KAGGLE_EPS
        ),
    }
    # Slip 1: standardize the test rows with their own statistics.
    x_test, y_test = dataset.x_test, dataset.y_test
    fixed = run.model.predict(run.scaler.transform(x_test))
    slipped = run.model.predict(StandardScaler().fit_transform(x_test))
    first = x_test[:100]  # the same songs, standardized in a smaller file
    alone = run.model.predict(StandardScaler().fit_transform(first)).argmax(axis=1)
    one_by_one = [
        run.model.predict(StandardScaler().fit_transform(row[None]))[0].argmax()
        for row in first
    ]
    rule_labels = kaggle.confident_labels(fixed, 0.25, fallback=0)
    m |= {
        "rule: rows at or below 25%, test set": float(
            (fixed.max(axis=1) <= 0.25).sum()
        ),
        "rule: argmax accuracy, test set": metrics.accuracy(
            y_test, fixed.argmax(axis=1)
        ),
        "rule: 25% rule accuracy, test set": metrics.accuracy(y_test, rule_labels),
        "slip 1: test accuracy, training statistics": metrics.accuracy(
            y_test, fixed.argmax(axis=1)
        ),
        "slip 1: test accuracy, own statistics": metrics.accuracy(
            y_test, slipped.argmax(axis=1)
        ),
        "slip 1: test log-loss, training statistics": metrics.log_loss(y_test, fixed),
        "slip 1: test log-loss, own statistics": metrics.log_loss(y_test, slipped),
        **_other_mix(run, x_test, y_test),
        "slip 1: labels changed, first 100 rows as a file": float(
            (alone != slipped[:100].argmax(axis=1)).sum()
        ),
        "slip 1: distinct labels, rows one at a time": float(len(set(one_by_one))),
        "slip 1: accuracy, rows one at a time": metrics.accuracy(
            y_test[:100], one_by_one
        ),
    }
    # Slip 2: the confusion matrix from the wrong array, with a 1-based default.
    test_proba = fixed
    for name, proba, default in [
        ("right array, default 0", argmax.proba, 0),
        ("right array, default 1", argmax.proba, 1),
        ("test array, default 0", test_proba, 0),
        ("test array, default 1 (study)", test_proba, 1),
    ]:
        cm = study_confusion_matrix(y_val, proba, len(names), default=default)
        m[f"slip 2: diagonal share, {name}"] = np.trace(cm) / cm.sum()
    return m


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 (10)")
    parser.add_argument("--epochs", type=int, default=4, help="default: 4")
    args = parser.parse_args(argv)
    dataset = DataSource().load()
    print(
        f"minigenre {__version__}, NumPy {np.__version__}, Python "
        f"{platform.python_version()}, OPENBLAS_NUM_THREADS="
        f"{os.environ.get('OPENBLAS_NUM_THREADS')}; embedded dataset, "
        f"{args.epochs} epochs, seeds 0-{args.seeds - 1}\n"
    )
    results = [measure_seed(dataset, seed, args.epochs) for seed in range(args.seeds)]
    width = max(map(len, results[0]))
    print(f"{'measure':<{width}}  {'mean':>7}  {'min':>7}  {'max':>7}")
    for key in results[0]:
        values = np.array([r[key] for r in results])
        print(
            f"{key:<{width}}  {values.mean():7.4f}  {values.min():7.4f}  "
            f"{values.max():7.4f}"
        )
    labels = np.array([2, 0, 9])
    text = study_label_file(labels)
    print(f"\nslip 3: np.savetxt(header=...) writes {text.splitlines()[0]!r}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "study_labels.csv"
        path.write_text(text)
        try:
            kaggle.read_submission(path)
        except ValueError as err:
            print(f"slip 3: read_submission: {str(err).replace(tmp, '...')}")
    try:
        np.savetxt(io.StringIO(), np.eye(2), header="h", comment="")
    except TypeError as err:
        print(f"slip 3: np.savetxt(..., comment='') raises TypeError: {err}")


if __name__ == "__main__":
    main()
