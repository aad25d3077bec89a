"""The loops of ``fit`` and ``evaluate``: epochs, validation, logs, callbacks.

Each epoch of ``fit`` is ``train_step.run_epoch``: the rows shuffled, then for each
mini-batch the model's ``train_step`` (forward, loss, backward, one optimizer
update), its loss and accuracy added to the epoch's running logs. After the epoch
come validation, the progress line and the callbacks, which may stop training.
"""

from __future__ import annotations

import time

from minigenre._speed import chunks
from minigenre.callbacks import History
from minigenre.train_step import RunningLogs, run_epoch
from minigenre.training.progress import ProgressBar, epoch_line


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
            size = batches.batch_size
            with chunks.plan(model.layers, len(x_val), size, model.dtype) as parts:
                val = evaluate_loop(model, x_val, y_val, weight, size, parts)
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
