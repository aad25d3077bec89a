"""Callbacks: the History every fit returns, and EarlyStopping."""

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
    with pytest.raises(ValueError, match=r"patience must be >= 0. Received: -1"):
        EarlyStopping(patience=-1)
    assert EarlyStopping(monitor="val_accuracy").mode == "max"
    assert EarlyStopping(monitor="val_loss").mode == "min"
    stopper = EarlyStopping(monitor="val_loss")
    stopper.on_train_begin()
    with pytest.warns(UserWarning, match=r"'val_loss' is not in the logs"):
        stopper.on_epoch_end(0, {"loss": 1.0})
