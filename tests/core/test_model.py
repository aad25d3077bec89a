import re

import numpy as np
import pytest

from minigenre import SGD, Adam, Dense, Sequential, SparseCategoricalCrossentropy


def study_model(seed=0, dtype="float32", **compile_args):
    model = Sequential(
        [Dense(128, activation="elu"), Dense(10, activation="softmax")],
        seed=seed,
        dtype=dtype,
    )
    compile_args.setdefault("optimizer", Adam())
    model.compile(
        loss="sparse_categorical_crossentropy", metrics=["accuracy"], **compile_args
    )
    return model


def test_same_seed_bit_identical_different_seed_differs(blobs):
    x, y = blobs
    runs = []
    for seed in (5, 5, 6):
        model = study_model(seed)
        history = model.fit(x, y, epochs=2, verbose=0, validation_split=0.25)
        runs.append((model.get_weights(), history.history))
    for a, b in zip(runs[0][0], runs[1][0], strict=True):
        assert np.array_equal(a, b)
    assert runs[0][1] == runs[1][1]
    assert not np.array_equal(runs[0][0][0], runs[2][0][0])


def test_history_keys_and_dtype(blobs):
    x, y = blobs
    model = study_model()
    history = model.fit(x, y, epochs=3, verbose=0, validation_data=(x[:50], y[:50]))
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in history.history.values())
    assert history.epoch == [0, 1, 2]
    assert model.get_weights()[0].dtype == np.float32
    proba = model.predict(x)
    assert proba.shape == (200, 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def test_separable_problem_reaches_full_training_accuracy():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 2))
    y = (x[:, 0] + 2 * x[:, 1] > 0).astype(int)
    model = Sequential(
        [Dense(16, activation="relu"), Dense(2, activation="softmax")], seed=0
    )
    model.compile(optimizer=Adam(learning_rate=0.05), metrics=["accuracy"])
    model.fit(x, y, epochs=60, verbose=0)
    assert model.evaluate(x, y, verbose=0)[1] == 1.0


def test_epoch_loss_is_batch_size_weighted_mean_of_batch_losses(blobs):
    x, y = blobs[0][:70], blobs[1][:70]  # batches of 32, 32 and 6
    model, replay = study_model(seed=2), study_model(seed=2)
    history = model.fit(x, y, epochs=1, shuffle=False, verbose=0)
    losses, correct = [], 0
    for start in (0, 32, 64):
        xb, yb = x[start : start + 32], y[start : start + 32]
        loss, acc = replay.evaluate(xb, yb, batch_size=len(xb), verbose=0)
        losses.append(loss * len(xb))
        correct += acc * len(xb)
        replay.fit(xb, yb, batch_size=len(xb), shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(sum(losses) / 70, rel=1e-6)
    assert history.history["accuracy"][0] == pytest.approx(correct / 70)
    for a, b in zip(model.get_weights(), replay.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_validation_split_takes_the_last_rows_before_shuffling(blobs):
    x, y = blobs
    a, b = study_model(seed=3), study_model(seed=3)
    ha = a.fit(x, y, epochs=2, verbose=0, validation_split=0.2)
    hb = b.fit(
        x[:160], y[:160], epochs=2, verbose=0, validation_data=(x[160:], y[160:])
    )
    assert ha.history == hb.history


def test_class_weight_changes_training(blobs):
    x, y = blobs
    plain = study_model(seed=1).fit(x, y, epochs=1, verbose=0).history["loss"]
    heavy = {c: 5.0 for c in range(10)}
    weighted = study_model(seed=1).fit(x, y, epochs=1, verbose=0, class_weight=heavy)
    assert weighted.history["loss"][0] > 3 * plain[0]


def test_summary_and_repr(capsys):
    model = study_model()
    model.build(264)
    model.summary()
    out = capsys.readouterr().out
    assert 'Model: "sequential"' in out
    assert re.search(r"Layer \(type\)\s+Output Shape\s+Param #", out)
    assert re.search(r"dense \(Dense\)\s+\(None, 128\)\s+33920", out)
    assert re.search(r"dense_1 \(Dense\)\s+\(None, 10\)\s+1290", out)
    assert "Total params: 35,210" in out
    assert repr(model).startswith(
        "Sequential(name='sequential', seed=0, layers=[Dense("
    )


def test_set_and_get_weights_round_trip():
    model = study_model()
    model.build(4)
    weights = [np.full_like(w, i) for i, w in enumerate(model.get_weights())]
    model.set_weights(weights)
    for a, b in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert [w.shape for w in weights] == [(4, 128), (128,), (128, 10), (10,)]


def test_save_and_load_weights(tmp_path, blobs):
    x, y = blobs
    model = study_model()
    model.fit(x, y, verbose=0)
    path = tmp_path / "model.weights.npz"
    model.save_weights(path)
    fresh = study_model(seed=9)
    fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.predict(x), model.predict(x))


def test_save_failure_leaves_previous_file_intact(tmp_path, blobs, monkeypatch):
    model = study_model()
    model.build(12)
    path = tmp_path / "w.npz"
    model.save_weights(path)
    before = path.read_bytes()

    def broken_savez(file, **arrays):
        file.write(b"partial garbage")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    model.set_weights([w + 1 for w in model.get_weights()])
    with pytest.raises(OSError, match=r"disk full"):
        model.save_weights(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w.npz"]


def test_load_weights_rejects_wrong_shapes_and_pickles(tmp_path):
    small = Sequential([Dense(3), Dense(2, activation="softmax")], seed=0)
    small.build(4)
    path = tmp_path / "small.npz"
    small.save_weights(path)
    model = study_model()
    model.build(4)
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"small.npz: Weight 0 has shape \(4, 3\)"):
        model.load_weights(path)
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)  # nothing half-loaded
    evil = tmp_path / "evil.npz"
    np.savez(
        evil, format_version=np.array(1), weight_0=np.array([object()], dtype=object)
    )
    with pytest.raises(ValueError, match=r"evil.npz: refusing to load pickled data"):
        model.load_weights(evil)
    with pytest.raises(ValueError, match=r"must end in \.npz"):
        model.save_weights(tmp_path / "w.h5")


