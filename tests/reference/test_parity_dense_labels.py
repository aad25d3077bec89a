"""One-hot and binary labels, sigmoid outputs and RMSprop against real Keras.

Four levels, as for the study's model: one op (the loss, the activation, the
metric, on the same arrays), one step (``train_on_batch`` from the same weights),
a trajectory (several epochs, same weights, same batches in the same order,
``shuffle=False``) and the ``.keras`` files both ways. Tolerances are
test_parity.py's: 1e-6 for one op or one step, 1e-5 along a trajectory.
"""

import numpy as np
import pytest

from minigenre import Dense, Sequential, load_model, save_model
from minigenre import losses as our_losses
from minigenre import metrics as our_metrics
from minigenre.activations import sigmoid
from minigenre.optimizers import RMSprop
from reference import keras_to_numpy
from reference.backend import keras

pytestmark = pytest.mark.tensorflow

N_FEATURES, N_OUT = 10, 4
RNG = np.random.default_rng(0)
X = RNG.normal(size=(96, N_FEATURES)).astype(np.float32)
CENTRES = RNG.normal(size=(N_FEATURES, N_OUT))
CLASSES = (X @ CENTRES).argmax(axis=1)
ONE_HOT = np.eye(N_OUT, dtype=np.float32)[CLASSES]
MULTI = (X @ CENTRES > 0.3).astype(np.float32)  # several labels per row
BINARY = (X[:, 0] - X[:, 1] > 0).astype(np.float32)[:, None]
LABELS = {
    "categorical_crossentropy": ("softmax", ONE_HOT),
    "binary_crossentropy": ("sigmoid", BINARY),
    "multi_label": ("sigmoid", MULTI),
}
OPTIMIZERS = {
    "rmsprop": {"learning_rate": 0.01},
    "rmsprop_momentum": {"learning_rate": 0.01, "momentum": 0.5},
    "rmsprop_centered": {"learning_rate": 0.01, "centered": True, "rho": 0.8},
    "adam": None,
}


def keras_optimizer(name):
    settings = OPTIMIZERS[name]
    if settings is None:
        return keras.optimizers.Adam(learning_rate=0.01)
    return keras.optimizers.RMSprop(**settings)


def our_optimizer(name):
    from minigenre import Adam

    settings = OPTIMIZERS[name]
    return Adam(learning_rate=0.01) if settings is None else RMSprop(**settings)


def twins(task, optimizer, seed=0):
    """A Keras model and a minigenre model with Keras's initial weights."""
    activation, y = LABELS[task]
    loss = "binary_crossentropy" if task == "multi_label" else task
    keras.utils.set_random_seed(seed)
    theirs = keras.Sequential(
        [
            keras.Input(shape=(N_FEATURES,)),
            keras.layers.Dense(8, activation="tanh"),
            keras.layers.Dense(y.shape[1], activation=activation),
        ]
    )
    ours = Sequential(
        [Dense(8, activation="tanh"), Dense(y.shape[1], activation=activation)]
    )
    theirs.compile(keras_optimizer(optimizer), loss=loss, metrics=["accuracy"])
    ours.compile(our_optimizer(optimizer), loss=loss, metrics=["accuracy"])
    keras_to_numpy(theirs, ours)
    return theirs, ours, y


def max_weight_diff(theirs, ours):
    return max(
        float(np.abs(a - b).max())
        for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True)
    )


# -- one op ----------------------------------------------------------------------


def test_losses_activation_and_metrics_match_keras_one_op():
    z = RNG.normal(scale=3, size=(32, N_OUT)).astype(np.float32)
    p_soft = np.asarray(keras.activations.softmax(z))
    p_sig = np.asarray(keras.activations.sigmoid(z))
    diffs = {
        "sigmoid": np.abs(sigmoid(z) - p_sig).max(),
        "categorical": np.abs(
            our_losses.categorical_crossentropy(ONE_HOT[:32], p_soft)
            - np.asarray(keras.losses.categorical_crossentropy(ONE_HOT[:32], p_soft))
        ).max(),
        "categorical_logits": np.abs(
            our_losses.categorical_crossentropy(ONE_HOT[:32], z, from_logits=True)
            - np.asarray(
                keras.losses.categorical_crossentropy(ONE_HOT[:32], z, from_logits=True)
            )
        ).max(),
        "binary": np.abs(
            our_losses.binary_crossentropy(MULTI[:32], p_sig)
            - np.asarray(keras.losses.binary_crossentropy(MULTI[:32], p_sig))
        ).max(),
        "binary_logits": np.abs(
            our_losses.binary_crossentropy(MULTI[:32], z, from_logits=True)
            - np.asarray(
                keras.losses.binary_crossentropy(MULTI[:32], z, from_logits=True)
            )
        ).max(),
        "binary_accuracy": np.abs(
            our_metrics.binary_accuracy(MULTI[:32], p_sig)
            # Keras's function gives each output's hit; its metric object (what
            # fit reports) takes each row's mean first, as ours does.
            - np.asarray(keras.metrics.binary_accuracy(MULTI[:32], p_sig)).mean(-1)
        ).max(),
        "categorical_accuracy": np.abs(
            our_metrics.categorical_accuracy(ONE_HOT[:32], p_soft)
            - np.asarray(keras.metrics.categorical_accuracy(ONE_HOT[:32], p_soft))
        ).max(),
    }
    print("\none op, max |diff|:", {k: f"{v:.1e}" for k, v in diffs.items()})
    assert max(diffs.values()) <= 1e-6, diffs


