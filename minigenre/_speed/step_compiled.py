"""The study's training step with its elementwise work compiled (``jit_compile``).

``train_step.py`` is the reference. This is the same step for a stack of ``Dense``
layers, ELU inside and softmax with sparse categorical cross-entropy at the end
(the study's network): the matrix products stay NumPy's (BLAS), into buffers kept
from step to step; the elementwise work between them runs as the fused loops of
``step_kernels.py``, NumPy's ``exp``, ``expm1`` and ``log`` between them. Same
operations, same order, same dtype: the same bits, which ``agrees`` checks on a
probe batch before the step is used (so a learner's edit of the readable layers
trains as edited) and ``tests/core/speed/test_step_compiled.py`` checks over fits.

Anything else takes the readable step: other layers or activations, other losses,
``from_logits``, no bias, sample or class weights (per call).
"""

from __future__ import annotations

import math

import numpy as np

from minigenre._speed import adam_fused, jit


def choose(model, flat, all_finite):
    """The step ``fit`` runs for ``model`` with its weights in ``flat``: a
    ``CompiledStep`` when ``jit_compile`` allows compiled code now (``True``, or
    ``"auto"`` once its rent is paid, ``jit.py``), the model is supported and the
    probe agrees; else None (``train_step`` runs). ``all_finite`` is the readable
    step's check of the weights after the update."""
    if not (jit.may_compile(model.jit_compile) and supports(model)):
        return None
    try:
        from minigenre._speed import step_kernels
    except Exception:  # numba cannot load it: the readable step, as "auto" does
        return None
    step = CompiledStep(model, flat, step_kernels)
    if not agrees(model, step):
        return None
    step.adam = adam_fused.update(
        model.optimizer, flat.weights, flat.gradients, all_finite
    )
    return step


def supports(model) -> bool:
    """Whether the compiled step can stand for ``model.train_step``."""
    return (
        model.loss.name == "sparse_categorical_crossentropy"
        and not model.loss.from_logits
        and supports_network(model)
    )


def supports_network(model) -> bool:
    """Whether ``model``'s layers are the study's kind, which the compiled step and
    ``predict_compiled.py``'s pass take: ``Dense`` layers with bias, ELU inside,
    softmax at the end, C-contiguous weights."""
    layers = model.layers
    return (
        all(type(layer).__name__ == "Dense" and layer.bias is not None
            for layer in layers)
        and all(layer.activation == "elu" for layer in layers[:-1])
        and layers[-1].activation == "softmax"
        and all(w.flags.c_contiguous for layer in layers for w in layer.weights)
    )  # fmt: skip


def probe_rows(model) -> np.ndarray:
    """The probes' 33 rows (33: a lone row past a batch of 32), (33, inputs) in the
    model's dtype: large, small and negative values, the same every time."""
    rng = np.random.default_rng(0)
    return rng.standard_normal((33, model.input_dim)).astype(model.dtype) * 3


class CompiledStep:
    """``train_step(x, y, sample_weight)`` of ``model``, compiled (see above)."""

    def __init__(self, model, flat, kernels) -> None:
        self.model, self.flat, self.k = model, flat, kernels
        self.buffers: dict[int, list] = {}  # rows -> the step's arrays
        # () -> bool: apply_gradients, then whether every new weight is finite
        # (adam_fused.py: the check folded into the compiled update where it agrees)
        self.adam = None

    def _buffers(self, rows: int) -> list:
        if rows not in self.buffers:
            dtype = self.model.dtype
            shapes = [(rows, layer.units) for layer in self.model.layers]
            self.buffers[rows] = [
                [np.empty(s, dtype) for _ in range(3)] for s in shapes
            ] + [[np.empty(rows, dtype) for _ in range(2)]]
        return self.buffers[rows]

    def forward_backward(self, x, y):
        """Leaves every weight's gradient in the layers; returns (probabilities,
        each row's loss), both buffers the next step overwrites."""
        layers, k = self.model.layers, self.k
        bufs = self._buffers(len(x))
        inputs = [x]
        for layer, (z, low, a) in zip(layers[:-1], bufs, strict=False):
            np.matmul(inputs[-1], layer.kernel, out=z)  # (batch, units)
            k.bias_low(z, layer.bias, low)
            np.expm1(low, out=low)
            k.elu_join(z, low, a)
            inputs.append(a)
        logits, shifted, probs = bufs[len(layers) - 1]
        totals, picked = bufs[-1]
        last = layers[-1]
        np.matmul(inputs[-1], last.kernel, out=logits)  # (batch, classes)
        k.shift_rows(logits, last.bias, y, shifted, picked)
        np.exp(shifted, out=shifted)
        grad = logits  # the logits are used up: dL/dlogits goes there
        k.softmax_rows(shifted, y, probs, grad, totals, last.grad_bias)
        np.log(totals, out=totals)
        loss = np.subtract(totals, picked, out=totals)  # (batch,)
        for i in range(len(layers) - 1, -1, -1):
            layer = layers[i]
            np.matmul(inputs[i].T, grad, out=layer.grad_kernel)  # (in, units)
            if i == 0:
                break
            below = bufs[i - 1][1]  # its low is used up: dL/da goes there
            np.matmul(grad, layer.kernel.T, out=below)  # (batch, in)
            k.elu_backward(below, inputs[i], layers[i - 1].grad_bias)
            grad = below
        return probs, loss

    def __call__(self, x, y, sample_weight=None):
        """As ``train_step``: (the batch's mean loss, its output)."""
        model = self.model
        if sample_weight is not None:
            return model.train_step(x, y, sample_weight)
        out, per_sample = self.forward_backward(x, y)
        loss = float(per_sample.sum() / len(per_sample))
        if not math.isfinite(loss):
            raise ValueError(
                f"Non-finite loss {loss}: lower the learning rate or check the inputs."
            )
        # train_step's check too: an inf weight can hide behind a saturated ELU.
        if not self.adam():
            raise ValueError(
                "Non-finite weights after the update: lower the learning rate or "
                "check the inputs."
            )
        return loss, out


def agrees(model, step: CompiledStep) -> bool:
    """Whether the compiled forward and backward give the readable ones' bits
    (outputs, losses, every gradient) on a probe batch of 33 rows."""
    x = probe_rows(model)
    y = np.arange(33) % model.layers[-1].units
    with np.errstate(all="ignore"):
        out, per_sample = model.compute_loss(x, y, training=True)
        model.backward(y, out)
        grads = step.flat.gradients.copy()
        mine = out.copy(), per_sample.copy(), grads
        theirs = step.forward_backward(x, y)
    return all(
        a.dtype == b.dtype and a.tobytes() == b.tobytes()
        for a, b in zip(mine, (*theirs, step.flat.gradients), strict=True)
    )