def test_non_finite_loss_names_epoch_and_batch(blobs):
    x, y = blobs
    model = study_model(optimizer=SGD(learning_rate=1e38))
    with (
        np.errstate(over="ignore", invalid="ignore"),
        pytest.raises(
            ValueError, match=r"Non-finite (loss|weights) .*at epoch 1, batch \d+"
        ),
    ):
        model.fit(x * 1e3, y, epochs=1, verbose=0)


@pytest.mark.parametrize(
    ("x", "y", "match"),
    [
        (np.ones(5), np.zeros(5), r"x must be 2-D .* Received: x.shape=\(5,\)"),
        ([[1.0, 2.0], [3.0]], [0, 1], r"x must be an array. Received: .*inhomog"),
        (
            np.ones((5, 3)),
            np.zeros(4),
            r"one label per row of the features \(5 rows\). Received: len\(y\)=4",
        ),
        (
            np.ones((2, 3)),
            [0, 10],
            r"y must hold labels in \[0, 10\) .* Received: 10 at row 1",
        ),
        (np.ones((2, 3)), [0, -1], r"Received: -1 at row 1"),
        (np.ones((2, 3)), [0, 1.5], r"integer class labels. Received: 1.5"),
        (
            np.array([[1.0, np.nan, 0.0]]),
            [0],
            r"x must hold finite numbers. Received: nan at row 0, column 1",
        ),
        (
            np.array([[1.0, 0.0], [np.inf, 0]]),
            [0, 0],
            r"finite numbers. Received: inf at row 1, column 0",
        ),
    ],
)
def test_bad_inputs_are_named(x, y, match):
    with pytest.raises(ValueError, match=match):
        study_model().fit(x, y, verbose=0)


def test_fit_and_evaluate_need_compile():
    model = Sequential([Dense(2, activation="softmax")])
    with pytest.raises(ValueError, match=r"Call compile\(\) before fit\(\)"):
        model.fit(np.ones((2, 3)), [0, 1])
    with pytest.raises(ValueError, match=r"Call compile\(\) before evaluate\(\)"):
        model.evaluate(np.ones((2, 3)), [0, 1])


def test_batch_size_and_epochs_are_checked():
    model = study_model()
    with pytest.raises(
        ValueError, match=r"batch_size must be >= 1. Received: batch_size=0"
    ):
        model.fit(np.ones((2, 3)), [0, 1], batch_size=0)
    with pytest.raises(TypeError, match=r"batch_size must be an integer"):
        model.fit(np.ones((2, 3)), [0, 1], batch_size=2.5)
    history = model.fit(np.ones((2, 3)), [0, 1], epochs=0)
    assert history.history == {}


