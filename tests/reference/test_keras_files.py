"""`.keras` files between Keras and minigenre, and the compatibility names, with real
TensorFlow."""

import numpy as np
import pytest
from without_tensorflow import predict_without_tensorflow

from minigenre import Dense, Sequential, activations, load_model, save_model
from minigenre.compat import AdamOptimizer
from reference.backend import keras, tf

pytestmark = pytest.mark.tensorflow


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(0).normal(size=(50, 12)).astype(np.float32)


@pytest.fixture(scope="module")
def keras_file(tmp_path_factory, x):
    """A model trained in Keras (relu, linear, no bias, softmax) saved as .keras."""
    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [
            keras.Input(shape=(12,)),
            keras.layers.Dense(9, activation="relu"),
            keras.layers.Dense(7, activation="linear", use_bias=False),
            keras.layers.Dense(4, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, np.arange(len(x)) % 4, epochs=2, verbose=0)
    path = tmp_path_factory.mktemp("keras") / "trained.keras"
    model.save(path)
    return path, model.predict(x, verbose=0)


def test_keras_written_file_predicts_the_same_without_tensorflow(keras_file, x):
    path, keras_proba = keras_file
    proba, modules = predict_without_tensorflow(path, x)
    assert modules == "['keras', 'tensorflow']"  # only the blocks
    assert np.abs(proba - keras_proba).max() <= 1e-6


def test_keras_written_file_keeps_its_architecture(keras_file):
    model = load_model(keras_file[0])
    assert [(la.units, la.activation, la.use_bias) for la in model.layers] == [
        (9, "relu", True),
        (7, "linear", False),
        (4, "softmax", True),
    ]
    assert model.optimizer.epsilon == pytest.approx(1e-7)


def test_minigenre_written_file_opens_in_keras_and_predicts_the_same(tmp_path, x):
    model = Sequential(
        [Dense(8, activation="elu"), Dense(5, activation="softmax")], seed=0
    )
    model.compile("adam", metrics=["accuracy"])
    model.fit(x, np.arange(len(x)) % 5, epochs=2, verbose=0)
    save_model(model, tmp_path / "ours.keras")
    restored = keras.saving.load_model(tmp_path / "ours.keras")
    assert [layer.name for layer in restored.layers] == ["dense", "dense_1"]
    for ours, theirs in zip(model.get_weights(), restored.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    keras_proba = restored.predict(x, verbose=0)
    assert np.abs(keras_proba - model.predict(x)).max() <= 1e-6


@pytest.mark.parametrize(
    ("function", "name"),
    [
        (tf.nn.elu, "elu"),
        (tf.nn.relu, "relu"),
        (tf.nn.softmax, "softmax"),
        (keras.activations.elu, "elu"),
        (keras.activations.relu, "relu"),
        (keras.activations.softmax, "softmax"),
        (keras.activations.linear, "linear"),
    ],
)
def test_tensorflow_and_keras_activations_are_accepted(function, name):
    assert Dense(3, activation=function).activation == name
    z = np.random.default_rng(1).normal(size=(4, 6)).astype(np.float32)
    ours = activations.ACTIVATIONS[name][0](z)
    assert np.abs(ours - np.asarray(function(z))).max() <= 1e-6


def test_adam_optimizer_matches_tensorflow_1s(x):
    # The same gradients through TensorFlow 1's AdamOptimizer (as the study used it)
    # and through minigenre's: 20 steps, every weight within 1e-6.
    rng = np.random.default_rng(5)
    start = rng.normal(size=(6, 4)).astype(np.float32)
    grads = [
        rng.normal(scale=10.0 ** rng.uniform(-3, 1), size=(6, 4)) for _ in range(20)
    ]
    grads = [g.astype(np.float32) for g in grads]
    variable = tf.Variable(start)
    theirs = tf.compat.v1.train.AdamOptimizer()
    ours, weights = AdamOptimizer(), start.copy()
    for g in grads:
        theirs.apply_gradients([(tf.constant(g), variable)])
        ours.apply_gradients([weights], [g])
    assert np.abs(weights - variable.numpy()).max() <= 1e-6
