"""The study's forward pass with its elementwise work compiled, for ``predict``.

``predict_step`` (``train_step.py``: each layer's ``forward``) is the reference.
This is the same pass for the networks ``step_compiled.py`` takes (``Dense``
layers with bias, ELU inside, softmax at the end): the matrix products stay
NumPy's (BLAS), into buffers kept between calls; the elementwise work between them
runs as the loops of ``step_kernels.py`` (bias add with ELU's ``min(z, 0)``,
ELU's join, softmax's shift and normalisation), NumPy's ``expm1`` and ``exp``
between them. Same operations, same order, same dtype: the same bits, which
``agrees`` checks on a probe before the pass is used, so a learner's edit of the
readable layers predicts as edited. ``predict`` chooses it once per call, when
``jit_compile`` allows compiled code (``True``, or ``"auto"`` once its rent is
paid, ``jit.py``); anything else runs ``predict_step``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from minigenre._speed import jit, step_compiled


def choose(model, last=None):
    """``forward(x, out)`` for ``model``: the compiled pass when ``jit_compile``
    allows it, the network is supported and the probe agrees; else None.

    ``last`` is the pass of the model's previous predict: kept if it is a compiled
    pass for the same layer objects (the probe, about 0.1 ms, would find what it
    found then), so predicting a few rows at a time pays the probe once.
    """
    if not (jit.may_compile(model.jit_compile) and supports(model)):
        return None
    if isinstance(last, CompiledForward) and last.agreed_for(model):
        return last
    try:
        from minigenre._speed import step_kernels
    except Exception:  # numba cannot load it: the readable pass, as "auto" does
        return None
    forward = CompiledForward(model, step_kernels)
    return forward if agrees(model, forward) else None


def supports(model) -> bool:
    """Whether the compiled pass can stand for ``model.predict_step``: the
    compiled step's networks, every weight in the model's dtype."""
    return step_compiled.supports_network(model) and all(
        w.dtype == model.dtype for layer in model.layers for w in layer.weights
    )


class CompiledForward:
    """``forward(x, out)``: ``model.predict_step(x)`` written into ``out``."""

    def __init__(self, model, kernels) -> None:
        self.model, self.k = model, kernels
        self.layers = list(model.layers)  # the layer objects the probe checked
        self.buffers: dict[int, list] = {}  # rows -> each hidden layer's (z, low)

    def agreed_for(self, model) -> bool:
        """Whether this pass was checked for ``model`` as its layers are now."""
        return (
            self.model is model
            and len(self.layers) == len(model.layers)
            and all(a is b for a, b in zip(self.layers, model.layers, strict=True))
        )

    def _buffers(self, rows: int) -> list:
        if rows not in self.buffers:
            if len(self.buffers) > 1:  # a chunk's size and one other, no more
                self.buffers.clear()  # (kept between calls: bounded)
            dtype, hidden = self.model.dtype, self.model.layers[:-1]
            self.buffers[rows] = [
                tuple(np.empty((rows, layer.units), dtype) for _ in "zl")
                for layer in hidden
            ]
        return self.buffers[rows]

    def __call__(self, x: NDArray, out: NDArray) -> NDArray:
        """Writes the outputs for ``x`` (rows, in) into ``out`` (rows, classes), a
        C-contiguous array of the model's dtype; returns ``out``."""
        layers, k = self.model.layers, self.k
        a = x
        for layer, (z, low) in zip(layers[:-1], self._buffers(len(x)), strict=True):
            np.matmul(a, layer.kernel, out=z)  # (rows, units)
            k.bias_low(z, layer.bias, low)
            np.expm1(low, out=low)
            k.elu_join(z, low, z)  # ELU, in place of z
            a = z
        last = layers[-1]
        np.matmul(a, last.kernel, out=out)  # (rows, classes): the logits
        k.shift_rows_in_place(out, last.bias)
        np.exp(out, out=out)
        k.normalize_rows(out)
        return out


def agrees(model, forward: CompiledForward) -> bool:
    """Whether the compiled pass gives ``predict_step``'s bits on a probe of 33
    rows (large, small and negative inputs)."""
    x = step_compiled.probe_rows(model)
    with np.errstate(all="ignore"):
        mine = model.predict_step(x)
        theirs = forward(x, np.empty_like(mine))
    return mine.dtype == theirs.dtype and mine.tobytes() == theirs.tobytes()