def test_batch_size_larger_than_data_is_one_batch(blobs):
    x, y = blobs[0][:5], blobs[1][:5]
    fitted, one_batch, two_batches = study_model(), study_model(), study_model()
    history = fitted.fit(x, y, batch_size=100, shuffle=False, verbose=0)
    loss, accuracy = one_batch.train_on_batch(x, y)  # the whole data, one update
    two_batches.fit(x, y, batch_size=3, shuffle=False, verbose=0)
    assert history.history == {"loss": [loss], "accuracy": [accuracy]}
    assert fitted.optimizer.iterations == one_batch.optimizer.iterations == 1
    for a, b, c in zip(
        fitted.get_weights(),
        one_batch.get_weights(),
        two_batches.get_weights(),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)  # bit for bit
        assert not np.array_equal(a, c)  # two updates would show


def test_set_weights_checks_count_and_shapes():
    model = study_model()
    model.build(4)
    with pytest.raises(ValueError, match=r"Expected 4 weight arrays. Received: 3"):
        model.set_weights(model.get_weights()[:3])
    bad = model.get_weights()
    bad[2] = np.zeros((10, 128))
    with pytest.raises(
        ValueError, match=r"Weight 2 has shape \(10, 128\); .* \(128, 10\)"
    ):
        model.set_weights(bad)


def test_unknown_names_in_compile():
    model = Sequential([Dense(2)])
    with pytest.raises(ValueError, match=r"Unknown loss: 'mse'"):
        model.compile(loss="mse")
    with pytest.raises(ValueError, match=r"Keras optimizer 'adagrad' is not in minig"):
        model.compile(optimizer="adagrad")
    with pytest.raises(ValueError, match=r"Unknown metric: 'auc'"):
        model.compile(metrics=["auc"])


def test_predict_checks_width():
    model = study_model()
    model.build(4)
    with pytest.raises(
        ValueError, match=r"x has 5 features; the model was built for 4"
    ):
        model.predict(np.ones((1, 5)))


def test_train_on_batch_returns_the_batchs_logs_before_its_update(blobs):
    x, y = blobs[0][:32], blobs[1][:32]
    model = study_model(seed=4)
    before = model.evaluate(x, y, batch_size=32, verbose=0)
    weights = model.get_weights()
    loss, accuracy = model.train_on_batch(x, y)
    assert loss == pytest.approx(before[0], rel=1e-6)
    assert accuracy == before[1]
    assert model.optimizer.iterations == 1
    after = model.get_weights()
    assert all(not np.array_equal(a, b) for a, b in zip(after, weights, strict=True))
    logs = model.train_on_batch(x, y, return_dict=True)
    assert list(logs) == ["loss", "accuracy"]
    plain = Sequential([Dense(3, activation="softmax")], seed=0)
    plain.compile("sgd")
    assert isinstance(plain.train_on_batch(x, y % 3), float)  # no metric: the loss


def test_train_on_batch_class_weight_is_a_sample_weight_per_class(blobs):
    x, y = blobs[0][:32], blobs[1][:32]
    by_class, by_sample = study_model(seed=5), study_model(seed=5)
    class_weight = {c: 1.0 + c / 4 for c in range(10)}
    logs = by_class.train_on_batch(x, y, class_weight=class_weight)
    weights = np.array([class_weight[c] for c in y])
    assert logs == by_sample.train_on_batch(x, y, sample_weight=weights)
    for a, b in zip(by_class.get_weights(), by_sample.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="cannot be given together"):
        by_class.train_on_batch(x, y, sample_weight=weights, class_weight=class_weight)
    with pytest.raises(ValueError, match=r"shape \(32,\). Received: .*shape=\(31,\)"):
        by_class.train_on_batch(x, y, sample_weight=weights[:31])
    with pytest.raises(ValueError, match=r"finite and >= 0. Received"):
        by_class.train_on_batch(x, y, sample_weight=-weights)


