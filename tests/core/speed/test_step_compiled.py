"""The compiled training step (``jit_compile=True``) against the readable one.

It must give ``train_step``'s bits, and step aside for what it does not support.
"""

import numpy as np
import pytest
from compiled_cases import UNSUPPORTED

from minigenre import Dense, Sequential
from minigenre.study.synthetic import make_synthetic
from minigenre.study.workflow import split_and_scale

pytest.importorskip("numba")


def _fit(layers, jit_compile, x, y, dtype="float32", **fit_args):
    model = Sequential(layers(), seed=0, dtype=dtype)
    model.compile("adam", metrics=["accuracy"], jit_compile=jit_compile)
    history = model.fit(x, y, batch_size=32, verbose=0, **fit_args)
    return model, history.history


def study_layers():
    return [Dense(128, activation="elu"), Dense(10, activation="softmax")]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_4_epoch_study_fit_is_bit_identical(dtype):
    split = split_and_scale(make_synthetic(seed=0), seed=0)
    x, y = split.x_train.astype(dtype), split.y_train
    (readable, h_readable), (compiled, h_compiled) = (
        _fit(study_layers, jit, x, y, dtype, epochs=4) for jit in (False, True)
    )
    assert compiled.train_function != compiled.train_step  # the compiled step
    assert readable.train_function == readable.train_step
    assert h_readable == h_compiled
    for a, b in zip(readable.get_weights(), compiled.get_weights(), strict=True):
        assert a.tobytes() == b.tobytes()


def test_deeper_elu_stacks_and_a_last_short_batch_are_bit_identical():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((97, 7)).astype(np.float32)  # 3 batches + 1 row
    y = rng.integers(0, 4, size=97)

    def layers():
        return [Dense(9, activation="elu"), Dense(5, activation="elu"),
                Dense(4, activation="softmax")]  # fmt: skip

    (readable, h1), (compiled, h2) = (
        _fit(layers, jit, x, y, epochs=3) for jit in (False, True)
    )
    assert compiled.train_function != compiled.train_step
    assert h1 == h2
    for a, b in zip(readable.get_weights(), compiled.get_weights(), strict=True):
        assert a.tobytes() == b.tobytes()


@UNSUPPORTED
def test_what_it_does_not_support_takes_the_readable_step(layers):
    x = np.random.default_rng(2).standard_normal((40, 5)).astype(np.float32)
    model, _ = _fit(layers, True, x, np.arange(40) % 3)
    assert model.train_function == model.train_step


def test_sample_and_class_weights_take_the_readable_step_with_its_bits():
    x = np.random.default_rng(3).standard_normal((64, 5)).astype(np.float32)
    y = np.arange(64) % 3
    weights = {}
    for jit in (False, True):
        model, _ = _fit(study_layers, jit, x, y, class_weight={0: 2.0}, epochs=2)
        weights[jit] = model.get_weights()
    for a, b in zip(weights[False], weights[True], strict=True):
        assert a.tobytes() == b.tobytes()


def test_an_edited_activation_is_what_trains(monkeypatch):
    # A learner's ELU with alpha 0.5: the probe sees other bits, and the readable
    # step runs.
    from minigenre import activations

    def edited(z):
        return activations.elu(z, alpha=0.5)

    monkeypatch.setitem(activations.ACTIVATIONS, "elu", (edited, activations.elu_grad))
    x = np.random.default_rng(4).standard_normal((40, 5)).astype(np.float32)
    model, _ = _fit(study_layers, True, x, np.arange(40) % 10)
    assert model.train_function == model.train_step


@pytest.mark.parametrize("optimizer", ["sgd", "rmsprop"])
def test_other_optimizers_take_the_compiled_step_with_the_readable_bits(optimizer):
    # No fused update for them: the compiled step calls apply_gradients, then the
    # readable step's check of the weights.
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((70, 5)).astype(np.float32), np.arange(70) % 10
    fitted = {}
    for jit in (False, True):
        model = Sequential(study_layers(), seed=0)
        model.compile(optimizer, metrics=["accuracy"], jit_compile=jit)
        fitted[jit] = model, model.fit(x, y, epochs=2, verbose=0).history
    (readable, h_readable), (compiled, h_compiled) = fitted[False], fitted[True]
    assert compiled.train_function != compiled.train_step
    assert type(compiled.train_function.adam).__name__ != "FusedAdam"
    assert h_readable == h_compiled
    for a, b in zip(readable.get_weights(), compiled.get_weights(), strict=True):
        assert a.tobytes() == b.tobytes()


def test_an_update_to_inf_weights_is_refused_as_by_the_readable_step():
    from minigenre import SGD

    rng = np.random.default_rng(0)
    x = (rng.standard_normal((64, 6)) * 100).astype(np.float32)
    y = np.arange(64) % 10
    messages = {}
    for jit in (False, True):
        model = Sequential(study_layers(), seed=0)
        model.compile(SGD(learning_rate=3e38), jit_compile=jit)
        with (
            pytest.raises(ValueError, match=r"^Non-finite weights") as refused,
            np.errstate(over="ignore"),
        ):
            model.fit(x, y, epochs=1, verbose=0)
        messages[jit] = str(refused.value)
        assert (model.train_function != model.train_step) is jit
    assert messages[True] == messages[False]
    assert messages[True].startswith("Non-finite weights after the update at epoch 1")
