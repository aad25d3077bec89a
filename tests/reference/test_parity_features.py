"""Every training feature against real Keras, not only the study's path.

Each case builds a Keras model, copies its initial weights into the same minigenre
model and trains both on the same batches in the same order (``shuffle=False``).
Tolerances are those of test_parity.py: 1e-6 after one step, 1e-5 along a
trajectory of several epochs (weights, every history entry).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigenre import SGD, Adam, Dense, EarlyStopping, Sequential
from minigenre import SparseCategoricalCrossentropy as Crossentropy
from reference import keras_to_numpy
from reference.backend import keras

pytestmark = pytest.mark.tensorflow

N_FEATURES, N_CLASSES = 10, 4


def make_data(n, seed):
    """A learnable problem: class centres plus noise, float32 as Keras trains."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=1.5, size=(N_CLASSES, N_FEATURES))
    y = rng.integers(0, N_CLASSES, size=n)
    x = (centres[y] + rng.normal(size=(n, N_FEATURES))).astype(np.float32)
    return x, y


TRAIN, VAL = make_data(96, seed=0), make_data(40, seed=1)


def twins(layers, optimizer, loss_from_logits=False, seed=0, **compile_args):
    """A Keras model and a minigenre model with the same layers and Keras's weights.

    ``layers`` is a list of ``(units, activation, use_bias)``; ``optimizer`` is
    ``("adam", lr)`` or ``("sgd", lr, momentum)``.
    """
    keras.utils.set_random_seed(seed)
    keras_model = keras.Sequential(
        [keras.Input(shape=(N_FEATURES,))]
        + [
            keras.layers.Dense(units, activation=activation, use_bias=use_bias)
            for units, activation, use_bias in layers
        ]
    )
    ours = Sequential(
        [
            Dense(units, activation=activation, use_bias=use_bias)
            for units, activation, use_bias in layers
        ]
    )
    if optimizer[0] == "adam":
        keras_opt = keras.optimizers.Adam(learning_rate=optimizer[1])
        our_opt = Adam(learning_rate=optimizer[1])
    else:
        keras_opt = keras.optimizers.SGD(
            learning_rate=optimizer[1], momentum=optimizer[2]
        )
        our_opt = SGD(learning_rate=optimizer[1], momentum=optimizer[2])
    keras_model.compile(
        optimizer=keras_opt,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=loss_from_logits),
        **compile_args,
    )
    ours.compile(our_opt, Crossentropy(from_logits=loss_from_logits), **compile_args)
    keras_to_numpy(keras_model, ours)
    return keras_model, ours


def trained(keras_model, ours, fit_args, keras_fit_args=None):
    """Fits both with the same arguments; returns (keras history, our history)."""
    fit_args = {"batch_size": 16, "shuffle": False, "verbose": 0, **fit_args}
    theirs = keras_model.fit(*TRAIN, **{**fit_args, **(keras_fit_args or {})})
    mine = ours.fit(*TRAIN, **fit_args)
    return theirs.history, mine.history


def assert_same_run(keras_model, ours, theirs, mine, tolerance=1e-5):
    assert sorted(mine) == sorted(theirs)
    for key in theirs:
        assert len(mine[key]) == len(theirs[key]), key
        diff = np.abs(np.array(mine[key]) - np.array(theirs[key])).max()
        assert diff <= tolerance, (key, diff)
    weight_diff = max(
        float(np.abs(a - b).max())
        for a, b in zip(ours.get_weights(), keras_model.get_weights(), strict=True)
    )
    history_diff = max(
        float(np.abs(np.array(mine[key]) - np.array(theirs[key])).max())
        for key in theirs
    )
    print(
        f"\nmax |weight diff| {weight_diff:.2e}, max |history diff| {history_diff:.2e}"
    )
    assert weight_diff <= tolerance


STUDY_LAYERS = [(16, "elu", True), (N_CLASSES, "softmax", True)]


@pytest.fixture(scope="session")
def class_weight_run():
    keras_model, ours = twins(STUDY_LAYERS, ("adam", 0.01), metrics=["accuracy"])
    weights = {0: 2.0, 1: 0.5, 3: 1.5}  # class 2 keeps 1.0
    fit_args = {"epochs": 3, "class_weight": weights, "validation_data": VAL}
    return keras_model, ours, *trained(keras_model, ours, fit_args)


def test_class_weight_matches_keras(class_weight_run):
    assert_same_run(*class_weight_run)


def test_class_weight_leaves_accuracy_unweighted_as_keras(class_weight_run):
    _, ours, theirs, _ = class_weight_run
    # The model at the end of training, scored without weights, must reproduce
    # Keras's last validation accuracy: the metric is unweighted.
    val_accuracy = (ours.predict(VAL[0]).argmax(axis=1) == VAL[1]).mean()
    assert abs(val_accuracy - theirs["val_accuracy"][-1]) <= 1e-6


@pytest.fixture(scope="session")
def sample_weight_run():
    keras_model, ours = twins(
        STUDY_LAYERS,
        ("adam", 0.01),
        metrics=["accuracy"],
        weighted_metrics=["accuracy"],
    )
    rng = np.random.default_rng(2)
    weights = rng.uniform(0.0, 3.0, size=len(TRAIN[1])).astype(np.float32)
    val_weights = rng.uniform(0.5, 2.0, size=len(VAL[1])).astype(np.float32)
    fit_args = {
        "epochs": 3,
        "sample_weight": weights,
        "validation_data": (*VAL, val_weights),
    }
    histories = trained(keras_model, ours, fit_args)
    evaluations = [
        model.evaluate(*VAL, sample_weight=val_weights, verbose=0, return_dict=True)
        for model in (keras_model, ours)
    ]
    return keras_model, ours, *histories, *evaluations


