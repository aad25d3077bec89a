"""Activation and Dropout layers against real Keras.

Dropout's masks come from TensorFlow's generator on one side and NumPy's on the
other, so a trajectory cannot be compared draw for draw; here both sides get the
same uniform draws instead. Keras's dropout is replaced, for the test, by
TensorFlow's own ``general_dropout`` fed those draws (TensorFlow's arithmetic:
``x * (1 / (1 - rate))`` where ``u >= rate``, else 0), and the minigenre layer's
generator hands out the same draws. Then the trajectories must agree as the
study's does (1e-5).
"""

import numpy as np
import pytest

from minigenre import Adam, Dense, Sequential, load_model, save_model
from minigenre.layers import Activation, Dropout
from reference import keras_to_numpy
from reference.backend import keras, tf

pytestmark = pytest.mark.tensorflow

RNG = np.random.default_rng(1)
X = RNG.normal(size=(64, 7)).astype(np.float32)
Y = (X @ RNG.normal(size=(7, 3))).argmax(axis=1)


class Draws:
    """The same uniform draws for both sides, in the order the layers ask."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.given: list[np.ndarray] = []

    def next(self, shape):
        draw = self.rng.random(shape, dtype=np.float32)
        self.given.append(draw)
        return draw


class Replay:
    """A minigenre Dropout's generator handing out recorded draws."""

    def __init__(self, draws):
        self.draws = iter(draws)

    def random(self, shape, dtype):
        draw = next(self.draws)
        assert draw.shape == shape
        return draw


@pytest.fixture(scope="module")
def injected_keras_dropout():
    """Keras's dropout op, fed draws from ``Draws`` (eager mode only)."""
    from keras.src import backend

    original = backend.random.dropout
    state = {"draws": None}

    def dropout(inputs, rate, noise_shape=None, seed=None):
        shape = tuple(inputs.shape)
        draw = state["draws"].next(shape)
        return tf.nn.experimental.general_dropout(
            inputs, rate, uniform_sampler=lambda shape, dtype: tf.constant(draw)
        )

    backend.random.dropout = dropout
    yield state
    backend.random.dropout = original


def test_dropout_trajectory_with_injected_masks_matches_keras(injected_keras_dropout):
    keras.utils.set_random_seed(0)
    theirs = keras.Sequential(
        [
            keras.Input(shape=(7,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dropout(0.4),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    theirs.compile(
        keras.optimizers.Adam(0.01), metrics=["accuracy"], run_eagerly=True,
        loss="sparse_categorical_crossentropy",
    )  # fmt: skip
    initial = theirs.get_weights()
    draws = Draws(seed=7)
    injected_keras_dropout["draws"] = draws
    args = {"epochs": 3, "batch_size": 16, "shuffle": False, "verbose": 0}
    keras_history = theirs.fit(X, Y, **args).history
    assert len(draws.given) == 12  # one mask per training batch, none at inference

    ours = Sequential(
        [Dense(16, activation="relu"), Dropout(0.4), Dense(3, activation="softmax")]
    )
    ours.compile(Adam(learning_rate=0.01), metrics=["accuracy"])
    ours.set_weights(initial)  # Keras's initial weights
    ours.layers[1].generator = Replay(draws.given)
    our_history = ours.fit(X, Y, **args).history
    weight_diff = max(
        float(np.abs(a - b).max())
        for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True)
    )
    history_diff = max(
        float(np.abs(np.array(our_history[k]) - np.array(keras_history[k])).max())
        for k in keras_history
    )
    print(f"\ndropout, injected masks, 3 epochs: {weight_diff:.1e}, {history_diff:.1e}")
    assert weight_diff <= 1e-5
    assert history_diff <= 1e-5
    # inference is the identity on both sides
    np.testing.assert_allclose(
        ours.predict(X), theirs.predict(X, verbose=0), rtol=0, atol=1e-6
    )


def test_activation_layers_and_dropout_files_go_both_ways(tmp_path):
    keras.utils.set_random_seed(0)
    theirs = keras.Sequential(
        [
            keras.Input(shape=(7,)),
            keras.layers.Dense(8),
            keras.layers.Activation("tanh"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(3),
            keras.layers.Activation("softmax"),
        ]
    )
    theirs.compile("rmsprop", "sparse_categorical_crossentropy", ["accuracy"])
    ours = Sequential(
        [Dense(8), Activation("tanh"), Dropout(0.2), Dense(3), Activation("softmax")]
    )
    ours.compile("rmsprop", metrics=["accuracy"])
    ours.build(7)
    keras_to_numpy(theirs, ours)
    # one op: the forward pass at inference
    p_diff = np.abs(ours.predict(X) - theirs.predict(X, verbose=0)).max()
    theirs.save(tmp_path / "k.keras")
    from_keras = load_model(tmp_path / "k.keras")
    assert [type(layer).__name__ for layer in from_keras.layers] == [
        "Dense", "Activation", "Dropout", "Dense", "Activation",
    ]  # fmt: skip
    save_model(ours, tmp_path / "m.keras")
    from_ours = keras.saving.load_model(tmp_path / "m.keras")
    assert [layer.__class__.__name__ for layer in from_ours.layers] == [
        "Dense", "Activation", "Dropout", "Dense", "Activation",
    ]  # fmt: skip
    diffs = (
        p_diff,
        np.abs(from_keras.predict(X) - theirs.predict(X, verbose=0)).max(),
        np.abs(from_ours.predict(X, verbose=0) - ours.predict(X)).max(),
    )
    print(f"\nActivation/Dropout predictions, ours/Keras, both files: {diffs}")
    assert max(diffs) <= 1e-6
