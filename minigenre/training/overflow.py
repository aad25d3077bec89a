"""Finite inputs whose outputs are not: which row, and in which layer.

float32 ends at 3.4e38: a row of values near it is finite, yet the first Dense
layer's sums overflow to inf and softmax turns them into NaN. ``predict`` and
``evaluate`` check their outputs (a (rows, units) array: a cost too small to
measure) and name the first such row and the layer, rather than return NaN.
``fit`` is not checked here: its own check names the epoch and batch.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def check_outputs(model, x: NDArray, out: NDArray, what: str) -> None:
    """Raises ``ValueError`` if a row of ``out`` (rows, units), the outputs of
    ``model`` for the checked inputs ``x`` (rows, features), is not finite."""
    bad = ~np.isfinite(out).all(axis=1)  # (rows,)
    if not bad.any():
        return
    row = int(np.flatnonzero(bad)[0])
    h = x[row : row + 1]  # (1, features)
    with np.errstate(over="ignore", invalid="ignore"):
        for index, layer in enumerate(model.layers):  # noqa: B007 (used below)
            inputs = h  # the layer's inputs, (1, width)
            h = layer.forward(h)
            if not np.isfinite(h).all():
                break
    largest = max((float(np.abs(w).max()) for w in layer.weights), default=0.0)
    raise ValueError(
        f"{what}(): row {row} ({int(bad.sum())} of {len(out)} rows) gives non-finite "
        f"outputs: {np.dtype(model.dtype)} overflows in layer {index} "
        f"({layer.name}), whose inputs reach {np.abs(inputs).max():.3g} and "
        f"weights {largest:.3g}. Standardize the inputs (or check the weights)."
    )


def outputs(model, x: NDArray, rows: int = 1024) -> NDArray:
    """The outputs of ``model`` for the checked ``x``, ``rows`` at a time."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.concatenate([
            model.predict_step(x[i : i + rows]) for i in range(0, len(x), rows)
        ])  # fmt: skip
