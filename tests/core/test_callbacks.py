"""Callbacks: the History every fit returns, and EarlyStopping."""

import re

import numpy as np
import pytest

from minigenre import EarlyStopping, History
from minigenre.study.network import study_model


def test_early_stopping_stops_and_restores_best_weights(blobs):
    x, y = blobs
    model = study_model(seed=0, learning_rate=0.5)  # overshoots
    best = {}

    class Spy(EarlyStopping):
        def on_epoch_end(self, epoch, logs=None):
            super().on_epoch_end(epoch, logs)
            if self.best_epoch == epoch:
                best["weights"], best["epoch"] = self.model.get_weights(), epoch

    stopper = Spy(monitor="val_loss", patience=1, restore_best_weights=True)
    history = model.fit(
        x[:150],
        y[:150],
        epochs=30,
        verbose=0,
        validation_data=(x[150:], y[150:]),
        callbacks=[stopper],
    )
    epochs_run = len(history.history["loss"])
    assert epochs_run < 30
    assert stopper.stopped_epoch == epochs_run - 1
    assert (
        stopper.best_epoch
        == best["epoch"]
        == int(np.argmin(history.history["val_loss"]))
    )
    for a, b in zip(model.get_weights(), best["weights"], strict=True):
        np.testing.assert_array_equal(a, b)


def test_history_records_each_epochs_logs():
    history = History()
    history.on_epoch_end(0, {"loss": 2.0, "accuracy": 0.5})
    history.on_epoch_end(1, {"loss": 1.5, "accuracy": 0.75})
    assert history.epoch == [0, 1]
    assert history.history == {"loss": [2.0, 1.5], "accuracy": [0.5, 0.75]}
    assert repr(history) == "History(epochs=2, keys=['loss', 'accuracy'])"


def test_early_stopping_checks_its_arguments_and_warns_on_a_missing_metric():
    with pytest.raises(ValueError, match=r"mode must be .* Received: 'up'"):
        EarlyStopping(mode="up")
    with pytest.raises(
        ValueError, match=r"^patience must be >= 0\. Received: patience=-1$"
    ):
        EarlyStopping(patience=-1)
    assert EarlyStopping(monitor="val_accuracy").mode == "max"
    assert EarlyStopping(monitor="val_loss").mode == "min"
    stopper = EarlyStopping(monitor="val_loss")
    stopper.on_train_begin()
    with pytest.warns(UserWarning, match=r"'val_loss' is not in the logs"):
        stopper.on_epoch_end(0, {"loss": 1.0})


@pytest.mark.parametrize(
    ("settings", "error", "message"),
    [
        ({"monitor": 3}, ValueError, "monitor must be a log key such as 'val_loss'"),
        ({"mode": np.array(["min", "max"])}, ValueError, "mode must be 'auto', 'min'"),
        ({"patience": "2"}, TypeError, "patience must be an integer. Received: pat"),
        ({"patience": 2.5}, TypeError, "patience must be an integer. Received: pat"),
        ({"min_delta": "0.1"}, ValueError, "min_delta must be a finite number. Rec"),
        ({"min_delta": float("nan")}, ValueError, "min_delta must be a finite numb"),
    ],
)
def test_early_stopping_refuses_a_bad_argument_in_one_line(settings, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}"):
        EarlyStopping(**settings)


def test_early_stopping_takes_numpy_numbers():
    stopping = EarlyStopping(patience=np.int64(2), min_delta=np.float32(-0.5))
    assert (stopping.patience, stopping.min_delta) == (2, 0.5)
    assert type(stopping.patience) is int


# -- ModelCheckpoint -------------------------------------------------------------


def checkpoint_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(int)


def small_model():
    from minigenre import Dense, Sequential

    model = Sequential([Dense(5, activation="relu"), Dense(2, activation="softmax")])
    model.compile(metrics=["accuracy"])
    return model


def test_checkpoint_saves_every_epoch_with_the_logs_in_its_name(tmp_path):
    from minigenre import load_model
    from minigenre.callbacks import ModelCheckpoint

    x, y = checkpoint_data()
    model = small_model()
    path = str(tmp_path / "m-{epoch:02d}-{loss:.2f}.keras")
    history = model.fit(x, y, epochs=2, verbose=0, callbacks=[ModelCheckpoint(path)])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        f"m-01-{history.history['loss'][0]:.2f}.keras",
        f"m-02-{history.history['loss'][1]:.2f}.keras",
    ]
    last = load_model(tmp_path / names[1])
    np.testing.assert_array_equal(last.predict(x), model.predict(x))


def test_checkpoint_save_best_only_keeps_the_best_epochs_weights(tmp_path):
    from minigenre.callbacks import ModelCheckpoint

    x, y = checkpoint_data()
    model = small_model()
    checkpoint = ModelCheckpoint(
        tmp_path / "best.weights.h5", save_best_only=True, save_weights_only=True
    )
    model.fit(x, y, epochs=6, verbose=0, validation_split=0.3, callbacks=[checkpoint])
    best = min(model.history.history["val_loss"])
    assert checkpoint.best == best
    restored = small_model()
    restored.build(4)
    restored.load_weights(tmp_path / "best.weights.h5")
    assert restored.evaluate(x[42:], y[42:], verbose=0)[0] == pytest.approx(best)


def test_checkpoint_refuses_a_path_it_cannot_write_in_one_line(tmp_path):
    from minigenre.callbacks import ModelCheckpoint

    with pytest.raises(
        ValueError,
        match=r"^The filepath must end in .weights.h5 or .npz "
        r"\(save_weights_only=True\)",
    ):
        ModelCheckpoint(tmp_path / "w.h5", save_weights_only=True)
    with pytest.raises(ValueError, match=r"must end in .keras or .npz"):
        ModelCheckpoint(tmp_path / "m.h5")
