"""The loop of ``Sequential.fit``: epochs of mini-batches, their logs and callbacks.

One epoch shuffles the rows, then for each mini-batch calls the model's training step
(forward, loss, backward, one optimizer update: ``Sequential._train_step``) and adds
the batch to the epoch's running logs. After the epoch come validation, the progress
line and the callbacks, which may stop training.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray

from minigenre import _chunks
from minigenre.callbacks import Callback, History
from minigenre.progress import ProgressBar


def split_validation(
    x: NDArray,
    y: NDArray,
    validation_split: float,
    validation_data: tuple[ArrayLike, ArrayLike] | None,
) -> tuple[NDArray, NDArray, tuple | None]:
    """``(x, y, (x_val, y_val) or None)``: Keras holds out the *last* rows.

    ``validation_data`` wins over ``validation_split``, as in Keras; the split is
    taken before any shuffling.
    """
    if validation_data is not None:
        return x, y, tuple(validation_data)
    if not validation_split:
        return x, y, None
    if not 0 < validation_split < 1:
        raise ValueError(
            f"validation_split must be in [0, 1). Received: {validation_split}"
        )
    split_at = math.floor(len(x) * (1 - validation_split))
    if split_at == 0:
        raise ValueError(f"validation_split={validation_split} leaves no rows.")
    return x[:split_at], y[:split_at], (x[split_at:], y[split_at:])


def sample_weights(
    model, y: NDArray, sample_weight: ArrayLike | None, class_weight: dict | None
) -> NDArray | None:
    """Each row's weight (n,), from ``sample_weight`` or from its class; or None.

    ``class_weight`` maps a class to the weight of its rows' losses (and accuracy),
    as in Keras; the two cannot be given together.
    """
    if sample_weight is not None and class_weight is not None:
        raise ValueError(
            "sample_weight and class_weight cannot be given together. "
            f"Received: sample_weight={sample_weight}, class_weight={class_weight}"
        )
    if sample_weight is not None:
        weight = np.asarray(sample_weight)
        if weight.shape != y.shape or weight.dtype.kind not in "iuf":
            raise ValueError(
                f"sample_weight must hold one number per row, shape {y.shape}. "
                f"Received: sample_weight.shape={weight.shape}, dtype={weight.dtype}"
            )
        weight = weight.astype(model.dtype)
        if not (np.isfinite(weight).all() and (weight >= 0).all()):
            raise ValueError(
                f"sample_weight must be finite and >= 0. Received: {sample_weight}"
            )
        return weight
    if class_weight is None:
        return None
    n_classes = model.layers[-1].units
    table = np.ones(n_classes, dtype=model.dtype)  # (classes,)
    for label, weight in class_weight.items():
        if not 0 <= int(label) < n_classes:
            raise ValueError(f"class_weight has a class outside the outputs: {label}")
        table[int(label)] = weight
    return table[y]  # (n,)


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
    """Running ``loss`` and ``accuracy`` over batches, as Keras's metrics keep them.

    ``loss`` is the batch-size-weighted mean of the batch losses; ``accuracy`` the
    share of correct predictions, each weighted by its sample weight if any. An
    epoch's logs run over its batches; ``train_on_batch``'s over its one batch.
    """

    def __init__(self, accuracy: bool) -> None:
        self.accuracy = accuracy
        self.loss_sum = self.correct = self.count = 0.0
        self.rows = 0

    def add(self, loss: float, out: NDArray, y: NDArray, weight: NDArray | None):
        """Adds one batch: its mean loss, output (batch, classes), labels, weights."""
        self.loss_sum += loss * len(y)
        self.rows += len(y)
        hits = out.argmax(axis=1) == y  # (batch,)
        if weight is None:
            self.correct += np.count_nonzero(hits)
            self.count += len(y)
        else:
            self.correct += float((hits * weight).sum())
            self.count += float(weight.sum())

    def result(self) -> dict[str, float]:
        logs = {"loss": self.loss_sum / self.rows}
        if self.accuracy:
            logs["accuracy"] = self.correct / self.count
        return logs


def fit_loop(
    model,
    batches: Batches,
    epochs: int,
    verbose: int,
    validation: tuple | None,
    rng: np.random.Generator | None,
    callbacks: list[Callback],
) -> History:
    """Trains ``model`` for ``epochs`` epochs; returns the first callback, a History.

    ``rng`` shuffles the rows every epoch; None keeps their order.
    """
    history = callbacks[0]
    for callback in callbacks:
        callback.model = model
    model.stop_training = False
    for callback in callbacks:
        callback.on_train_begin()
    for epoch in range(epochs):
        if verbose:
            print(f"Epoch {epoch + 1}/{epochs}")
        bar = ProgressBar(batches.steps) if verbose else None
        logs = run_epoch(model, batches, rng, epoch, bar)
        if validation is not None:
            x_val, y_val = validation
            val = model.evaluate(x_val, y_val, batch_size=batches.batch_size, verbose=0)
            logs.update(zip(["val_loss", "val_accuracy"], val, strict=False))
        if bar is not None:
            bar.update(batches.steps, logs, final=True)
        for callback in callbacks:
            callback.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    for callback in callbacks:
        callback.on_train_end()
    return history


def run_epoch(model, batches: Batches, rng, epoch: int, bar) -> dict[str, float]:
    """One pass over the batches, one update each: returns the epoch's logs."""
    logs = RunningLogs(accuracy="accuracy" in model.metrics)
    for step, (x, y, weight) in enumerate(batches.epoch(rng)):
        where = f" at epoch {epoch + 1}, batch {step + 1}"
        loss, out = model._train_step(x, y, weight, where)
        logs.add(loss, out, y, weight)
        if bar is not None and step + 1 < batches.steps:
            bar.update(step + 1, logs.result())
    return logs.result()


def evaluate_loop(
    model, x, y, batch_size: int, chunks: list[slice], verbose: int
) -> list[float]:
    """``[loss, accuracy]`` (or ``[loss]``) over ``x`` in batches, no update.

    The loss is the batch-size-weighted mean of the batch losses, as in Keras. The
    rows are computed a chunk of whole batches at a time (see ``_chunks``).
    """
    steps = math.ceil(len(x) / batch_size)
    bar = ProgressBar(steps) if verbose else None  # its clock starts now
    loss_sum = correct = 0.0
    for rows in chunks:
        out, per_sample = model._forward_loss(x[rows], y[rows], None)  # (rows, ...)
        for mean, size in _chunks.batch_means(per_sample, batch_size):
            loss_sum += mean * size
        correct += float((out.argmax(axis=1) == y[rows]).sum())
    result = [loss_sum / len(x)]
    if "accuracy" in model.metrics:
        result.append(correct / len(x))
    if bar is not None:
        bar.update(steps, dict(zip(["loss", "accuracy"], result, strict=False)), True)
    return result
