"""BatchNormalization against real Keras, at four levels, and its files both ways.

1. one op: the layer's forward pass in training and at inference, its moving
   statistics after a step, and its gradients (Keras's from ``tf.GradientTape``);
2. one ``train_on_batch`` of Dense -> BatchNormalization -> Dense from identical
   weights: every weight, the moving statistics included;
3. a 4-epoch trajectory (``shuffle=False``) from identical initial weights;
4. statistics of independent runs (slow): mean validation loss and accuracy.

"Relative" is max |a - b| / max |b| over the whole array, as in test_parity.py.
"""

import numpy as np
import pytest

from minigenre import Adam, Dense, Sequential, load_model, save_model
from minigenre.layers import Activation, BatchNormalization
from reference.backend import keras, tf

pytestmark = pytest.mark.tensorflow

RNG = np.random.default_rng(5)
CENTERS = RNG.normal(scale=1.5, size=(3, 6))
Y = RNG.integers(0, 3, size=96)
# Features on different scales and offsets: what BatchNormalization is for.
X = ((CENTERS[Y] + RNG.normal(size=(96, 6))) * [1, 5, 0.2, 1, 3, 1] + 2).astype(
    np.float32
)


def relative(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.abs(a - b).max() / np.abs(b).max()


def max_diff(ours: list, theirs: list) -> float:
    return max(
        float(np.abs(np.asarray(a) - np.asarray(b)).max())
        for a, b in zip(ours, theirs, strict=True)
    )


# The usual stack: Dense without a bias, BatchNormalization, then the activation.
# A bias right before BatchNormalization has no effect (the batch's mean takes it
# away), so its true gradient is zero and both sides would train it on rounding
# noise, which Adam amplifies: with Dense(8, relu) first, that bias drifted apart
# by 1.4e-4 in four epochs while the predictions agreed to 2e-6.
def keras_model(seed=0, momentum=0.99):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input(shape=(6,)),
            keras.layers.Dense(8, use_bias=False),
            keras.layers.BatchNormalization(momentum=momentum),
            keras.layers.Activation("relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])  # fmt: skip
    return model


def our_model(seed=None, momentum=0.99):
    model = Sequential(
        [Dense(8, use_bias=False), BatchNormalization(momentum=momentum),
         Activation("relu"), Dense(3, activation="softmax")], seed=seed,
    )  # fmt: skip
    model.compile(Adam(learning_rate=0.01), metrics=["accuracy"])
    return model


def pair(momentum=0.99):
    theirs = keras_model(momentum=momentum)
    ours = our_model(momentum=momentum)
    ours.set_weights(theirs.get_weights())  # Keras's initial weights
    return ours, theirs


# -- level 1: one op -----------------------------------------------------------------


def test_one_op_forward_moving_statistics_and_gradients_match_keras():
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(32, 5)) * [1, 10, 0.1, 3, 1] + 4).astype(np.float32)
    weights = [rng.normal(size=5).astype(np.float32) for _ in range(2)]
    weights += [rng.normal(size=5).astype(np.float32), rng.uniform(0.5, 2, 5)]
    weights[3] = weights[3].astype(np.float32)
    upstream = rng.normal(size=(32, 5)).astype(np.float32)  # L = sum(up * out)

    theirs = keras.layers.BatchNormalization(momentum=0.9)
    theirs.build((None, 5))
    theirs.set_weights(weights)
    ours = BatchNormalization(momentum=0.9)
    ours.build(5)
    ours.set_weights(weights)

    inference = (ours.forward(x), theirs(x, training=False).numpy())
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        out = theirs(xt, training=True)
        loss = tf.reduce_sum(out * upstream)
    keras_grads = tape.gradient(loss, [xt, theirs.gamma, theirs.beta])
    training = (ours.forward(x, training=True), out.numpy())
    grad_x = ours.backward(upstream)
    diffs = {
        "inference": relative(*inference),
        "training": relative(*training),
        "moving stats": max_diff(ours.get_weights()[2:], theirs.get_weights()[2:]),
        "grad x": relative(grad_x, keras_grads[0]),
        "grad gamma": relative(ours.grad_gamma, keras_grads[1]),
        "grad beta": relative(ours.grad_beta, keras_grads[2]),
    }
    print("\nBatchNormalization, one op:", {k: f"{v:.1e}" for k, v in diffs.items()})
    # The forward pass and the moving statistics follow TensorFlow's order of
    # operations (measured: the same bits).
    assert max(diffs[k] for k in ("inference", "training", "moving stats")) <= 1e-6
    # TensorFlow's automatic differentiation takes dL/dgamma through x * inv and
    # mean * inv apart, sum(g * x) - sum(g) * mean, which cancels digits when
    # features sit far from zero; minigenre sums g * (x - mean). Measured: both
    # within 2e-6 of the float64 gradient, minigenre's the closer.
    assert max(diffs[k] for k in ("grad x", "grad gamma", "grad beta")) <= 5e-6


# -- level 2: one step ---------------------------------------------------------------