def test_fit_is_train_on_batch_over_the_batches(blobs):
    x, y = blobs[0][:70], blobs[1][:70]
    fitted, stepped = study_model(seed=6), study_model(seed=6)
    fitted.fit(x, y, batch_size=32, shuffle=False, verbose=0)
    for start in (0, 32, 64):
        stepped.train_on_batch(x[start : start + 32], y[start : start + 32])
    for a, b in zip(fitted.get_weights(), stepped.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_layer_array_replaced_after_build_is_still_trained(blobs):
    # The optimizer updates one flat vector the layers' arrays are views of; an
    # array assigned to a layer afterwards must be trained all the same.
    x, y = blobs
    replaced, untouched = study_model(seed=7), study_model(seed=7)
    for model in (replaced, untouched):
        model.build(x.shape[1])
    replaced.layers[0].kernel = replaced.layers[0].kernel.copy()
    replaced.fit(x, y, epochs=2, verbose=0)
    untouched.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(replaced.get_weights(), untouched.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_compute_gradients_are_train_on_batchs_and_change_nothing(blobs):
    x, y = blobs[0][:32], blobs[1][:32]
    model = study_model(seed=2)
    model.fit(x, y, epochs=1, verbose=0)
    before, steps = model.get_weights(), model.optimizer.iterations
    gradients = model.compute_gradients(x, y)
    assert [g.shape for g in gradients] == [w.shape for w in before]
    for a, b in zip(model.get_weights(), before, strict=True):
        assert a.tobytes() == b.tobytes()
    assert model.optimizer.iterations == steps
    model.train_on_batch(x, y)  # leaves the same gradients in the layers
    left = [g for layer in model.layers for g in layer.gradients]
    for a, b in zip(gradients, left, strict=True):
        assert a.tobytes() == b.tobytes()


def test_get_config_and_from_config_rebuild_the_architecture():
    model = study_model(seed=0)
    model.build(264)
    config = model.get_config()
    assert config["input_dim"] == 264
    assert [layer["units"] for layer in config["layers"]] == [128, 10]
    copy = Sequential.from_config(config)
    assert copy.get_config() == config
    assert copy.count_params() == model.count_params() == 35_210


def test_metrics_as_a_plain_string_is_refused_in_one_line():
    model = Sequential([Dense(2)])
    with pytest.raises(
        TypeError,
        match=r"^metrics must be a list, e.g. metrics=\['accuracy'\]. "
        r"Received: metrics='accuracy'$",
    ):
        model.compile(metrics="accuracy")


def test_one_hot_categorical_training_is_sparse_training_to_the_bit():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(70, 8)).astype(np.float32)
    y = rng.integers(0, 4, size=70)
    histories, weights = [], []
    for loss, labels in (
        ("sparse_categorical_crossentropy", y),
        ("categorical_crossentropy", np.eye(4)[y]),
    ):
        model = Sequential(
            [Dense(6, activation="elu"), Dense(4, activation="softmax")], seed=2
        )
        model.compile(loss=loss, metrics=["accuracy"])
        histories.append(
            model.fit(x, labels, epochs=3, verbose=0, validation_split=0.2).history
        )
        weights.append(model.get_weights())
    assert histories[0] == histories[1]
    for a, b in zip(*weights, strict=True):
        assert np.array_equal(a, b)


def test_binary_model_reports_binary_accuracy_and_takes_1d_labels():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    from minigenre.optimizers import RMSprop

    model = Sequential(
        [Dense(8, activation="relu"), Dense(1, activation="sigmoid")], seed=0
    )
    model.compile(RMSprop(0.02), loss="binary_crossentropy", metrics=["accuracy"])
    logs = model.fit(x, y, epochs=30, verbose=0, class_weight={0: 1.0, 1: 2.0})
    assert logs.history["accuracy"][-1] > 0.8
    p = model.predict(x)
    expected = float(((p[:, 0] > 0.5) == y).mean())
    assert model.evaluate(x, y, verbose=0)[1] == pytest.approx(expected)


def test_labels_of_the_wrong_shape_for_the_loss_are_one_line():
    model = Sequential([Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy")
    with pytest.raises(
        ValueError,
        match=r"^categorical_crossentropy needs y of shape \(2, 3\), one column per "
        r"output \(to_categorical\(y\) makes one-hot labels\). "
        r"Received: y.shape=\(2,\)$",
    ):
        model.fit(np.zeros((2, 4)), np.array([0, 2]), verbose=0)
    model.compile(loss="binary_crossentropy")
    with pytest.raises(
        ValueError, match=r"needs y in \[0, 1\]. Received: 2.0 at row 1"
    ):
        model.fit(np.zeros((2, 4)), np.array([[0, 0, 1], [2, 0, 0]]), verbose=0)


def test_layers_get_and_set_their_own_weights_and_fit_keeps_history():
    from minigenre.layers import Dropout

    model = Sequential([Dense(3, activation="relu"), Dropout(0.5), Dense(2)], seed=0)
    model.compile(
        loss=SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"]
    )
    assert model.metrics_names == ["loss", "compile_metrics"]  # as Keras 3.15
    model.build(4)
    kernel, bias = model.layers[0].get_weights()
    assert (kernel.shape, bias.shape) == ((4, 3), (3,))
    assert model.layers[1].get_weights() == []
    model.layers[2].set_weights([np.ones((3, 2)), np.zeros(2)])
    assert np.array_equal(model.get_weights()[2], np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"^Weight 0 has shape \(2, 2\); the model ex"):
        model.layers[2].set_weights([np.ones((2, 2)), np.zeros(2)])
    x = np.ones((10, 4), np.float32)
    history = model.fit(x, np.zeros(10, int), epochs=2, verbose=0)
    assert model.history is history
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 1}
