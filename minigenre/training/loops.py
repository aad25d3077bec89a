"""The loop of ``Sequential.fit``: epochs of mini-batches, their logs and callbacks.

One epoch shuffles the rows, then for each mini-batch calls the model's training step
(forward, loss, backward, one optimizer update: ``Sequential._train_step``) and adds
the batch to the epoch's running logs. After the epoch come validation, the progress
line and the callbacks, which may stop training.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray

from minigenre import _chunks
from minigenre._checks import check_features, check_labels
from minigenre._threads import blas_threads
from minigenre.callbacks import History
from minigenre.progress import ProgressBar, epoch_line
from minigenre.weighting import (
    balanced_class_weight,
    check_class_weight,
    check_sample_weight,
    sample_weights_from_classes,
)


def check_validation_data(model, validation_data) -> tuple:
    """``(x_val, y_val, sample_weight or None)``, checked before the first epoch.

    Keras accepts ``(x_val, y_val)`` or ``(x_val, y_val, val_sample_weight)``.
    """
    is_tuple = isinstance(validation_data, tuple | list)
    if not is_tuple or len(validation_data) not in (2, 3):
        length = getattr(validation_data, "__len__", None)
        raise ValueError(
            "validation_data must be a tuple (x_val, y_val) or (x_val, y_val, "
            f"val_sample_weight). Received: {type(validation_data).__name__}"
            f"{f' of length {length()}' if length else ''}"
        )
    x_val = check_features(validation_data[0], "validation_data's x", model.dtype)
    if x_val.shape[1] != model.input_dim:
        raise ValueError(
            f"validation_data's x has {x_val.shape[1]} features; the model was "
            f"built for {model.input_dim}. Received: x.shape={x_val.shape}"
        )
    if len(x_val) == 0:
        raise ValueError("validation_data's x has no rows.")
    y_val = check_labels(
        validation_data[1], "validation_data's y", model.layers[-1].units, len(x_val)
    )
    weight = None
    if len(validation_data) == 3 and validation_data[2] is not None:
        weight = check_sample_weight(validation_data[2], len(x_val), model.dtype)
    return x_val, y_val, weight


def split_validation(x, y, weight, validation_split: float):
    """``(x, y, weight, validation)``: Keras holds out the *last* rows, unshuffled."""
    if (
        isinstance(validation_split, bool)
        or not isinstance(validation_split, int | float)
        or not 0 <= validation_split < 1
    ):
        raise ValueError(
            f"validation_split must be in [0, 1). Received: {validation_split!r}"
        )
    if not validation_split:
        return x, y, weight, None
    split_at = math.floor(len(x) * (1 - validation_split))
    if split_at in (0, len(x)):
        side = "training" if split_at == 0 else "validation"
        raise ValueError(
            f"validation_split={validation_split} leaves no rows for {side} "
            f"(of {len(x)} rows)."
        )
    rest = None if weight is None else weight[split_at:]
    validation = (x[split_at:], y[split_at:], rest)
    weight = None if weight is None else weight[:split_at]
    return x[:split_at], y[:split_at], weight, validation


def sample_weights(
    model, y: NDArray, sample_weight: ArrayLike | None, class_weight
) -> NDArray | None:
    """Each row's weight (n,), from ``sample_weight`` or from its class; or None.

    ``class_weight`` is Keras's ``{class: weight}`` (a class left out weighs 1.0)
    or ``"balanced"`` (``weighting.balanced_class_weight`` of ``y``); the two
    cannot be given together, as in Keras.
    """
    if sample_weight is not None and class_weight is not None:
        raise ValueError(
            "sample_weight and class_weight cannot be given together (as in Keras): "
            f"give one. Received: class_weight={class_weight!r}"
        )
    if sample_weight is not None:
        return check_sample_weight(sample_weight, len(y), model.dtype)
    if class_weight is None:
        return None
    if isinstance(class_weight, str) and class_weight == "balanced":
        class_weight = balanced_class_weight(y)
    table = check_class_weight(class_weight, model.layers[-1].units)
    return sample_weights_from_classes(y, table, model.dtype)


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


def metric_names(metrics: list[str], weighted_metrics: list[str]) -> list[tuple]:
    """``[(log name, weighted?)]``: Keras names a weighted metric that repeats an
    unweighted one ``weighted_<name>``."""
    names = [(name, False) for name in metrics]
    for name in weighted_metrics:
        names.append((f"weighted_{name}" if name in metrics else name, True))
    return names


class RunningLogs:
    """Running ``loss`` and accuracies over batches, as Keras's metrics keep them.

    ``loss`` is the batch-size-weighted mean of the batch losses (each already
    ``sum(w * loss) / batch_size``). An accuracy in ``metrics`` counts every row
    alike; one in ``weighted_metrics`` is ``sum(w * hit) / sum(w)``, as in Keras 3.
    An epoch's logs run over its batches; ``train_on_batch``'s over its one batch.
    """

    def __init__(self, model) -> None:
        self.names = metric_names(model.metrics, model.weighted_metrics)
        self.loss_sum = 0.0
        self.rows = 0
        self.totals = {name: [0.0, 0.0] for name, _ in self.names}  # [hits, count]

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
        if not self.names:
            return  # no metric: no argmax either
        hits = out.argmax(axis=1) == y  # (batch,)
        for name, weighted in self.names:
            total = self.totals[name]
            if weighted and weight is not None:
                total[0] += float((hits * weight).sum())
                total[1] += float(weight.sum())
            else:
                total[0] += np.count_nonzero(hits)
                total[1] += len(y)

    def result(self) -> dict[str, float]:
        logs = {"loss": self.loss_sum / self.rows}
        for name, (hits, count) in self.totals.items():
            logs[name] = hits / count if count else 0.0  # Keras: divide_no_nan
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
        if verbose:
            print(f"Epoch {epoch + 1}/{epochs}")
        bar = ProgressBar(batches.steps) if verbose == 1 else None
        start = time.perf_counter()
        logs = run_epoch(model, batches, rng, epoch, bar)
        if validation is not None:
            x_val, y_val, weight = validation
            chunks = model._chunks(len(x_val), batches.batch_size)
            with blas_threads(model._largest_product(chunks[0].stop)):
                val = evaluate_loop(
                    model, x_val, y_val, weight, batches.batch_size, chunks
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
        where = f" at epoch {epoch + 1}, batch {step + 1}"
        loss, out = model._train_step(x, y, weight, where)
        logs.add(loss, out, y, weight)
        if bar is not None and step + 1 < batches.steps:
            bar.update(step + 1, logs.result())
    return logs.result()


def evaluate_loop(
    model, x, y, weight, batch_size: int, chunks: list[slice]
) -> dict[str, float]:
    """The loss and metrics over ``x`` in batches, no update, as Keras's evaluate.

    Each batch's loss is ``sum(w * loss) / batch_size``; the result is their
    batch-size-weighted mean. The rows are computed a chunk of whole batches at a
    time, with the bits of batch-by-batch (see ``_chunks``).
    """
    logs = RunningLogs(model)
    for rows in chunks:
        w = None if weight is None else weight[rows]
        out, per_sample = model._forward_loss(x[rows], y[rows], w)  # (rows, classes)
        logs.add_batches(_chunks.batch_means(per_sample, batch_size), out, y[rows], w)
    return logs.result()
