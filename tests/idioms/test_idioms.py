"""Scripts written in the idioms of public Keras code for small dense networks
(sources and idioms in docs/KERAS.md), run with only their imports changed.

Each script in ``scripts/`` is Keras code. ``test_runs_with_only_its_imports_
swapped`` swaps its Keras imports for minigenre's (nothing else changes) and runs
it with TensorFlow and Keras blocked. ``test_metrics_agree_with_keras_within_seed_
noise`` runs the genre scripts with real Keras and swapped, three seeds each, and
asks that the mean of every metric differ by no more than three combined standard
errors or 0.05, whichever is larger (``idioms.compare_with_keras``);
``benchmarks/idioms_vs_keras.py`` does the same for every script.
"""

import math

import pytest
from idioms import SCRIPTS, changed_lines, compare_with_keras, run

SEEDS = (0, 1, 2)


# The quick suite runs the two genre-table scripts (about 4 s each, a Python
# process apiece); the full suite all of them.
QUICK = ("i01_gtzan_features_sparse", "i02_gtzan_onehot_dropout")
SCRIPT_CASES = [
    pytest.param(s, id=s.stem, marks=() if s.stem in QUICK else pytest.mark.slow)
    for s in SCRIPTS
]


@pytest.mark.parametrize("script", SCRIPT_CASES)
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


# Each comparison costs about 40 s (six processes, three importing TensorFlow):
# the suite compares the two scripts of the study's own kind, genre classifiers on
# feature tables; benchmarks/idioms_vs_keras.py compares all of them.
GENRE_SCRIPTS = [s for s in SCRIPTS if "gtzan" in s.stem]


@pytest.mark.tensorflow
@pytest.mark.slow
@pytest.mark.parametrize("script", GENRE_SCRIPTS, ids=[s.stem for s in GENRE_SCRIPTS])
def test_metrics_agree_with_keras_within_seed_noise(script, tmp_path):
    report = compare_with_keras(script, tmp_path)
    assert report
    print(f"\n{script.stem}: " + "; ".join(report))
