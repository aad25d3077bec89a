"""minigenre's NumPy model against the study's Keras model, with real TensorFlow.

Four levels, each with its tolerance:

1. operations: identical weights and inputs give the same outputs, loss and gradients
   (Keras's from ``tf.GradientTape``) to 1e-6 relative, in float32;
2. one Adam step from identical weights on one batch: every weight within 1e-6;
3. a 4-epoch trajectory on the embedded dataset, same initial weights and batches:
   weights, per-epoch loss and accuracy, validation probabilities within 1e-5;
4. statistics of independent runs: mean validation accuracy within 0.01 and mean
   validation log-loss within 0.02, each difference inside 2 standard errors.

"Relative" means max |a - b| / max |b| over the whole array: elementwise relative
error is meaningless for entries that are zero up to rounding.
"""

import numpy as np
import pytest
from gradcheck import batch_gradients

from minigenre import Sequential, SparseCategoricalCrossentropy, activations
from minigenre.study.network import study_model
from minigenre.study.synthetic import make_synthetic
from minigenre.study.workflow import split_and_scale
from reference import build_model, keras_to_numpy, numpy_to_keras
from reference.backend import keras, tf
from reference.parity import independent_runs, train_side_by_side

pytestmark = pytest.mark.tensorflow


def relative(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.abs(a - b).max() / np.abs(b).max()


@pytest.fixture(scope="module")
def split():
    return split_and_scale(make_synthetic(seed=0), seed=0)


@pytest.fixture
def pair():
    """A Keras model and a NumPy model holding the same (Keras-initialised) weights."""
    keras_model = build_model(seed=7, input_dim=20)
    numpy_model = study_model(seed=None)
    keras_to_numpy(keras_model, numpy_model)
    return keras_model, numpy_model


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    x = rng.normal(scale=2.0, size=(32, 20)).astype(np.float32)
    y = rng.integers(0, 10, size=32)
    return x, y


# -- level 1: operations -------------------------------------------------------------


def test_activations_match_keras():
    z = np.random.default_rng(1).normal(scale=3, size=(64, 10)).astype(np.float32)
    z[0, :3] = [0.0, -1e-6, 1e-6]
    for ours, theirs in [
        (activations.elu, keras.activations.elu),
        (activations.relu, keras.activations.relu),
        (activations.softmax, keras.activations.softmax),
    ]:
        assert relative(ours(z), np.asarray(theirs(z))) <= 1e-6


def test_activation_gradients_match_keras():
    z = tf.constant(np.random.default_rng(2).normal(size=(16, 10)).astype(np.float32))
    upstream = np.random.default_rng(3).normal(size=(16, 10)).astype(np.float32)
    for name in ("elu", "relu", "softmax"):
        with tf.GradientTape() as tape:
            tape.watch(z)
            out = getattr(keras.activations, name)(z)
            total = tf.reduce_sum(out * upstream)
        theirs = tape.gradient(total, z).numpy()
        _, (f, f_grad) = activations.get(name)
        ours = f_grad(z.numpy(), f(z.numpy()), upstream)
        assert relative(ours, theirs) <= 1e-6, name


@pytest.mark.parametrize("from_logits", [False, True])
def test_loss_values_match_keras(from_logits):
    rng = np.random.default_rng(4)
    logits = rng.normal(scale=4, size=(50, 10)).astype(np.float32)
    y = rng.integers(0, 10, size=50)
    y_pred = logits if from_logits else activations.softmax(logits)
    y_pred[0] = 0.0 if not from_logits else y_pred[0]  # exercises Keras's clipping
    if not from_logits:
        y_pred[0, y[0]] = 1.0
    ours = SparseCategoricalCrossentropy(from_logits)(y, y_pred)
    theirs = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)(
        y, y_pred
    )
    assert relative(ours, theirs.numpy()) <= 1e-6


def test_forward_loss_and_gradients_match_keras(pair, batch):
    keras_model, numpy_model = pair
    x, y = batch
    with tf.GradientTape() as tape:
        proba = keras_model(x, training=True)
        loss = keras_model.compute_loss(x=x, y=y, y_pred=proba, training=True)
    keras_grads = tape.gradient(loss, keras_model.trainable_variables)
    numpy_proba = numpy_model.predict(x, batch_size=len(x))
    numpy_loss, numpy_grads = batch_gradients(numpy_model, x, y)
    assert relative(numpy_proba, proba.numpy()) <= 1e-6
    assert relative(numpy_loss, loss.numpy()) <= 1e-6
    assert len(numpy_grads) == len(keras_grads) == 4
    for ours, theirs in zip(numpy_grads, keras_grads, strict=True):
        assert ours.shape == tuple(theirs.shape)
        assert relative(ours, theirs.numpy()) <= 1e-6
    assert relative(numpy_model.predict(x), keras_model.predict(x, verbose=0)) <= 1e-6


