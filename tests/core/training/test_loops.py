"""The loops of fit and evaluate: epochs, callbacks, where it broke."""

import numpy as np
import pytest

from minigenre import Callback, Dense, Sequential


def study_like(seed=0):
    model = Sequential(
        [Dense(4, activation="elu"), Dense(3, activation="softmax")], seed=seed
    )
    model.compile("adam")
    return model


class StopAfter(Callback):
    def __init__(self, epochs):
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epochs:
            self.model.stop_training = True


def test_a_callback_stops_training_after_its_epoch():
    x = np.random.default_rng(0).standard_normal((12, 2))
    history = study_like().fit(
        x, np.arange(12) % 3, epochs=10, verbose=0, callbacks=[StopAfter(3)]
    )
    assert history.epoch == [0, 1, 2]


def test_a_failing_step_is_reported_at_its_epoch_and_batch():
    x = np.random.default_rng(0).standard_normal((12, 2))
    model = study_like()
    model.fit(x, np.arange(12) % 3, epochs=1, verbose=0)
    x[7, 0] = 1e30  # a batch whose loss overflows float32
    with pytest.raises(
        ValueError, match=r"\(its square overflows\) at epoch 1, batch 2: lower the"
    ):
        model.fit(
            x, np.arange(12) % 3, epochs=1, batch_size=4, shuffle=False, verbose=0
        )
