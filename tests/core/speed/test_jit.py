"""When Adam runs its compiled update: jit_compile, "auto"'s rent, a learner's edit.

Both must give the same bits: ``jit_compile`` changes the time, never a number.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from minigenre import Adam, Dense, Sequential
from minigenre.study.network import study_model
from minigenre.study.synthetic import make_synthetic
from minigenre.study.workflow import split_and_scale

pytest.importorskip("numba")


def _adam(jit_compile: bool, **config) -> Adam:
    optimizer = Adam(**config)
    optimizer.jit_compile = jit_compile  # as Sequential.compile sets it
    return optimizer


def test_sgd_takes_jit_compile_and_ignores_it():
    model = Sequential([Dense(3, activation="softmax")], seed=0)
    model.compile("sgd", jit_compile=True)
    x = np.random.default_rng(0).standard_normal((8, 4))
    model.fit(x, np.arange(8) % 3, verbose=0)
    assert model.jit_compile is True
    assert model.optimizer.iterations == 1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_study_fit_is_bit_identical_with_and_without_jit_compile(dtype):
    split = split_and_scale(make_synthetic(seed=0), seed=0)
    results = {}
    for jit in (False, True):
        model = Sequential(
            [Dense(128, activation="elu"), Dense(10, activation="softmax")],
            seed=3,
            dtype=dtype,
        )
        model.compile(
            "adam", metrics=["accuracy"], weighted_metrics=["accuracy"],
            jit_compile=jit,
        )  # fmt: skip
        history = model.fit(
            split.x_train, split.y_train, epochs=2, verbose=0,
            class_weight="balanced", validation_data=(split.x_val, split.y_val),
        )  # fmt: skip
        results[jit] = (model.get_weights(), history.history)
    for a, b in zip(results[False][0], results[True][0], strict=True):
        assert a.tobytes() == b.tobytes()
    assert results[False][1] == results[True][1]


@pytest.mark.parametrize("jit_compile", [False, True])
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan, 3e19])
def test_a_gradient_whose_square_overflows_changes_nothing(jit_compile, bad):
    optimizer = _adam(jit_compile)
    w = np.arange(4, dtype=np.float32)
    optimizer.apply_gradients([w], [np.ones(4, np.float32)])
    before = [
        w.copy(),
        *(optimizer.get_state()[k][0].copy() for k in ("momentum", "velocity")),
    ]
    g = np.array([0.5, bad, 0.1, 0.2], dtype=np.float32)
    with pytest.raises(ValueError, match="is too large for Adam in float32"):
        optimizer.apply_gradients([w], [g])
    after = [w, *(optimizer.get_state()[k][0] for k in ("momentum", "velocity"))]
    for a, b in zip(before, after, strict=True):
        assert a.tobytes() == b.tobytes()
    assert optimizer.iterations == 1


@pytest.mark.parametrize("jit_compile", [False, True])
def test_the_largest_gradient_whose_square_is_finite_is_accepted(jit_compile):
    largest = np.sqrt(np.float32(np.finfo(np.float32).max))
    while not np.isfinite(largest * largest):  # sqrt may round up
        largest = np.nextafter(largest, np.float32(0))
    w = np.zeros(2, np.float32)
    _adam(jit_compile).apply_gradients([w], [np.array([largest, -largest])])
    assert np.isfinite(w).all()
    with pytest.raises(ValueError, match="too large"):
        _adam(jit_compile).apply_gradients(
            [w], [np.array([np.nextafter(largest, np.float32(np.inf)), 0], np.float32)]
        )


@pytest.mark.parametrize(
    "value", [1, 0, "yes", None, "Auto", np.array(["auto", "auto"])]
)
def test_jit_compile_must_be_true_false_or_auto(value):
    with pytest.raises(ValueError, match="jit_compile must be True, False or"):
        study_model(seed=0).compile("adam", jit_compile=value)


def test_numpys_false_is_false():
    model = study_model(seed=0)
    model.compile("adam", jit_compile=np.False_)
    assert model.jit_compile is False
    assert model.optimizer.jit_compile is False


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_numba_true_is_refused_and_auto_runs_numpy():
    out = _run(
        """
        import sys
        sys.modules["numba"] = None  # as if the fast extra were not installed
        import numpy as np
        from minigenre.study.network import study_model
        model = study_model(seed=0)
        try:
            model.compile("adam", jit_compile=True)
        except ValueError as err:
            print(err)
        model.compile("adam", jit_compile="auto")
        x = np.random.default_rng(0).standard_normal((64, 264))
        model.fit(x, np.arange(64) % 10, epochs=2, verbose=0)
        print(np.isfinite(model.get_weights()[0]).all())
        """
    )
    assert out.splitlines() == [
        'jit_compile=True needs numba: pip install "minigenre[fast]" (or use '
        '"auto", which runs the NumPy update without it).',
        "True",
    ]


# Enough weight-updates for "auto" to load the compiled update for this fit: 400
# steps (batch 1) of 1,126,410 weights, 4.5e8, after a study fit's 1.5e7. The fit
# knows its steps in advance, so the choice is made once, before its first step.
BIG_FIT = """
rng = np.random.default_rng(0)
x = rng.standard_normal((400, 264)).astype(np.float32)
y = rng.integers(0, 10, size=len(x))
weights = {}
for jit in (False, "auto"):
    model = Sequential([Dense(4096, activation="elu"),
                        Dense(10, activation="softmax")], seed=0)
    model.compile("adam", jit_compile=jit)
    model.fit(x, y, epochs=1, batch_size=1, verbose=0)
    weights[jit] = model.get_weights()