def test_one_train_on_batch_step_matches_keras():
    ours, theirs = pair()
    their_loss = theirs.train_on_batch(X[:32], Y[:32], return_dict=True)["loss"]
    our_loss = ours.train_on_batch(X[:32], Y[:32], return_dict=True)["loss"]
    diff = max_diff(ours.get_weights(), theirs.get_weights())
    print(f"\nBatchNormalization, one step: weights {diff:.1e}, loss "
          f"{abs(our_loss - their_loss):.1e}")  # fmt: skip
    assert diff <= 1e-6
    assert abs(our_loss - their_loss) <= 1e-6


# -- level 3: a trajectory -----------------------------------------------------------


def test_four_epoch_trajectory_matches_keras():
    ours, theirs = pair(momentum=0.9)  # moving statistics that move visibly
    args = {"epochs": 4, "batch_size": 16, "shuffle": False, "verbose": 0}
    val = {"validation_data": (X[:24], Y[:24])}
    keras_history = theirs.fit(X, Y, **args, **val).history
    our_history = ours.fit(X, Y, **args, **val).history
    weight_diff = max_diff(ours.get_weights(), theirs.get_weights())
    moving_diff = max_diff(ours.get_weights()[3:5], theirs.get_weights()[3:5])
    history_diff = max(
        float(np.abs(np.array(our_history[k]) - np.array(keras_history[k])).max())
        for k in keras_history
    )
    proba_diff = np.abs(ours.predict(X) - theirs.predict(X, verbose=0)).max()
    print(f"\nBatchNormalization, 4 epochs: weights {weight_diff:.1e} (moving "
          f"statistics {moving_diff:.1e}), history {history_diff:.1e}, "
          f"proba {proba_diff:.1e}")  # fmt: skip
    assert sorted(our_history) == sorted(keras_history)
    assert weight_diff <= 1e-5
    assert history_diff <= 1e-5
    assert proba_diff <= 1e-5


# -- level 4: statistics of independent runs -----------------------------------------


@pytest.mark.slow
def test_independent_runs_agree_statistically():
    train, val = slice(0, 72), slice(72, 96)
    args = {"epochs": 8, "batch_size": 16, "verbose": 0}
    runs = {"minigenre": [], "Keras": []}
    for seed in range(5):
        for name, model in (("minigenre", our_model(seed=seed)),
                            ("Keras", keras_model(seed=100 + seed))):  # fmt: skip
            model.fit(X[train], Y[train], **args)
            loss, accuracy = model.evaluate(X[val], Y[val], verbose=0)
            runs[name].append((loss, accuracy))
    ours, theirs = np.array(runs["minigenre"]), np.array(runs["Keras"])
    diff = ours.mean(axis=0) - theirs.mean(axis=0)
    se = np.sqrt(ours.var(axis=0, ddof=1) / 5 + theirs.var(axis=0, ddof=1) / 5)
    print(f"\nBatchNormalization, 5 seeds: mean val loss, accuracy {ours.mean(0)} "
          f"(minigenre) vs {theirs.mean(0)} (Keras); standard errors {se}")  # fmt: skip
    # Each difference within 2 combined standard errors (measured: loss 0.06 for
    # 0.14, accuracy 0.025 for 0.077).
    assert (np.abs(diff) <= 2 * se).all(), (diff, se)


# -- files both ways -----------------------------------------------------------------


def test_keras_opens_our_keras_file_and_predicts_the_same(tmp_path):
    ours = our_model(seed=0)
    ours.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    save_model(ours, tmp_path / "ours.keras")
    restored = keras.saving.load_model(tmp_path / "ours.keras")
    assert [type(layer).__name__ for layer in restored.layers] == [
        "Dense", "BatchNormalization", "Activation", "Dense",
    ]  # fmt: skip
    for a, b in zip(ours.get_weights(), restored.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    diff = np.abs(restored.predict(X, verbose=0) - ours.predict(X)).max()
    # Keras restored Adam's slots for the trainable weights: the same next epoch
    args = {"epochs": 1, "batch_size": 16, "shuffle": False, "verbose": 0}
    restored.fit(X, Y, **args)
    ours.fit(X, Y, **args)
    epoch_diff = max_diff(ours.get_weights(), restored.get_weights())
    print(f"\nour .keras in Keras: predict {diff:.1e}, one more epoch {epoch_diff:.1e}")
    assert diff <= 1e-6
    assert epoch_diff <= 1e-5


def test_we_open_a_keras_file_with_optimizer_state_and_train_on_the_same(tmp_path):
    theirs = keras_model(seed=3)
    theirs.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    theirs.save(tmp_path / "theirs.keras")
    ours = load_model(tmp_path / "theirs.keras")
    assert ours.get_config()["layers"][1]["class_name"] == "BatchNormalization"
    assert ours.optimizer.iterations == 12
    predict_diff = np.abs(ours.predict(X) - theirs.predict(X, verbose=0)).max()
    args = {"epochs": 1, "batch_size": 16, "shuffle": False, "verbose": 0}
    theirs.fit(X, Y, **args)
    ours.fit(X, Y, **args)
    epoch_diff = max_diff(ours.get_weights(), theirs.get_weights())
    print(f"\nKeras's .keras in minigenre: predict {predict_diff:.1e}, one more "
          f"epoch {epoch_diff:.1e}")  # fmt: skip
    assert predict_diff <= 1e-6
    assert epoch_diff <= 1e-5
