"""One training step on one batch: forward with the loss, backward, one update.

``Sequential`` (``model.py``) inherits these methods; they are the whole of what
one batch of ``fit`` asks of the network. ``train_step`` runs, in order:

1. ``compute_loss``: each layer's ``forward`` (``layers/dense.py``, with its
   activation from ``activations.py``), then the loss of every row
   (``losses/``);
2. ``backward``: the loss's gradient, then each layer's ``backward`` from the
   output to the input, which leaves every weight's gradient in the layer;
3. the optimizer's ``apply_gradients`` (``optimizers/adam.py`` for the study):
   one update of every weight.

The loops around the step (``fit``, ``evaluate``, ``predict``) are in
``minigenre/training/``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from minigenre._speed import jit, step_compiled
from minigenre._speed.flat import flat_parameters


class TrainStep:
    """The one-batch methods of ``Sequential``: they use its ``layers``,
    ``loss``, ``optimizer`` and ``dtype``, and the flat vector of its weights."""

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
        weights = self._flat.weights  # every kernel and bias, one vector
        self.optimizer.apply_gradients([weights], [self._flat.gradients])
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

    def make_train_function(self, steps: int) -> None:
        """Readies ``train_step`` for ``steps`` steps (``fit`` and
        ``train_on_batch`` call it first; Keras's name): gathers the weights into
        one flat vector again if a layer's arrays were replaced, and lets the
        optimizer choose its update once (see ``minigenre/_speed/jit.py``).

        ``train_function`` is the step ``fit`` runs: ``train_step``, or with
        ``jit_compile`` the same step with its elementwise work compiled, chosen
        only if it gives ``train_step``'s bits (``_speed/step_compiled.py``)."""
        self._flat = flat_parameters(self.layers, self.dtype, self._flat)
        jit.choose_for_fit(self.optimizer, [self._flat.weights], steps)
        compiled = step_compiled.choose(self, self._flat)
        self.train_function = compiled or self.train_step

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