print(all(a.tobytes() == b.tobytes() for a, b in zip(weights[False], weights["auto"])))
"""
STUDY_FIT = """
import sys
import numpy as np
from minigenre import Dense, Sequential
from minigenre.study.network import study_model
from minigenre.study.synthetic import make_synthetic
from minigenre.study.workflow import split_and_scale

split = split_and_scale(make_synthetic(seed=0), seed=0)
study_model(seed=0).fit(split.x_train, split.y_train, epochs=4, verbose=0)
"""
# numba installed, but unable to load the loop (as without a writable cache).
BROKEN_NUMBA = """
import importlib.machinery, sys, types
numba = types.ModuleType("numba")
numba.__spec__ = importlib.machinery.ModuleSpec("numba", None)
def njit(*args, **kwargs):
    raise RuntimeError("cannot cache function: no locator available")
numba.njit = njit
sys.modules["numba"] = numba
"""


@pytest.mark.slow
def test_auto_loads_the_compiled_update_only_after_enough_work():
    # One study fit never loads numba; the big fit takes the compiled update, with
    # the bits of the readable update.
    out = _run(
        STUDY_FIT
        + 'print("numba" in sys.modules)\n'
        + BIG_FIT
        + 'print("minigenre._speed.adam_compiled" in sys.modules)\n'
    )
    assert out.splitlines() == ["False", "True", "True"]


@pytest.mark.slow
def test_auto_keeps_numpy_if_numba_cannot_load_the_loop():
    out = _run(
        BROKEN_NUMBA
        + STUDY_FIT
        + BIG_FIT
        + 'print("minigenre._speed.adam_compiled" in sys.modules)\n'
    )
    assert out.splitlines() == ["True", "False"]


def test_true_says_why_if_numba_cannot_load_the_loop():
    out = _run(
        BROKEN_NUMBA
        + """
import numpy as np
from minigenre import Dense, Sequential
model = Sequential([Dense(3, activation="softmax")], seed=0)
model.compile("adam", jit_compile=True)
model.build(4)
before = model.get_weights()
try:
    model.train_on_batch(np.ones((2, 4)), np.array([0, 1]))
except ValueError as err:
    print(err)
print(all((a == b).all() for a, b in zip(before, model.get_weights())))
"""
    )
    assert out.splitlines() == [
        "jit_compile=True: numba could not load Adam's compiled update "
        "(RuntimeError: cannot cache function: no locator available); "
        'jit_compile="auto" or False runs the NumPy update.',
        "True",
    ]


# A learner's edit of the readable update: the same formula with another factor.
EDITED_UPDATE = """
from minigenre import Adam

def edited(self, w, g, m, v, alpha):
    m += (g - m) * (1 - self.beta_1) * 0.5
    v += (g * g - v) * (1 - self.beta_2)
    w -= (m * alpha) / (np.sqrt(v) + self.epsilon)

Adam.update_step = edited
"""


@pytest.mark.slow
def test_auto_never_trains_past_a_learners_edit():
    # After the edit, the big fit with "auto" has paid the rent but keeps the edited
    # readable update (the compiled loop no longer gives its bits); False and "auto"
    # give the same weights, and True refuses in one line.
    out = _run(
        STUDY_FIT
        + EDITED_UPDATE
        + BIG_FIT
        + 'print("minigenre._speed.adam_compiled" in sys.modules)\n'
        + """
model = Sequential([Dense(3, activation="softmax")], seed=0)
model.compile("adam", jit_compile=True)
try:
    model.fit(np.ones((2, 4)), np.array([0, 1]), verbose=0)
except ValueError as err:
    print(err)
"""
    )
    assert out.splitlines() == [
        "True",
        "True",
        "jit_compile=True: Adam's compiled update does not give the bits of "
        "Adam.update_step (was it edited?); jit_compile=False runs update_step "
        "itself.",
    ]


def test_the_edited_readable_update_is_what_trains():
    # Without jit_compile, the readable update_step is the update: a subclass that
    # halves the step trains another model, the unedited one Adam's.
    class Halved(Adam):
        def update_step(self, w, g, m, v, alpha):
            super().update_step(w, g, m, v, alpha / 2)

    x = np.random.default_rng(0).standard_normal((64, 5))
    weights = {}
    for name, optimizer in (("adam", Adam()), ("halved", Halved())):
        model = Sequential([Dense(3, activation="softmax")], seed=0)
        model.compile(optimizer, jit_compile=False)
        model.fit(x, np.arange(64) % 3, epochs=2, verbose=0)
        weights[name] = model.get_weights()
    for a, b in zip(weights["adam"], weights["halved"], strict=True):
        assert not np.array_equal(a, b)
