"""Adam's ``apply_gradients`` with the step's checks folded in, as the compiled
step (``jit_compile=True``) runs it: the readable ``apply_gradients``'s bits,
its refusals, and the readable one again where it was edited."""

import numpy as np
import pytest

from minigenre import Adam, Callback, Dense, Sequential, load_model

pytest.importorskip("numba")


def _model(jit_compile, learning_rate=0.001, dtype="float32"):
    model = Sequential(
        [Dense(16, activation="elu"), Dense(4, activation="softmax")],
        seed=0,
        dtype=dtype,
    )
    model.compile(Adam(learning_rate), metrics=["accuracy"], jit_compile=jit_compile)
    return model


def _data(scale=1.0, rows=96):
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((rows, 6)) * scale).astype(np.float32)
    return x, np.arange(rows) % 4


def _fused(model) -> bool:
    """Whether the compiled step runs Adam with its checks in the compiled loop."""
    update = getattr(model.train_function, "adam", None)  # None: train_step
    return type(update).__name__ == "FusedAdam"


def _same_bits(a, b):
    return all(p.tobytes() == q.tobytes() for p, q in zip(a, b, strict=True))


class Halve(Callback):
    """A learning-rate schedule: half the rate after every epoch."""

    def on_epoch_end(self, epoch, logs=None):
        self.model.optimizer.learning_rate /= 2


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_it_is_chosen_and_gives_the_readable_bits_under_a_schedule(dtype):
    x, y = _data()
    fits = {}
    for jit in (False, True):
        model = _model(jit, learning_rate=0.01, dtype=dtype)
        history = model.fit(
            x.astype(dtype), y, epochs=3, callbacks=[Halve()], verbose=0
        )
        fits[jit] = model, history.history
    compiled = fits[True][0]
    assert _fused(compiled)  # the fused update ran
    assert fits[True][1] == fits[False][1]
    assert _same_bits(fits[True][0].get_weights(), fits[False][0].get_weights())
    assert compiled.optimizer.iterations == fits[False][0].optimizer.iterations == 9
    for name in ("momentum", "velocity"):
        mine = compiled.optimizer.get_state()[name]
        theirs = fits[False][0].optimizer.get_state()[name]
        assert _same_bits(mine, theirs)


class Retune(Callback):
    """Adam's other settings changed between epochs: the compiled loops' scalars
    (1 - beta_1, 1 - beta_2, epsilon) must follow them."""

    def on_epoch_end(self, epoch, logs=None):
        optimizer = self.model.optimizer
        optimizer.beta_1, optimizer.beta_2 = 0.8 - 0.1 * epoch, 0.99
        optimizer.epsilon = 10.0 ** -(4 + epoch)


@pytest.mark.parametrize("hidden", ["elu", "relu"])  # fused update; compiled only
def test_settings_changed_between_epochs_train_with_the_readable_bits(hidden):
    x, y = _data()
    fits = {}
    for jit in (False, True):
        model = Sequential(
            [Dense(16, activation=hidden), Dense(4, activation="softmax")], seed=0
        )
        model.compile(Adam(0.01), metrics=["accuracy"], jit_compile=jit)
        history = model.fit(x, y, epochs=3, callbacks=[Retune()], verbose=0)
        fits[jit] = model, history.history
    assert _fused(fits[True][0]) is (hidden == "elu")
    assert fits[True][0].optimizer.fast_update is not None  # the compiled loop
    assert fits[True][1] == fits[False][1]
    assert _same_bits(fits[True][0].get_weights(), fits[False][0].get_weights())


def test_an_overflowing_gradient_is_refused_with_nothing_changed():
    # Inputs of 1e20: the loss is finite, the kernels' gradients' squares are not.
    x, y = _data(scale=1e20, rows=32)
    results = {}
    for jit in (False, True):
        model = _model(jit)
        model.fit(x[:32] / 1e20, y[:32], epochs=1, verbose=0)  # a first step, fine
        before = model.get_weights(), model.optimizer.get_state()["velocity"][0].copy()
        with pytest.raises(ValueError, match="too large for Adam") as caught:
            model.fit(x, y, epochs=1, verbose=0, shuffle=False)
        after = model.get_weights(), model.optimizer.get_state()["velocity"][0]
        assert _same_bits(before[0], after[0])
        assert before[1].tobytes() == after[1].tobytes()
        assert model.optimizer.iterations == 1
        results[jit] = str(caught.value)
    assert _fused(model)
    assert results[True] == results[False]


def test_weights_that_turn_infinite_are_refused_as_by_the_readable_step():
    x, y = _data(rows=32)
    messages, weights = {}, {}
    for jit in (False, True):
        model = _model(jit, learning_rate=1e39)  # inf in float32: the step is too
        with (
            np.errstate(all="ignore"),  # NumPy's overflow warnings, in both paths
            pytest.raises(ValueError, match="Non-finite weights") as caught,
        ):
            model.fit(x, y, epochs=1, verbose=0, shuffle=False)
        messages[jit], weights[jit] = str(caught.value), model.get_weights()
        assert model.optimizer.iterations == 1
    assert _fused(model)
    assert messages[True] == messages[False]
    assert _same_bits(weights[True], weights[False])


def test_an_edited_apply_gradients_is_what_trains(monkeypatch):
    # A learner drops the bias correction: the probe sees other bits, and the
    # compiled step calls the edited apply_gradients.
    def edited(self, weights, gradients):
        if not self.momentums:
            self.build(weights)
        arrays = zip(weights, gradients, self.momentums, self.velocities, strict=True)
        for w, g, m, v in arrays:
            self.update_step(w, g, m, v, w.dtype.type(self.learning_rate))
        self.iterations += 1

    monkeypatch.setattr(Adam, "apply_gradients", edited)
    x, y = _data()
    fitted = {}
    for jit in (False, True):
        model = _model(jit)
        model.fit(x, y, epochs=2, verbose=0)
        fitted[jit] = model
    assert not _fused(fitted[True])
    assert _same_bits(fitted[True].get_weights(), fitted[False].get_weights())


@pytest.mark.parametrize("suffix", [".keras", ".npz"])
def test_a_saved_model_goes_on_training_with_the_readable_bits(tmp_path, suffix):
    # The optimizer's state comes back from the file as new arrays: the fused
    # update checks them again and goes on where the saved model stopped.
    x, y = _data()
    model = _model(True)
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / f"model{suffix}")
    # .npz keeps the shuffling generator's state; .keras has no place for it, so
    # there a loaded model shuffles afresh: keep the rows' order on both sides.
    shuffle = suffix == ".npz"
    resumed = {}
    for jit in (False, True):
        loaded = load_model(tmp_path / f"model{suffix}")
        loaded.compile(loaded.optimizer, metrics=["accuracy"], jit_compile=jit)
        loaded.fit(x, y, epochs=2, verbose=0, shuffle=shuffle)
        resumed[jit] = loaded
    assert _fused(resumed[True])
    assert resumed[True].optimizer.iterations == 9
    assert _same_bits(resumed[True].get_weights(), resumed[False].get_weights())
