"""One batch of ``fit``: the loop over an epoch's batches, and the step on each.

``run_epoch`` cuts the rows into mini-batches (``Batches``) and for each calls the
model's ``train_step``, a method of ``Sequential`` (``model.py``) inherited from
``TrainStep`` below, which runs, in order:

1. ``compute_loss``: each layer's ``forward`` (``layers/dense.py``, with its
   activation from ``activations/``), then the loss of every row (``losses/``);
2. ``backward``: the loss's gradient, then each layer's ``backward`` from the
   output to the input, which leaves every weight's gradient in the layer;
3. the optimizer's ``apply_gradients`` (``optimizers/adam.py`` for the study):
   one update of every weight.

Then the batch's loss and accuracy join the epoch's ``RunningLogs``. The epochs
around it, validation and the callbacks are in ``minigenre/training/loops.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray


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
        self.add_batches([(loss, len(y))], out, y, weight)

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


class TrainStep:
    """The one-batch methods of ``Sequential``: they use its ``layers``,
    ``loss``, ``optimizer`` and ``dtype``, and ``flat``, the flat vector of its
    weights (``model.py``)."""

    def compute_loss(
        self, x: NDArray, y: NDArray, sample_weight=None, training: bool = False
    ) -> tuple[NDArray, NDArray]:
        """Forward pass of one batch: (output (batch, units), each row's loss,
        times its weight (batch,)). ``training`` keeps what ``backward`` needs."""
        fused = self._fused()
        for layer in self.layers:
            last = layer is self.layers[-1]
            x = layer.forward(x, training=training, logits=fused and last)
        if fused:
            # x holds the logits: the softmax (or sigmoid) and its cross-entropy
            # share their work, and the loss comes from the logits, as in Keras.
            x, per_sample = self.loss.from_logits_output(y, x)
        else:
            per_sample = self.loss.per_sample(y, x)
        if sample_weight is not None:
            per_sample = per_sample * sample_weight
        return x, per_sample  # (batch, units), (batch,)

    def _fused(self) -> bool:
        """Whether the fused softmax + cross-entropy path applies (see ``losses``).

        It does for a softmax output feeding a categorical cross-entropy on
        probabilities (a sigmoid output feeding binary cross-entropy: the same
        idea). Both begin with ``exp(z - max)``: computing them together rather
        than the softmax, then the loss from the logits (the same bits) saved 10%
        of the CPU time of a 4-epoch fit of the study's network, measured side by
        side.
        """
        loss = self.loss
        return self.layers[-1].activation == loss.fuses_with and not loss.from_logits

    def backward(self, y: NDArray, out: NDArray, sample_weight=None) -> None:
        """Leaves dL/dweight in every layer's ``grad_kernel`` and ``grad_bias``,
        after ``compute_loss(..., training=True)`` gave ``out``."""
        fused = self._fused()
        if fused:
            grad = self.loss.logits_gradient(y, out, sample_weight)  # dL/dz
        else:
            grad = self.loss.gradient(y, out, sample_weight)  # dL/d(output)
        first, last = self.layers[0], self.layers[-1]
        for layer in reversed(self.layers):
            # (batch, layer's input width); none for the first layer, whose input
            # is the data.
            grad = layer.backward(
                grad, input_grad=layer is not first, logits=fused and layer is last
            )

    def train_step(self, x: NDArray, y: NDArray, sample_weight=None):
        """One gradient update on one batch: (its mean loss, its output).

        The loss and output are those of the forward pass before the update, as in
        Keras. ``x``, ``y`` and ``sample_weight`` as ``fit`` passes them: checked,
        of the model's dtype (``train_on_batch`` checks them for you).
        """
        out, per_sample = self.compute_loss(x, y, sample_weight, training=True)
        self.backward(y, out, sample_weight)
        # Keras divides the sum by the batch size; the same as .mean(), in 1/3 the time.
        loss = float(per_sample.sum() / len(per_sample))
        if not math.isfinite(loss):  # before the update: no step from garbage
            raise ValueError(
                f"Non-finite loss {loss}: lower the learning rate or check the inputs."
            )
        weights = self.flat.weights  # every kernel and bias, one vector
        self.optimizer.apply_gradients([weights], [self.flat.gradients])
        # An inf weight can hide behind a saturated ELU (elu(-inf) = -1) and keep
        # every later loss finite: check the weights themselves too.
        if not all_finite(weights):
            raise ValueError(
                "Non-finite weights after the update: lower the learning rate or "
                "check the inputs."
            )
        return loss, out

    def test_step(self, x: NDArray, y: NDArray, sample_weight=None):
        """The loss of checked rows without an update, as ``evaluate`` and
        validation run it: (output (rows, units), each row's weighted loss)."""
        return self.compute_loss(x, y, sample_weight)

    def predict_step(self, x: NDArray) -> NDArray:
        """The outputs (batch, units) for a checked batch (Keras's name)."""
        for layer in self.layers:
            x = layer.forward(x)
        return x


def all_finite(a: NDArray) -> bool:
    """Whether ``a`` has no NaN or inf; the fast path of ``squares_finite`` first.

    >>> all_finite(np.array([1e200, 0.0])), all_finite(np.array([np.inf]))
    (True, False)
    """
    if math.isfinite(np.vdot(a, a)):
        return True
    return math.isfinite(a.min()) and math.isfinite(a.max())
