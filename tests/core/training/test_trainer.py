"""The Keras idioms engineers type without thinking, and Keras 3's weighting rules."""

import re

import numpy as np
import pytest

import minigenre
from minigenre import SGD, Adam, Dense, Input, Sequential


def make_model(seed=0, **compile_args):
    model = Sequential(
        [Dense(8, activation="elu"), Dense(3, activation="softmax")], seed=seed
    )
    compile_args.setdefault("metrics", ["accuracy"])
    model.compile(Adam(learning_rate=0.01), **compile_args)
    return model


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, size=70)
    x = (rng.normal(size=(70, 5)) + y[:, None]).astype(np.float32)
    return x, y


def same_weights(a, b):
    return all(
        np.array_equal(u, v)
        for u, v in zip(a.get_weights(), b.get_weights(), strict=True)
    )


# -- predict, model(x), evaluate ----------------------------------------------------


def test_predict_takes_batch_size_none_and_verbose(data, capsys):
    x, y = data
    model = make_model()
    model.fit(x, y, verbose=0)
    expected = model.predict(x, batch_size=32)
    np.testing.assert_array_equal(
        model.predict(x, batch_size=None, verbose=0), expected
    )
    assert capsys.readouterr().out == ""
    model.predict(x, verbose=1)
    assert re.fullmatch(r"3/3 ━{20} \d+s \d+(us|ms|s)/step\n", capsys.readouterr().out)
    with pytest.raises(
        ValueError, match=r"verbose must be 0, 1 or 2\. Received: verbose=3"
    ):
        model.predict(x, verbose=3)


@pytest.mark.parametrize(
    "verbose", [np.array([0, 1]), 1.0, np.float32(1.0), "1", None, "Auto"]
)
def test_verbose_refuses_what_is_not_0_1_2_or_auto_in_one_line(data, verbose):
    x, y = data
    model = make_model()
    with pytest.raises(ValueError, match=r"^verbose must be 0, 1 or 2\. Received: "):
        model.fit(x, y, verbose=verbose)


def test_verbose_takes_numpy_integers_and_auto(data, capsys):
    x, y = data
    model = make_model()
    model.fit(x, y, verbose=np.int64(0))
    model.evaluate(x, y, verbose=np.uint8(0))
    assert capsys.readouterr().out == ""
    model.predict(x, verbose="auto")
    assert "━" in capsys.readouterr().out


def test_calling_the_model_is_the_forward_pass(data):
    x, y = data
    model = make_model()
    model.fit(x, y, verbose=0)
    np.testing.assert_array_equal(model(x), model.predict(x, batch_size=len(x)))
    np.testing.assert_array_equal(model(x, training=False), model(x))


def test_evaluate_returns_a_dict_on_request(data):
    x, y = data
    model = make_model()
    model.fit(x, y, verbose=0)
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {
        "loss": loss,
        "accuracy": accuracy,
    }


def test_weighted_evaluate_divides_each_batch_by_its_size(data):
    x, y = data
    model = make_model(weighted_metrics=["accuracy"])
    model.fit(x, y, verbose=0)
    w = np.linspace(0.0, 2.0, len(y)).astype(np.float32)
    logs = model.evaluate(
        x, y, batch_size=32, sample_weight=w, verbose=0, return_dict=True
    )
    proba = model.predict(x).astype(np.float64)
    losses = -np.log(proba[np.arange(len(y)), y]) * w
    batches = [slice(0, 32), slice(32, 64), slice(64, 70)]
    expected = sum(losses[b].sum() for b in batches) / len(y)  # sum(w*l)/batch, mean
    assert logs["loss"] == pytest.approx(expected, rel=1e-5)
    hits = proba.argmax(axis=1) == y
    assert logs["accuracy"] == pytest.approx(hits.mean())  # unweighted
    assert logs["weighted_accuracy"] == pytest.approx((hits * w).sum() / w.sum())


# -- Keras 3's weighting: metrics unweighted, weighted_metrics weighted ---------------


def test_class_weight_does_not_weight_accuracy(data):
    x, y = data
    model = make_model(weighted_metrics=["accuracy"])
    model.build(5)
    out = model.predict(x[:32])
    hits = out.argmax(axis=1) == y[:32]
    w = np.where(y[:32] == 0, 5.0, 1.0)
    logs = model.train_on_batch(x[:32], y[:32], class_weight={0: 5.0}, return_dict=True)
    assert logs["accuracy"] == pytest.approx(hits.mean())
    assert logs["weighted_accuracy"] == pytest.approx((hits * w).sum() / w.sum())


