"""``predict``'s compiled forward pass (``jit_compile``) against ``predict_step``.

It must give the readable pass's bits, chunk by chunk and for a lone last row,
and step aside for what it does not support or when the readable layers change.
"""

import subprocess
import sys

import numpy as np
import pytest
from compiled_cases import UNSUPPORTED

from minigenre import Dense, Sequential, activations
from minigenre.study.synthetic import make_synthetic
from minigenre.study.workflow import split_and_scale

pytest.importorskip("numba")


def compiled(model) -> bool:
    """Whether the model's last predict ran the compiled pass."""
    return model.predict_function != model.predict_step


def _trained(layers, jit_compile, x, y, dtype="float32"):
    model = Sequential(layers, seed=0, dtype=dtype)
    model.compile("adam", jit_compile=jit_compile)
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    return model


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_study_networks_predictions_are_bit_identical(dtype):
    split = split_and_scale(make_synthetic(seed=0), seed=0)
    x, y = split.x_train.astype(dtype), split.y_train
    models = [
        _trained([Dense(128, "elu"), Dense(10, "softmax")], jit, x, y, dtype)
        for jit in (False, True)
    ]
    x_test = np.concatenate([split.x_val, split.x_train]).astype(dtype)
    for rows in (x_test, x_test[:1025], x_test[:33], x_test[:1]):  # chunks, lone row
        readable, fast = (m.predict(rows) for m in models)
        assert not compiled(models[0])
        assert compiled(models[1])
        assert readable.tobytes() == fast.tobytes()
        for batch_size in (32, 7):
            readable, fast = (m.predict(rows, batch_size=batch_size) for m in models)
            assert readable.tobytes() == fast.tobytes()


def test_a_deeper_elu_stack_with_extreme_inputs_is_bit_identical():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((97, 7)).astype(np.float32)
    layers = [Dense(9, "elu"), Dense(5, "elu"), Dense(4, "softmax")]
    model = _trained(layers, True, x, rng.integers(0, 4, size=97))
    x_new = x * np.logspace(-30, 30, 7, dtype=np.float32)  # tiny to huge columns
    with np.errstate(all="ignore"):
        expected = model.predict_step(x_new)
    got = model.predict(x_new)
    assert compiled(model)
    assert expected.tobytes() == got.tobytes()


def test_the_pass_and_its_probe_are_kept_between_calls_with_bounded_buffers():
    x = np.random.default_rng(5).standard_normal((3000, 5)).astype(np.float32)
    model = _trained(
        [Dense(6, "elu"), Dense(3, "softmax")], True, x, np.arange(3000) % 3
    )
    model.predict(x)
    first = model.predict_function
    for rows in range(1, 40):  # many last-chunk sizes
        got = model.predict(x[:rows])
        assert got.tobytes() == in_batches_of_32(model, x[:rows]).tobytes()
    assert model.predict_function is first  # probed once
    assert len(first.buffers) <= 2
    model.layers[0].kernel = model.layers[0].kernel * 2  # new weights, same layers
    assert model.predict(x).tobytes() == in_batches_of_32(model, x).tobytes()


def in_batches_of_32(model, x):
    """The readable pass on Keras's batches, which predict's chunks must match."""
    batches = range(0, len(x), 32)
    return np.concatenate([model.predict_step(x[i : i + 32]) for i in batches])


@UNSUPPORTED
def test_what_it_does_not_support_takes_the_readable_pass(layers):
    x = np.random.default_rng(2).standard_normal((40, 5)).astype(np.float32)
    model = _trained(layers(), True, x, np.arange(40) % 3)
    assert model.predict(x).shape == (40, 3)
    assert not compiled(model)


def test_an_edited_readable_elu_is_what_predict_runs(monkeypatch):
    # A learner's ELU with alpha 0.5, in the layers built after the edit: the probe
    # sees other bits, and predict runs the readable pass.
    def edited(z):
        return activations.elu(z, alpha=0.5)

    x = np.random.default_rng(3).standard_normal((64, 5)).astype(np.float32)
    y = np.arange(64) % 3
    plain = _trained([Dense(6, "elu"), Dense(3, "softmax")], True, x, y)
    monkeypatch.setitem(activations.ACTIVATIONS, "elu", (edited, activations.elu_grad))
    model = _trained([Dense(6, "elu"), Dense(3, "softmax")], True, x, y)
    plain.predict(x)
    assert compiled(plain)
    assert model.predict(x).tobytes() == model.predict_step(x).tobytes()
    assert not compiled(model)  # the probe found the edit


def test_auto_waits_for_its_rent_like_the_training_step():
    # The rent is the process's training so far: a new process, one small fit.
    code = (
        "import numpy as np\n"
        "from minigenre import Dense, Sequential\n"
        "x = np.random.default_rng(4).standard_normal((40, 5)).astype(np.float32)\n"
        "model = Sequential([Dense(6, 'elu'), Dense(3, 'softmax')], seed=0)\n"
        "model.compile('adam', jit_compile='auto')\n"
        "model.fit(x, np.arange(40) % 3, epochs=1, verbose=0)\n"
        "model.predict(x)\n"
        "print(model.predict_function == model.predict_step)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"  # one small fit pays no rent
