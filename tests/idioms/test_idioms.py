"""Scripts written in the idioms of public Keras code for small dense networks
(sources and idioms in docs/KERAS.md), run with only their imports changed.

Each script in ``scripts/`` is Keras code. ``test_runs_with_only_its_imports_
swapped`` swaps its Keras imports for minigenre's (nothing else changes) and runs
it with TensorFlow and Keras blocked. ``test_metrics_agree_with_keras_within_seed_
noise`` runs each script with real Keras and swapped, three seeds each, and asks
that the mean of every metric differ by no more than three combined standard
errors or 0.05, whichever is larger (small test sets move in steps of 1/30).
"""

import math

import numpy as np
import pytest
from idioms import SCRIPTS, changed_lines, run

SEEDS = (0, 1, 2)


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_runs_with_only_its_imports_swapped(script, tmp_path):
    changed = changed_lines(script.read_text())
    assert changed
    assert all(line.startswith(("import ", "from ")) for line in changed), changed
    metrics = run(script, tmp_path, seed=0, keras=False)
    assert metrics.pop("_loaded") == "[]"  # nothing even tried TensorFlow
    values = [v for k, v in metrics.items() if not k.startswith("_")]
    assert values
    for value in values:
        if isinstance(value, float):
            assert math.isfinite(value)
        if value is False:  # e.g. "same_predictions"
            pytest.fail(f"{script.stem}: {metrics}")


def test_there_are_at_least_fifteen_scripts():
    assert len(SCRIPTS) >= 15


@pytest.mark.tensorflow
@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_metrics_agree_with_keras_within_seed_noise(script, tmp_path):
    runs = {
        side: [
            run(script, tmp_path / f"{side}{seed}", seed, keras=side == "keras")
            for seed in SEEDS
        ]
        for side in ("keras", "minigenre")
    }
    report = []
    for key, value in runs["keras"][0].items():
        if key.startswith("_") or not isinstance(value, float):
            if not key.startswith("_"):  # counts, names, flags: equal
                assert runs["minigenre"][0][key] == value, key
            continue
        theirs = np.array([r[key] for r in runs["keras"]])
        ours = np.array([r[key] for r in runs["minigenre"]])
        error = math.sqrt(theirs.var(ddof=1) / 3 + ours.var(ddof=1) / 3)
        allowed = max(3 * error, 0.05)
        diff = abs(ours.mean() - theirs.mean())
        report.append(
            f"{key}: keras {theirs.mean():.4f} (sd {theirs.std(ddof=1):.4f}), "
            f"minigenre {ours.mean():.4f} (sd {ours.std(ddof=1):.4f}), "
            f"|diff| {diff:.4f} <= {allowed:.4f}"
        )
        assert diff <= allowed, report[-1]
    print(f"\n{script.stem}: " + "; ".join(report))