def test_sample_weight_and_weighted_metrics_match_keras(sample_weight_run):
    keras_model, ours, theirs, mine, *_ = sample_weight_run
    assert {"accuracy", "weighted_accuracy", "val_weighted_accuracy"} <= set(theirs)
    assert_same_run(keras_model, ours, theirs, mine)


def test_weighted_evaluate_matches_keras(sample_weight_run):
    *_, theirs, mine = sample_weight_run
    assert sorted(mine) == sorted(theirs)
    for key in theirs:
        assert abs(mine[key] - float(theirs[key])) <= 1e-6, key


def test_validation_split_matches_keras():
    keras_model, ours = twins(STUDY_LAYERS, ("adam", 0.01), metrics=["accuracy"])
    histories = trained(keras_model, ours, {"epochs": 3, "validation_split": 0.25})
    assert_same_run(keras_model, ours, *histories)


def test_early_stopping_restoring_best_weights_matches_keras():
    # A learning rate high enough for the validation loss to turn up early.
    keras_model, ours = twins(STUDY_LAYERS, ("adam", 0.2), metrics=["accuracy"])
    fit_args = {"epochs": 12, "validation_data": VAL}
    patience = {"monitor": "val_loss", "patience": 1, "restore_best_weights": True}
    theirs, mine = trained(
        keras_model,
        ours,
        {**fit_args, "callbacks": [EarlyStopping(**patience)]},
        {"callbacks": [keras.callbacks.EarlyStopping(**patience)]},
    )
    assert len(theirs["loss"]) < 12  # it did stop early
    assert_same_run(keras_model, ours, theirs, mine)


def test_sgd_with_momentum_matches_keras():
    keras_model, ours = twins(STUDY_LAYERS, ("sgd", 0.05, 0.9), metrics=["accuracy"])
    histories = trained(keras_model, ours, {"epochs": 3, "validation_data": VAL})
    assert_same_run(keras_model, ours, *histories)


def test_relu_linear_softmax_layers_without_bias_match_keras():
    layers = [(12, "relu", True), (8, "linear", False), (6, "elu", False)]
    keras_model, ours = twins(
        [*layers, (N_CLASSES, "softmax", True)], ("adam", 0.01), metrics=["accuracy"]
    )
    histories = trained(keras_model, ours, {"epochs": 3, "validation_data": VAL})
    assert_same_run(keras_model, ours, *histories)


def test_linear_output_with_logits_loss_matches_keras():
    keras_model, ours = twins(
        [(12, "relu", True), (N_CLASSES, "linear", True)],
        ("adam", 0.01),
        loss_from_logits=True,
        metrics=["accuracy"],
    )
    histories = trained(keras_model, ours, {"epochs": 3, "validation_data": VAL})
    assert_same_run(keras_model, ours, *histories)


def test_one_step_of_train_on_batch_matches_keras():
    keras_model, ours = twins(STUDY_LAYERS, ("adam", 0.01), metrics=["accuracy"])
    x, y = TRAIN[0][:16], TRAIN[1][:16]
    theirs = keras_model.train_on_batch(x, y, return_dict=True)
    mine = ours.train_on_batch(x, y, return_dict=True)
    for key in theirs:
        assert abs(mine[key] - float(theirs[key])) <= 1e-6, key
    for a, b in zip(ours.get_weights(), keras_model.get_weights(), strict=True):
        assert np.abs(a - b).max() <= 1e-6


# -- random small architectures and options -----------------------------------------


@st.composite
def setups(draw):
    hidden = draw(
        st.lists(
            st.tuples(
                st.integers(2, 9),
                st.sampled_from(["elu", "relu", "linear"]),
                st.booleans(),
            ),
            min_size=0,
            max_size=2,
        )
    )
    logits = draw(st.booleans())
    output = (N_CLASSES, "linear" if logits else "softmax", draw(st.booleans()))
    optimizer = draw(
        st.sampled_from([("adam", 0.01), ("sgd", 0.05, 0.0), ("sgd", 0.05, 0.8)])
    )
    weighting = draw(st.sampled_from(["none", "class", "sample"]))
    batch_size = draw(st.sampled_from([8, 13, 32]))
    return [*hidden, output], logits, optimizer, weighting, batch_size


@pytest.mark.slow  # a long property suite: the full suite only
@settings(max_examples=12, deadline=None, derandomize=True, database=None)
@given(setups())
def test_random_small_networks_match_keras_for_a_few_steps(setup):
    layers, logits, optimizer, weighting, batch_size = setup
    keras_model, ours = twins(
        layers, optimizer, loss_from_logits=logits, metrics=["accuracy"]
    )
    x, y = TRAIN[0][:40], TRAIN[1][:40]  # 2 to 5 steps per epoch
    fit_args = {"epochs": 2, "batch_size": batch_size, "shuffle": False, "verbose": 0}
    if weighting == "class":
        fit_args["class_weight"] = {0: 3.0, 2: 0.25}
    elif weighting == "sample":
        fit_args["sample_weight"] = np.linspace(0.1, 2.0, len(y), dtype=np.float32)
    theirs = keras_model.fit(x, y, **fit_args).history
    mine = ours.fit(x, y, **fit_args).history
    assert_same_run(keras_model, ours, theirs, mine)
