"""Probes of this machine's BLAS: whether a faster way to run the same products
gives their bits.

A BLAS chooses its kernels, and how it splits a product between threads, by
shapes and thread count, never by values; two kernels may sum a row in different
orders. So whether two threads give one thread's bits, or a chunk of rows the bits
of its batches, is a fact of the machine, found once on random inputs of the real
shapes and then remembered (``remembered``). On one of this project's machines
(OpenBLAS 0.3.31, AMD EPYC) float32 products sum rows in panels of 24: a second
thread changed the bits of every product the thread rule would share (the study's
1024-row predict chunks, a fit in batches of 1024), so there the rule keeps one
thread, and the numbers never depend on how busy the machine was.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from minigenre._speed import threads

MAX_PROBED = 256  # answers kept (network shape, rows, dtype, threads, ...)
_agreed: dict[tuple, bool] = {}  # each probe's answer, by what decides the kernels


def remembered(key: tuple, layers: list, dtype, probe: Callable[[], bool]) -> bool:
    """``probe()``'s answer for ``key`` and the network's shapes and dtype: run
    the first time, then remembered (at most ``MAX_PROBED`` answers)."""
    key = (*key, network(layers), np.dtype(dtype).str)
    if key not in _agreed:
        answer = bool(probe())
        if len(_agreed) >= MAX_PROBED:  # memory bounded however many shapes come
            _agreed.clear()
        _agreed[key] = answer
    return _agreed[key]


def inference_threads(layers: list, rows: int, dtype):
    """``threads.for_layers`` for forward passes of ``rows`` rows (``predict``,
    ``evaluate``), on one thread where more would change their bits."""

    def same_bits(count: int) -> bool:
        def probe() -> bool:
            x = probe_rows(layers, rows, dtype)
            with threads.limited(count):
                shared = forward(layers, x)
            with threads.limited(1):
                return np.array_equal(shared, forward(layers, x))

        return remembered(("forward", rows, count), layers, dtype, probe)

    return threads.for_layers(layers, rows, same_bits)


def training_threads(layers: list, rows: int, dtype):
    """``threads.for_layers`` for training steps on batches of ``rows`` rows, on
    one thread where more would change the bits of a step's matrix products
    (each Dense layer's ``x @ kernel``, ``x.T @ grad`` and ``grad @ kernel.T``).
    The probe multiplies random arrays of those shapes: the model, its random
    generators and its layers' state are left alone."""

    def same_bits(count: int) -> bool:
        def probe() -> bool:
            rng = np.random.default_rng(0)
            for layer in layers:
                if layer.kernel is None:
                    continue
                n_in, units = layer.kernel.shape
                x = rng.standard_normal((rows, n_in)).astype(dtype)
                kernel = rng.standard_normal((n_in, units)).astype(dtype)
                grad = rng.standard_normal((rows, units)).astype(dtype)
                with threads.limited(count):
                    shared = [x @ kernel, x.T @ grad, grad @ kernel.T]
                with threads.limited(1):
                    one = [x @ kernel, x.T @ grad, grad @ kernel.T]
                if not all(map(np.array_equal, shared, one)):
                    return False
            return True

        return remembered(("step", rows, count), layers, dtype, probe)

    return threads.for_layers(layers, rows, same_bits)


def network(layers: list) -> tuple:
    """What decides a pass's kernels: each layer's kind and width, and its
    weights' shapes."""
    return tuple(
        (type(layer).__name__, layer.units, *(w.shape for w in layer.weights))
        for layer in layers
    )


def probe_rows(layers: list, rows: int, dtype) -> np.ndarray:
    """Random inputs (rows, input width), the same for every probe."""
    x = np.random.default_rng(0).standard_normal((rows, layers[0].input_width))
    return x.astype(dtype)


def forward(layers: list, x: np.ndarray) -> np.ndarray:
    """The inference pass, as ``predict_step`` runs it: (rows, last units). Quiet:
    a diverged model's overflow is the real pass's to report, not a probe's."""
    with np.errstate(all="ignore"):
        for layer in layers:
            x = layer.forward(x)
    return x
