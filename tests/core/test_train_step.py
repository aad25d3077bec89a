import numpy as np
import pytest
from gradcheck import batch_gradients, numerical_gradient, relative_error

from minigenre import Dense, Sequential, SparseCategoricalCrossentropy
from minigenre.study.network import study_model
from minigenre.train_step import Batches, RunningLogs


@pytest.mark.parametrize("last", ["softmax", "linear"])
def test_whole_model_gradient_matches_central_differences(last):
    rng = np.random.default_rng(3)
    model = Sequential(
        [Dense(6, activation="elu"), Dense(4, activation=last)], seed=1, dtype="float64"
    )
    from_logits = last == "linear"

    model.compile(optimizer="sgd", loss=SparseCategoricalCrossentropy(from_logits))
    x = rng.normal(size=(7, 5))
    y = rng.integers(0, 4, size=7)
    model.build(5)
    _, grads = batch_gradients(model, x, y)
    weights = [w for layer in model.layers for w in layer.weights]
    for analytic, w in zip(grads, weights, strict=True):
        numeric = numerical_gradient(lambda: batch_gradients(model, x, y)[0], w)
        assert relative_error(analytic, numeric) <= 1e-6


def test_softmax_output_without_fusion_gives_the_same_gradient():
    # The fused (p - onehot)/n must equal the chain rule through softmax and the loss.
    rng = np.random.default_rng(4)
    x = rng.normal(size=(9, 5))
    y = rng.integers(0, 3, size=9)
    model = Sequential([Dense(3, activation="softmax")], seed=0, dtype="float64")
    model.compile(optimizer="sgd")
    model.build(5)
    _, fused = batch_gradients(model, x, y)
    out = model.layers[0].forward(x, training=True)
    grad_x = model.layers[0].backward(model.loss.gradient(y, out))
    assert grad_x.shape == x.shape
    for a, b in zip(fused, model.layers[0].gradients, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_train_step_is_the_step_train_on_batch_runs(blobs):
    x, y = blobs[0][:32], blobs[1][:32]
    stepped, batched = study_model(seed=5), study_model(seed=5)
    stepped.build(x.shape[1])
    stepped.make_train_function(steps=1)
    loss, out = stepped.train_step(x, y)
    assert out.shape == (32, 10)
    assert loss == batched.train_on_batch(x, y)[0]
    for a, b in zip(stepped.get_weights(), batched.get_weights(), strict=True):
        assert a.tobytes() == b.tobytes()


def test_test_step_gives_each_rows_weighted_loss_without_an_update(blobs):
    x, y = blobs[0][:32], blobs[1][:32]
    model = study_model(seed=1)
    model.build(x.shape[1])
    before = model.get_weights()
    out, per_sample = model.test_step(x, y)
    _, weighted = model.test_step(x, y, np.full(32, 2.0, np.float32))
    assert per_sample.shape == (32,)
    assert weighted.tolist() == (per_sample * 2).tolist()
    assert np.allclose(out.sum(axis=1), 1, atol=1e-6)  # probabilities
    assert model.evaluate(x, y, batch_size=32, verbose=0)[0] == pytest.approx(
        per_sample.mean(), rel=1e-6
    )
    assert all((a == b).all() for a, b in zip(before, model.get_weights(), strict=True))
    assert model.predict_step(x).tobytes() == model.predict(x, batch_size=32).tobytes()


@pytest.mark.parametrize(
    ("last", "loss"),
    [
        (("sigmoid", 1), "binary_crossentropy"),
        (("sigmoid", 3), "binary_crossentropy"),
        (("softmax", 3), "categorical_crossentropy"),
        (("linear", 3), "from_logits_categorical"),
        (("linear", 2), "from_logits_binary"),
    ],
)
def test_dense_label_gradients_match_central_differences(last, loss):
    from minigenre.losses import BinaryCrossentropy, CategoricalCrossentropy

    activation, units = last
    rng = np.random.default_rng(4)
    model = Sequential(
        [Dense(5, activation="tanh"), Dense(units, activation=activation)],
        seed=1,
        dtype="float64",
    )
    if loss.startswith("from_logits"):
        kind = (
            BinaryCrossentropy if loss.endswith("binary") else CategoricalCrossentropy
        )
        loss = kind(from_logits=True)
    model.compile(optimizer="rmsprop", loss=loss)
    x = rng.normal(size=(6, 4))
    if model.loss.name == "binary_crossentropy":
        y = rng.integers(0, 2, size=(6, units)).astype(float)
    else:
        y = np.eye(units)[rng.integers(0, units, size=6)]
    model.build(4)
    w8 = np.array([1.0, 0.5, 2.0, 1.0, 0.0, 3.0])
    _, grads = batch_gradients(model, x, y, w8)
    weights = [w for layer in model.layers for w in layer.weights]
    for analytic, w in zip(grads, weights, strict=True):
        numeric = numerical_gradient(lambda: batch_gradients(model, x, y, w8)[0], w)
        assert relative_error(analytic, numeric) <= 1e-6


def test_batches_cut_the_rows_with_a_shorter_last_batch():
    x, y = np.arange(10.0)[:, None], np.arange(10)
    batches = Batches(x, y, None, batch_size=4)
    assert batches.steps == 3
    cut = [b[1].tolist() for b in batches.epoch(rng=None)]
    assert cut == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_batches_shuffle_by_the_generator_and_carry_the_weights_along():
    x, y, w = np.arange(10.0)[:, None], np.arange(10), np.arange(10) * 10.0
    batches = Batches(x, y, w, batch_size=4)
    one = list(batches.epoch(np.random.default_rng(5)))
    two = list(batches.epoch(np.random.default_rng(5)))
    assert [b[1].tolist() for b in one] == [b[1].tolist() for b in two]
    order = np.concatenate([b[1] for b in one])
    assert sorted(order.tolist()) == list(range(10))
    assert order.tolist() != list(range(10))
    for x_batch, y_batch, w_batch in one:
        assert x_batch[:, 0].tolist() == y_batch.tolist()
        assert (w_batch == y_batch * 10.0).all()


def Compiled(metrics, weighted):
    """A two-class model compiled with these metric lists (RunningLogs reads its
    ``compiled_metrics``)."""
    model = Sequential([Dense(2, activation="softmax")])
    model.compile(metrics=metrics, weighted_metrics=weighted)
    return model


def test_running_logs_weigh_each_batch_loss_by_its_size():
    logs = RunningLogs(Compiled(["accuracy"], []))
    out = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    logs.add(1.0, out[:2], np.array([0, 0]), None)  # 2 rows, 1 hit
    logs.add(4.0, out[2:], np.array([0]), None)  # 1 row, 1 hit
    assert logs.result() == {"loss": (1.0 * 2 + 4.0) / 3, "accuracy": 2 / 3}


def test_weighted_metrics_use_the_weights_and_plain_metrics_do_not():
    model = Compiled(["accuracy"], ["accuracy"])
    names = [(name, weighted) for name, _, weighted in model.compiled_metrics]
    assert names == [("accuracy", False), ("weighted_accuracy", True)]
    logs = RunningLogs(model)
    out = np.array([[0.9, 0.1], [0.2, 0.8]])
    logs.add(0.5, out, np.array([0, 0]), np.array([3.0, 1.0]))
    result = logs.result()
    assert result["accuracy"] == 0.5
    assert result["weighted_accuracy"] == 0.75