def test_class_weight_balanced_is_the_balanced_dict(data):
    x, y = data
    a, b = make_model(), make_model()
    a.fit(x, y, class_weight="balanced", verbose=0)
    b.fit(
        x,
        y,
        class_weight=minigenre.training.weighting.balanced_class_weight(y),
        verbose=0,
    )
    assert same_weights(a, b)


@pytest.mark.parametrize(
    ("class_weight", "message"),
    [
        ({0: 0.0}, r"class_weight\[0\] must be finite and > 0"),
        ({7: 1.0}, "class 7, outside the model's 3 outputs"),
        ({"rock": 1.0}, "keys must be integer class indices"),
        ("inverse", r"dict \{class index: weight\} or 'balanced'"),
    ],
)
def test_bad_class_weight_is_refused_before_any_update(data, class_weight, message):
    x, y = data
    model, untouched = make_model(), make_model()
    model.build(5)
    untouched.build(5)
    with pytest.raises((ValueError, TypeError), match=message):
        model.fit(x, y, class_weight=class_weight, verbose=0)
    assert same_weights(model, untouched)
    assert model.optimizer.iterations == 0


def test_sample_weight_and_class_weight_together_are_refused(data):
    x, y = data
    with pytest.raises(
        ValueError, match="sample_weight and class_weight cannot be given together"
    ):
        make_model().fit(x, y, sample_weight=np.ones(len(y)), class_weight={0: 2.0})


def test_sample_weight_follows_validation_split(data):
    x, y = data
    w = np.linspace(0.5, 1.5, len(y))
    a, b = make_model(), make_model()
    a.fit(x, y, sample_weight=w, validation_split=0.2, shuffle=False, verbose=0)
    validation = (x[56:], y[56:], w[56:])
    b.fit(x[:56], y[:56], sample_weight=w[:56], validation_data=validation,
          shuffle=False, verbose=0)  # fmt: skip
    assert same_weights(a, b)


# -- validation_data ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("validation_data", "message"),
    [
        ((np.ones((4, 6)), np.zeros(4)), "validation_data's x has 6 features"),
        ((np.ones((4, 5)), np.zeros(3)), "one label per row"),
        ((np.ones((4, 5)), np.full(4, 9)), r"labels in \[0, 3\)"),
        (
            (np.ones((4, 5)), np.zeros(4), np.ones(3)),
            r"sample_weight must hold one weight per row of x, shape \(4,\)",
        ),
        ((np.ones((4, 5)),), "validation_data must be a tuple"),
        ((np.ones((4, 5)), np.zeros(4), None, None), "of length 4"),
    ],
)
def test_bad_validation_data_is_refused_before_the_first_epoch(
    data, validation_data, message
):
    x, y = data
    model, untouched = make_model(), make_model()
    untouched.build(5)
    with pytest.raises(ValueError, match=message):
        model.fit(x, y, validation_data=validation_data, verbose=0)
    assert same_weights(model, untouched)


def test_validation_data_wins_over_validation_split(data):
    x, y = data
    a, b = make_model(), make_model()
    validation = (x[:10], y[:10])
    ha = a.fit(x, y, validation_data=validation, validation_split=0.5, verbose=0)
    hb = b.fit(x, y, validation_data=validation, verbose=0)
    assert same_weights(a, b)  # every row trained: nothing split off
    assert ha.history == hb.history