def test_rmsprop_update_matches_keras_one_op():
    w0 = RNG.normal(size=(6, 3)).astype(np.float32)
    grads = [RNG.normal(size=(6, 3)).astype(np.float32) for _ in range(3)]
    for name in ("rmsprop", "rmsprop_momentum", "rmsprop_centered"):
        variable = keras.Variable(w0.copy())
        theirs = keras_optimizer(name)
        ours, w = our_optimizer(name), w0.copy()
        for g in grads:
            theirs.apply_gradients([(keras.ops.convert_to_tensor(g), variable)])
            ours.apply_gradients([w], [g])
        diff = np.abs(np.asarray(variable) - w).max()
        print(f"\n{name}: 3 updates, max |diff| {diff:.1e}")
        assert diff <= 1e-6, (name, diff)


# -- one step and a trajectory --------------------------------------------------


@pytest.mark.parametrize("task", list(LABELS))
@pytest.mark.parametrize("optimizer", ["rmsprop", "adam"])
def test_one_step_matches_keras(task, optimizer):
    theirs, ours, y = twins(task, optimizer)
    keras_logs = theirs.train_on_batch(X[:32], y[:32], return_dict=True)
    our_logs = ours.train_on_batch(X[:32], y[:32], return_dict=True)
    for key in keras_logs:
        assert abs(float(keras_logs[key]) - our_logs[key]) <= 1e-6, key
    assert max_weight_diff(theirs, ours) <= 1e-6


@pytest.fixture(scope="session")
def trajectories():
    runs = {}
    for task in LABELS:
        for optimizer in ("rmsprop", "rmsprop_momentum", "rmsprop_centered"):
            theirs, ours, y = twins(task, optimizer)
            args = {"epochs": 4, "batch_size": 16, "shuffle": False, "verbose": 0}
            split = {"validation_split": 0.25}
            keras_history = theirs.fit(X, y, **args, **split).history
            our_history = ours.fit(X, y, **args, **split).history
            runs[task, optimizer] = theirs, ours, keras_history, our_history
    return runs


@pytest.mark.slow  # 4 Keras fits and 4 of minigenre: about 15 s
def test_trajectories_match_keras(trajectories):
    worst = {}
    for key, (theirs, ours, keras_history, our_history) in trajectories.items():
        assert sorted(our_history) == sorted(keras_history), key
        history_diff = max(
            float(np.abs(np.array(our_history[k]) - np.array(keras_history[k])).max())
            for k in keras_history
        )
        worst[key] = (max_weight_diff(theirs, ours), history_diff)
    print("\n4 epochs, (max |weight diff|, max |history diff|):")
    for key, diffs in worst.items():
        print(f"  {key}: {diffs[0]:.1e}, {diffs[1]:.1e}")
    assert max(max(d) for d in worst.values()) <= 1e-5, worst


# -- .keras files both ways ---------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "optimizer"),
    [("binary_crossentropy", "rmsprop_momentum"), ("multi_label", "rmsprop_centered"),
     ("categorical_crossentropy", "rmsprop")],
)  # fmt: skip
def test_keras_files_go_both_ways_with_the_optimizer_state(tmp_path, task, optimizer):
    theirs, ours, y = twins(task, optimizer)
    theirs.fit(X, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    ours.fit(X, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    # Keras's file, read by minigenre: the next epoch as Keras's.
    theirs.save(tmp_path / "k.keras")
    from_keras = load_model(tmp_path / "k.keras")
    assert from_keras.optimizer.iterations == 6
    # minigenre's file, read by Keras.
    save_model(ours, tmp_path / "m.keras")
    from_ours = keras.saving.load_model(tmp_path / "m.keras")
    assert int(from_ours.optimizer.iterations) == 6
    p_diff = np.abs(np.asarray(from_ours.predict(X, verbose=0)) - ours.predict(X)).max()
    theirs.fit(X, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    from_keras.fit(X, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    from_ours.fit(X, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    ours.fit(X, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    diffs = (
        p_diff,
        max_weight_diff(theirs, from_keras),
        max_weight_diff(from_ours, ours),
    )
    print(f"\n{task}/{optimizer}: predict, one more epoch each way: {diffs}")
    assert max(diffs) <= 1e-5
