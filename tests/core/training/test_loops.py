"""The loops of fit and evaluate: batches, running logs, callbacks, where it broke."""

import numpy as np
import pytest

from minigenre import Callback, Dense, Sequential
from minigenre.training.loops import Batches, RunningLogs


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