# -- level 2: one step ---------------------------------------------------------------


def test_one_adam_step_matches_keras(pair, batch):
    keras_model, numpy_model = pair
    x, y = batch
    keras_logs = keras_model.fit(
        x, y, batch_size=32, epochs=1, shuffle=False, verbose=0
    )
    numpy_logs = numpy_model.fit(
        x, y, batch_size=32, epochs=1, shuffle=False, verbose=0
    )
    for ours, theirs in zip(
        numpy_model.get_weights(), keras_model.get_weights(), strict=True
    ):
        assert np.abs(ours - theirs).max() <= 1e-6
    for key in ("loss", "accuracy"):
        assert numpy_logs.history[key][0] == pytest.approx(
            keras_logs.history[key][0], abs=1e-6
        )


def test_weight_transfer_both_ways_is_shape_checked(pair):
    keras_model, numpy_model = pair
    numpy_model.set_weights([w + 1 for w in numpy_model.get_weights()])
    numpy_to_keras(numpy_model, keras_model)
    for ours, theirs in zip(
        numpy_model.get_weights(), keras_model.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(ours, theirs)
    other = Sequential([study_model(None).layers[0]])
    other.build(21)
    with pytest.raises(ValueError, match=r"NumPy model has 2 weight arrays; .* 4"):
        numpy_to_keras(other, keras_model)
    wrong = study_model(None)
    wrong.build(21)
    with pytest.raises(
        ValueError, match=r"weight 0 has shape \(20, 128\); .* \(21, 128\)"
    ):
        keras_to_numpy(keras_model, wrong)


# -- level 3: the trajectory on the embedded dataset --------------------------------


def test_four_epoch_trajectory_matches_keras(split):
    run = train_side_by_side(
        split.x_train, split.y_train, split.x_val, split.y_val, epochs=4, seed=0
    )
    print(
        f"\n4 epochs: max weight diff per epoch {run.max_weight_diff}, "
        f"loss {run.max_history_diff('loss'):.2e}, "
        f"accuracy {run.max_history_diff('accuracy'):.2e}, "
        f"val_loss {run.max_history_diff('val_loss'):.2e}, "
        f"val proba {run.max_proba_diff:.2e}"
    )
    assert max(run.max_weight_diff) <= 1e-5
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert len(run.numpy_history[key]) == 4
        assert run.max_history_diff(key) <= 1e-5, key
    assert run.max_proba_diff <= 1e-5


@pytest.mark.slow
def test_twenty_epoch_drift_stays_small(split):
    run = train_side_by_side(
        split.x_train, split.y_train, split.x_val, split.y_val, epochs=20, seed=1
    )
    print(
        f"\n20 epochs: max weight diff per epoch "
        f"{[f'{d:.1e}' for d in run.max_weight_diff]}, "
        f"loss {run.max_history_diff('loss'):.2e}, "
        f"val proba {run.max_proba_diff:.2e}"
    )
    # Rounding differences grow as training goes on; a loose bound only.
    assert max(run.max_weight_diff) <= 1e-3
    assert run.max_history_diff("loss") <= 1e-3


# -- level 4: statistics of independent runs ----------------------------------------

SEEDS = list(range(10))


@pytest.mark.slow
def test_independent_runs_agree_statistically(split):
    data = (split.x_train, split.y_train, split.x_val, split.y_val)
    numpy_runs = independent_runs("numpy", SEEDS, *data)
    keras_runs = independent_runs("keras", [100 + s for s in SEEDS], *data)
    print(f"\n{'':<10}{'val log-loss':>22}{'val accuracy':>22}")
    for name, runs in (("minigenre", numpy_runs), ("Keras", keras_runs)):
        mean, std = runs.mean(axis=0), runs.std(axis=0, ddof=1)
        print(
            f"{name:<10}{mean[0]:>13.4f} ± {std[0]:.4f}{mean[1]:>13.4f} ± {std[1]:.4f}"
        )
    diff = numpy_runs.mean(axis=0) - keras_runs.mean(axis=0)
    se = np.sqrt(
        numpy_runs.var(axis=0, ddof=1) / len(numpy_runs)
        + keras_runs.var(axis=0, ddof=1) / len(keras_runs)
    )
    assert abs(diff[1]) <= 0.01  # accuracy
    assert abs(diff[0]) <= 0.02  # log-loss
    assert (np.abs(diff) <= 2 * se).all(), (diff, se)