def test_validation_data_with_sample_weights_weighs_val_loss(data):
    x, y = data
    model = make_model()
    w = np.linspace(0.0, 1.0, 20)
    history = model.fit(x[:50], y[:50], validation_data=(x[50:], y[50:], w), verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(
        model.evaluate(x[50:], y[50:], sample_weight=w, verbose=0)[0]
    )


# -- fit: initial_epoch, verbose=2, "acc" ---------------------------------------------


def test_initial_epoch_runs_the_remaining_epochs(data, capsys):
    x, y = data
    history = make_model().fit(x, y, epochs=4, initial_epoch=2)
    assert history.epoch == [2, 3]
    assert len(history.history["loss"]) == 2
    out = capsys.readouterr().out
    assert "Epoch 3/4" in out
    assert "Epoch 1/4" not in out


def test_verbose_2_prints_one_line_per_epoch_as_keras(data, capsys):
    x, y = data
    make_model().fit(x, y, epochs=2, verbose=2, validation_split=0.2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2"
    assert lines[2] == "Epoch 2/2"
    number = r"\d+\.\d{4}(e[+-]\d+)?"
    assert re.fullmatch(
        rf"2/2 - \d+s - \d+(us|ms|s)/step - accuracy: {number} - loss: {number}"
        rf" - val_accuracy: {number} - val_loss: {number}",
        lines[1],
    )
    assert len(lines) == 4


def test_acc_logs_as_acc(data):
    x, y = data
    history = make_model(metrics=["acc"]).fit(x, y, validation_split=0.2, verbose=0)
    assert sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]


def test_unknown_metric_lists_the_valid_names():
    with pytest.raises(
        ValueError, match=r"^Unknown metric: 'auc'. Valid names: accuracy, acc, "
    ):
        make_model(weighted_metrics=["auc"])


# -- building at once, summary ------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    [
        lambda: [Dense(8, activation="elu", input_shape=(5,))],
        lambda: [Input(shape=(5,)), Dense(8, activation="elu")],
        lambda: [Dense(8, activation="elu", input_dim=5)],
    ],
)
def test_a_known_input_width_builds_at_once_with_the_same_weights(first, data):
    model = Sequential([*first(), Dense(3, activation="softmax")], seed=4)
    assert model.built
    assert model.input_dim == 5
    lazy = Sequential(
        [Dense(8, activation="elu"), Dense(3, activation="softmax")], seed=4
    )
    lazy.build(5)
    assert same_weights(model, lazy)


@pytest.mark.parametrize("shape", [(5, 2), 5, (0,), ("5",)])
def test_bad_input_shapes_are_refused(shape):
    with pytest.raises(ValueError, match=r"input shape must be \(features,\)"):
        Input(shape=shape)


# -- on one batch ---------------------------------------------------------------------


def test_test_on_batch_and_predict_on_batch(data):
    x, y = data
    model = make_model()
    model.fit(x, y, verbose=0)
    assert model.test_on_batch(x[:10], y[:10]) == model.evaluate(
        x[:10], y[:10], batch_size=10, verbose=0
    )
    np.testing.assert_array_equal(model.predict_on_batch(x[:10]), model(x[:10]))
    before = model.get_weights()
    model.test_on_batch(x[:10], y[:10])
    assert all(
        np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True)
    )


# -- save, load, carry on ------------------------------------------------------------


@pytest.mark.parametrize("optimizer", [lambda: Adam(0.01), lambda: SGD(0.05, 0.9)])
def test_save_load_and_train_on_is_bit_identical(tmp_path, data, optimizer):
    x, y = data

    def model():
        m = Sequential(
            [Dense(8, activation="elu"), Dense(3, activation="softmax")], seed=2
        )
        m.compile(optimizer(), metrics=["accuracy"])
        return m

    straight = model()
    full = straight.fit(x, y, epochs=4, validation_split=0.2, verbose=0).history
    first = model()
    head = first.fit(x, y, epochs=2, validation_split=0.2, verbose=0).history
    first.save(tmp_path / "half.npz")
    resumed = minigenre.load_model(tmp_path / "half.npz")
    tail = resumed.fit(
        x, y, epochs=4, initial_epoch=2, validation_split=0.2, verbose=0
    ).history
    assert same_weights(resumed, straight)
    for key in full:
        assert head[key] + tail[key] == full[key], key


def test_keras_file_carries_the_optimizer_state(tmp_path, data):
    x, y = data
    straight = make_model()
    straight.fit(x, y, epochs=2, shuffle=False, verbose=0)
    first = make_model()
    first.fit(x, y, epochs=1, shuffle=False, verbose=0)
    first.save(tmp_path / "half.keras")
    resumed = minigenre.load_model(tmp_path / "half.keras")
    assert resumed.optimizer.iterations == first.optimizer.iterations == 3
    resumed.fit(x, y, epochs=1, shuffle=False, verbose=0)
    assert same_weights(resumed, straight)
