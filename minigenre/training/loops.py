"""The loops of ``fit`` and ``evaluate``: epochs of mini-batches, logs, callbacks.

One epoch shuffles the rows, then for each mini-batch calls the model's
``train_step`` (forward, loss, backward, one optimizer update; ``train_step.py``) and
adds the batch to the epoch's running logs. After the epoch come validation, the
progress line and the callbacks, which may stop training.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from minigenre._speed import chunks, threads
from minigenre.callbacks import History
from minigenre.training.progress import ProgressBar, epoch_line


class Batches:
    """The training rows cut into mini-batches of ``batch_size`` (the last smaller).

    Args:
        x: Features, (n, features).
        y: Integer labels, (n,).
        sample_weight: Each row's weight (n,), or None.
        batch_size: Rows per batch.
    """

    def __init__(self, x, y, sample_weight, batch_size: int) -> None:
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.batch_size = batch_size
        self.steps = math.ceil(len(x) / batch_size)

    def epoch(self, rng: np.random.Generator | None) -> Iterator[tuple]:
        """Yields ``(x, y, sample_weight)`` per batch, rows shuffled by ``rng``."""
        n = len(self.x)
        order = np.arange(n) if rng is None else rng.permutation(n)
        for step in range(self.steps):
            idx = order[step * self.batch_size : (step + 1) * self.batch_size]
            weight = None if self.sample_weight is None else self.sample_weight[idx]
            yield self.x[idx], self.y[idx], weight  # (batch, features), (batch,)


class RunningLogs:
    """Running ``loss`` and metrics over batches, as Keras's metrics keep them.

    ``loss`` is the batch-size-weighted mean of the batch losses (each already
    ``sum(w * loss) / batch_size``). A metric in ``metrics`` counts every row
    alike; one in ``weighted_metrics`` is ``sum(w * value) / sum(w)``, as in
    Keras 3. An epoch's logs run over its batches; ``train_on_batch``'s over its
    one batch. The metrics are the model's ``compiled_metrics``.
    """

    def __init__(self, model) -> None:
        self.metrics = model.compiled_metrics  # [(log name, function, weighted?)]
        self.loss_sum = 0.0
        self.rows = 0
        self.totals = {name: [0.0, 0.0] for name, _, _ in self.metrics}

    def add(self, loss: float, out: NDArray, y: NDArray, weight: NDArray | None):
        """Adds one batch: its loss, output (batch, classes), labels, weights."""
        self.loss_sum += loss * len(y)
        self.rows += len(y)
        self._count_hits(out, y, weight)

    def add_batches(self, losses: list[tuple[float, int]], out, y, weight) -> None:
        """Adds consecutive batches: ``(loss, rows)`` of each, then their outputs
        (rows, classes), labels and weights together."""
        for loss, rows in losses:
            self.loss_sum += loss * rows
            self.rows += rows
        self._count_hits(out, y, weight)

    def _count_hits(self, out, y, weight) -> None:
        values = {}  # each function once per batch, however many names use it
        for name, function, weighted in self.metrics:
            if function not in values:
                values[function] = function(y, out)  # (batch,)
            hits, total = values[function], self.totals[name]
            if weighted and weight is not None:
                total[0] += float((hits * weight).sum())
                total[1] += float(weight.sum())
            else:
                total[0] += np.count_nonzero(hits) if hits.dtype == bool else hits.sum()
                total[1] += len(y)

    def result(self) -> dict[str, float]:
        logs = {"loss": self.loss_sum / self.rows}
        for name, (hits, count) in self.totals.items():
            logs[name] = float(hits / count) if count else 0.0  # Keras: divide_no_nan
        return logs


def fit_loop(
    model, batches, epochs, verbose, validation, rng, callbacks, initial_epoch=0
) -> History:
    """Trains ``model`` from ``initial_epoch`` up to ``epochs``; returns the History.

    ``rng`` shuffles the rows every epoch; None keeps their order. ``validation``
    is ``(x_val, y_val, sample_weight or None)`` or None.
    """
    history = callbacks[0]
    for callback in callbacks:
        callback.model = model
    model.stop_training = False
    for callback in callbacks:
        callback.on_train_begin()
    for epoch in range(initial_epoch, epochs):
        if verbose and epochs > 1:  # Keras 3 names the epoch only if there are two
            print(f"Epoch {epoch + 1}/{epochs}")
        bar = ProgressBar(batches.steps) if verbose == 1 else None
        start = time.perf_counter()
        logs = run_epoch(model, batches, rng, epoch, bar)
        if validation is not None:
            x_val, y_val, weight = validation
            parts = chunks.for_layers(
                model.layers, len(x_val), batches.batch_size, model.dtype
            )
            with threads.for_layers(model.layers, parts[0].stop):
                val = evaluate_loop(
                    model, x_val, y_val, weight, batches.batch_size, parts
                )
            logs.update({f"val_{key}": value for key, value in val.items()})
        if bar is not None:
            bar.update(batches.steps, logs, final=True)
        elif verbose == 2:
            print(epoch_line(batches.steps, time.perf_counter() - start, logs))
        for callback in callbacks:
            callback.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    for callback in callbacks:
        callback.on_train_end()
    return history


def run_epoch(model, batches: Batches, rng, epoch: int, bar) -> dict[str, float]:
    """One pass over the batches, one update each: returns the epoch's logs."""
    logs = RunningLogs(model)
    for step, (x, y, weight) in enumerate(batches.epoch(rng)):
        try:
            loss, out = model.train_function(x, y, weight)
        except ValueError as err:  # say where: "... at epoch 1, batch 3: ..."
            head, _, tail = str(err).partition(": ")
            where = f" at epoch {epoch + 1}, batch {step + 1}"
            raise ValueError(f"{head}{where}: {tail}") from None
        logs.add(loss, out, y, weight)
        if bar is not None and step + 1 < batches.steps:
            bar.update(step + 1, logs.result())
    return logs.result()


def evaluate_loop(
    model, x, y, weight, batch_size: int, parts: list[slice]
) -> dict[str, float]:
    """The loss and metrics over ``x`` in batches, no update, as Keras's evaluate.

    Each batch's loss is ``sum(w * loss) / batch_size``; the result is their
    batch-size-weighted mean. The rows are computed a chunk of whole batches at a
    time (``parts``), with the bits of batch-by-batch (see ``_speed/chunks.py``).
    """
    logs = RunningLogs(model)
    for rows in parts:
        w = None if weight is None else weight[rows]
        out, per_sample = model.test_step(x[rows], y[rows], w)  # (rows, classes)
        logs.add_batches(chunks.batch_means(per_sample, batch_size), out, y[rows], w)
    return logs.result()
