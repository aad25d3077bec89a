"""The rows ``fit`` holds out for validation, as Keras chooses them.

``validation_data=(x_val, y_val)`` (checked like the training rows) or
``validation_split``: the *last* share of the rows, before any shuffling.
"""

from __future__ import annotations

import math

from minigenre.training.checks import check_features, is_real_number
from minigenre.training.weighting import check_sample_weight


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
    y_val = model.loss.check_targets(
        validation_data[1],
        model.layers[-1].units,
        len(x_val),
        model.dtype,
        "validation_data's y",
    )
    weight = None
    if len(validation_data) == 3 and validation_data[2] is not None:
        weight = check_sample_weight(validation_data[2], len(x_val), model.dtype)
    return x_val, y_val, weight


def split_validation(x, y, weight, validation_split: float):
    """``(x, y, weight, validation)``: Keras holds out the *last* rows, unshuffled."""
    if not (is_real_number(validation_split) and 0 <= validation_split < 1):
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
