"""minigenre's own model file: one ``.npz`` holding a JSON ``config`` and the arrays.

The config holds the layers (``Sequential.get_config``), the compile settings and
the random generators' states (``config.py``); the arrays are the weights
(``weight_0``, ``weight_1``, ... in ``get_weights`` order) and the optimizer's state
(``optimizer_iterations``, ``optimizer_momentum_0``, ...). Loading it and training
on gives exactly the numbers uninterrupted training gives. Written atomically, read
without pickle (see ``files.py``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from minigenre.saving import config, descriptions, files, untrusted
from minigenre.saving.keras_read import slot_names

FORMAT = "minigenre.Sequential"
FORMAT_VERSION = 1


def save(model, path: str | os.PathLike, state: dict | None) -> None:
    """Writes ``model`` and its optimizer ``state`` (``config.optimizer_state``)."""
    description = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model": model.get_config(),
        "compile": config.compile_config(model),
        "state": config.generator_states(model),
    }
    arrays = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}
    if state is not None:
        arrays["optimizer_iterations"] = np.array(state["iterations"], np.int64)
        for name, values in state["slots"].items():
            arrays.update({f"optimizer_{name}_{i}": v for i, v in enumerate(values)})
    files.save_npz(path, {"config": np.array(json.dumps(description)), **arrays})


def load(path: Path) -> tuple[dict, dict | None, list, dict | None, dict]:
    """(model config, compile config, weights, optimizer state or None, generator
    states) from a file ``save`` wrote."""
    arrays = files.load_npz(path)
    try:
        text = str(arrays.pop("config")).encode("utf-8", "surrogatepass")
        description = untrusted.parse_json(text, "config")
        if description.get("format") != FORMAT:
            raise ValueError(f"format {description.get('format')!r}")
    except (KeyError, ValueError) as err:
        raise ValueError(
            f"{path}: not a minigenre model file (no valid config: {err}). "
            "Weights saved by save_weights() load with load_weights()."
        ) from None
    if description["format_version"] != FORMAT_VERSION:
        raise ValueError(
            f"{path}: unsupported model format version "
            f"{description['format_version']!r}; this minigenre reads version "
            f"{FORMAT_VERSION}."
        )
    compiled = description["compile"]
    if compiled is not None:
        descriptions.check_compile_config(compiled)
    state = None
    if compiled is not None and "optimizer_iterations" in arrays:
        names = slot_names(compiled["optimizer"])
        state = {
            "iterations": descriptions.iterations_of(arrays["optimizer_iterations"]),
            "slots": {n: numbered(arrays, f"optimizer_{n}_") for n in names},
        }
    weights = numbered(arrays, "weight_")
    return description["model"], compiled, weights, state, description["state"]


def numbered(arrays: dict, prefix: str) -> list[np.ndarray]:
    """``arrays[prefix + "0"]``, ``arrays[prefix + "1"]``, ... while they exist."""
    out = []
    while f"{prefix}{len(out)}" in arrays:
        out.append(arrays[f"{prefix}{len(out)}"])
    return out
