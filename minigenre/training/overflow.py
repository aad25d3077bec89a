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
            h = layer.forward(h)
            if not np.isfinite(h).all():
                break
    raise ValueError(
        f"{what}(): the inputs overflow {np.dtype(model.dtype)} in layer {index} "
        f"({layer.name}): row {row} ({int(bad.sum())} of {len(out)} rows) gives "
        f"non-finite outputs; its largest |value| is {np.abs(x[row]).max():.3g}. "
        "Standardize the inputs first."
    )


def outputs(model, x: NDArray, rows: int = 1024) -> NDArray:
    """The outputs of ``model`` for the checked ``x``, ``rows`` at a time."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.concatenate([
            model.predict_step(x[i : i + rows]) for i in range(0, len(x), rows)
        ])  # fmt: skip
