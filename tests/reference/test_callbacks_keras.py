"""ModelCheckpoint against Keras's, and ``.weights.h5`` files between the two.

The same fit (same initial weights, same batches, ``shuffle=False``) runs with
Keras's ``ModelCheckpoint`` and with minigenre's: the same files must be written
(the same epochs kept by ``save_best_only``), holding the same weights.
"""

import numpy as np
import pytest

from minigenre import Adam, Dense, Sequential, load_model
from minigenre.callbacks import ModelCheckpoint
from minigenre.layers import BatchNormalization
from reference.backend import keras

pytestmark = pytest.mark.tensorflow

RNG = np.random.default_rng(11)
CENTERS = RNG.normal(size=(3, 5))
Y = RNG.integers(0, 3, size=120)
X = (CENTERS[Y] + RNG.normal(scale=1.3, size=(120, 5))).astype(np.float32)
# Validation labels half right, half random: the validation numbers go up and down,
# so that save_best_only keeps some epochs and skips others.
Y_VAL = np.where(np.arange(40) % 2 != 0, Y[:40], RNG.integers(0, 3, size=40))
FIT = {
    "epochs": 8,
    "batch_size": 16,
    "shuffle": False,
    "verbose": 0,
    "validation_data": (X[:40], Y_VAL),
}


def twins(learning_rate=0.1):
    """A Keras model and a minigenre model holding the same initial weights."""
    keras.utils.set_random_seed(2)
    theirs = keras.Sequential(
        [
            keras.Input(shape=(5,)),
            keras.layers.Dense(8, activation="elu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    theirs.compile(keras.optimizers.Adam(learning_rate),
                   "sparse_categorical_crossentropy", metrics=["accuracy"])  # fmt: skip
    ours = Sequential([Dense(8, activation="elu"), Dense(3, activation="softmax")])
    ours.compile(Adam(learning_rate=learning_rate), metrics=["accuracy"])
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def max_diff(a: list, b: list) -> float:
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b, strict=True))


CHECKPOINTS = {
    "val_loss-min-keras": ("m-{epoch:02d}.keras", "val_loss", "min", True),
    "val_accuracy-max-weights": ("w-{epoch}.weights.h5", "val_accuracy", "max", True),
    "loss-auto-one-file": ("best.keras", "loss", "auto", True),
    "every-epoch-weights": ("e{epoch}.weights.h5", "val_loss", "auto", False),
}


@pytest.mark.parametrize(
    ("name", "monitor", "mode", "best_only"), CHECKPOINTS.values(), ids=CHECKPOINTS
)
def test_model_checkpoint_saves_the_epochs_keras_saves(
    tmp_path, name, monitor, mode, best_only
):
    ours, theirs = twins()
    weights_only = name.endswith(".weights.h5")
    settings = {"monitor": monitor, "mode": mode, "save_best_only": best_only,
                "save_weights_only": weights_only}  # fmt: skip
    (tmp_path / "keras").mkdir()
    (tmp_path / "ours").mkdir()
    theirs.fit(X, Y, **FIT, callbacks=[keras.callbacks.ModelCheckpoint(
        str(tmp_path / "keras" / name), **settings)])  # fmt: skip
    ours.fit(X, Y, **FIT, callbacks=[ModelCheckpoint(
        tmp_path / "ours" / name, **settings)])  # fmt: skip
    written = sorted(p.name for p in (tmp_path / "keras").iterdir())
    assert sorted(p.name for p in (tmp_path / "ours").iterdir()) == written
    print(f"\n{monitor} {mode}: {written}")
    if monitor == "val_loss" and best_only:
        assert 1 < len(written) < FIT["epochs"]  # some epochs kept, some not
    diffs = []
    for file in written:
        if weights_only:
            keras_saved = theirs  # the fitted model, given the file's weights
            keras_saved.load_weights(tmp_path / "keras" / file)
            our_saved = ours
            our_saved.load_weights(tmp_path / "ours" / file)
        else:
            keras_saved = keras.saving.load_model(tmp_path / "keras" / file)
            our_saved = load_model(tmp_path / "ours" / file)
        diffs.append(max_diff(our_saved.get_weights(), keras_saved.get_weights()))
    print(f"saved weights, largest difference: {max(diffs):.1e}")
    assert max(diffs) <= 1e-5


@pytest.mark.parametrize("normalized", [False, True], ids=["dense", "batchnorm"])
def test_weights_h5_files_load_both_ways_and_predict_the_same(tmp_path, normalized):
    keras.utils.set_random_seed(4)
    middle = [keras.layers.BatchNormalization(momentum=0.8)] if normalized else []
    theirs = keras.Sequential(
        [keras.Input(shape=(5,)), keras.layers.Dense(6, activation="relu"),
         *middle, keras.layers.Dense(3, activation="softmax")]
    )  # fmt: skip
    theirs.compile("adam", "sparse_categorical_crossentropy")
    middle = [BatchNormalization(momentum=0.8)] if normalized else []
    ours = Sequential(
        [Dense(6, activation="relu"), *middle, Dense(3, activation="softmax")], seed=1
    )
    ours.compile("adam")
    # different weights on each side, trained so that moving statistics move
    ours.fit(X, Y, epochs=2, verbose=0)
    theirs.fit(X, Y, epochs=2, verbose=0)
    ours.save_weights(tmp_path / "ours.weights.h5")
    theirs.save_weights(tmp_path / "keras.weights.h5")
    keras_twin = keras.models.clone_model(theirs)
    keras_twin.load_weights(tmp_path / "ours.weights.h5")
    our_twin = Sequential.from_config(ours.get_config())
    our_twin.load_weights(tmp_path / "keras.weights.h5")
    for a, b in zip(keras_twin.get_weights(), ours.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(our_twin.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    diffs = (
        np.abs(keras_twin.predict(X, verbose=0) - ours.predict(X)).max(),
        np.abs(our_twin.predict(X) - theirs.predict(X, verbose=0)).max(),
    )
    kind = "BatchNormalization" if normalized else "Dense"
    print(f"\n.weights.h5 ({kind}): ours in Keras, Keras's in ours: {diffs}")
    assert max(diffs) <= 1e-6
