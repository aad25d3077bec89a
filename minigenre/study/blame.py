"""Which file is at fault when a run cannot score some rows: the data, the scaler
or the weights, named with the row and column where it shows.

Scoring standardizes the rows with the training statistics (``scaler.npz``) and
runs the network in float32 (``weights.npz``). A row can fail in either step for
a reason in either file: a value of 1e300 in the data, or a scale of 1e-300 in a
damaged scaler, both give a standardized value beyond float32; a value of 1e37, or
a weight of 3e38, both overflow inside the network. The checks below look at the
sizes involved and blame the one that is out of all proportion.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# A feature's deviation from the training mean beyond this is no measurement: the
# data is at fault (the study's features are below 1e7). Below it, a standardized
# value beyond float32's range can only come from a damaged scale.
ABSURD_DEVIATION = 1e30
# Rows this many standard deviations out are far outside anything the run was
# trained on: if the network overflows on them, the data is at fault, not the
# weights.
FAR_OUTSIDE = 1e6

# row(i) names row i of the rows scored, with its file; row(i, c) adds column c.
RowNamer = Callable[..., str]


def name_rows(description: str, columns: tuple[str, ...] | None = None) -> RowNamer:
    """Names row ``i`` as ``description``'s data row ``i + 1`` (and column ``c``
    by its name in ``columns``, or its number)."""

    def name(i: int, c: int | None = None) -> str:
        where = f"{description}, data row {i + 1}"
        if c is None:
            return where
        return f"{where}, column {columns[c]!r}" if columns else f"{where}, column {c}"

    return name


def numbered_rows(i: int, c: int | None = None) -> str:
    """The default: row ``i`` (and column ``c``) of the rows given, by number."""
    return f"row {i} of the rows given" + ("" if c is None else f", column {c}")


def validation_rows(
    x_train: np.ndarray, x_val: np.ndarray, row: RowNamer | None
) -> RowNamer | None:
    """Names validation row ``i`` by the training row it was split from (found by
    its values, only when a message needs it), as ``row`` names those."""
    if row is None:
        return None

    def name(i: int, c: int | None = None) -> str:
        same = np.flatnonzero((x_train == x_val[i]).all(axis=1))
        return row(int(same[0]), c) if len(same) else numbered_rows(i, c)

    return name


def check_standardized(
    x: np.ndarray, scaled: np.ndarray, scaler, dtype, scaler_file: str, row: RowNamer
) -> None:
    """Refuses standardized values that ``dtype`` cannot hold, naming the data's
    row and column, or the scaler if its statistics are what make them so."""
    limit = float(np.finfo(dtype).max)
    bad = ~(np.abs(scaled) <= limit)  # (n, d): inf and NaN too
    if not bad.any():
        return
    i, c = (int(k) for k in np.argwhere(bad)[0])
    deviation = x[i, c] - scaler.mean_[c]
    if np.isfinite(deviation) and abs(deviation) > ABSURD_DEVIATION:
        raise ValueError(
            f"{row(i, c)}: {x[i, c]:.3g} is far outside the data the run "
            f"was trained on (mean {scaler.mean_[c]:.3g}, standard deviation "
            f"{scaler.scale_[c]:.3g}); standardized, it is beyond {np.dtype(dtype)}'s "
            "range."
        )
    raise ValueError(
        f"{scaler_file}: the data it standardizes is unusable (column {c}: mean "
        f"{scaler.mean_[c]:.3g}, scale {scaler.scale_[c]:.3g} give {scaled[i, c]:.3g} "
        f"for {row(i)}); the scaler is damaged."
    )


def check_outputs(
    proba: np.ndarray, scaled: np.ndarray, where: str, row: RowNamer
) -> None:
    """Refuses non-finite probabilities: the data's fault for a row far outside
    the training data (naming its column), the weights' or the scaler's else."""
    bad = ~np.isfinite(proba).all(axis=1)  # (n,)
    if not bad.any():
        return
    i = int(np.flatnonzero(bad)[0])
    c = int(np.abs(scaled[i]).argmax())
    if abs(scaled[i, c]) > FAR_OUTSIDE:
        raise ValueError(
            f"{row(i, c)}: {abs(scaled[i, c]):.3g} standard deviations "
            "from the training mean, far outside the data the run was trained on: "
            "the network overflows float32 on it."
        )
    raise ValueError(
        f"{where}: its weights give non-finite probabilities (first for {row(i)}); "
        "weights.npz or scaler.npz is damaged."
    )


def outputs(model, scaled: np.ndarray, rows: int = 4096) -> np.ndarray:
    """``model``'s outputs (float64) for every row, non-finite ones included,
    ``rows`` at a time: memory stays that of the outputs."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.concatenate([
            model(scaled[i : i + rows]).astype(np.float64)
            for i in range(0, len(scaled), rows)
        ])  # fmt: skip
