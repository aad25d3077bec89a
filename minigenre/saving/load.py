"""``load_model``: a whole model back from a ``.npz`` or a Keras 3 ``.keras`` file.

The reverse of ``saving.save_model`` (see there for both formats): the layers, the
compile settings, the weights, the optimizer's state and, from a ``.npz``, the
random generators' positions, so that training resumes exactly where it stopped.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from minigenre import _io, keras_format, losses, optimizers
from minigenre.layers import Dense
from minigenre.model import Sequential
from minigenre.saving import FORMAT, FORMAT_VERSION


def from_config(config: dict, weights: list[np.ndarray]) -> Sequential:
    """Builds a model from ``model_config``'s description and sets its weights."""
    model = Sequential(name=config["name"], dtype=config["dtype"])
    for layer in config["layers"]:
        model.add(Dense(**layer))
    if config["input_dim"] is not None:
        model.build(config["input_dim"])
        model.set_weights(weights)
    return model


def compile_from_config(model: Sequential, config: dict) -> None:
    """Compiles ``model`` as ``compile_config`` describes."""
    optimizer = config["optimizer"]
    kind = {"Adam": optimizers.Adam, "SGD": optimizers.SGD}[optimizer["class_name"]]
    loss = losses.SparseCategoricalCrossentropy(**config["loss"]["config"])
    model.compile(kind(**optimizer["config"]), loss, metrics=config["metrics"])


def _set_generator_states(model: Sequential, states: dict) -> None:
    model._init_rng.bit_generator.state = states["init"]
    model._shuffle_rng.bit_generator.state = states["shuffle"]


def _read_npz(path: Path) -> tuple[dict, dict]:
    arrays = _io.load_npz(path)
    try:
        config = json.loads(str(arrays.pop("config")))
        if config["format"] != FORMAT:
            raise ValueError(f"format {config['format']!r}")
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(
            f"{path}: not a minigenre model file (no valid config: {err}). "
            "Weights saved by save_weights() load with load_weights()."
        ) from None
    if config["format_version"] != FORMAT_VERSION:
        raise ValueError(
            f"{path}: unsupported model format version {config['format_version']!r}; "
            f"this minigenre reads version {FORMAT_VERSION}."
        )
    return config, arrays


def _npz_optimizer_state(arrays: dict, compiled: dict | None) -> dict | None:
    if compiled is None or "optimizer_iterations" not in arrays:
        return None
    names = keras_format.slot_names(compiled["optimizer"])
    return {
        "iterations": int(arrays["optimizer_iterations"]),
        "slots": {name: _numbered(arrays, f"optimizer_{name}_") for name in names},
    }


def set_optimizer_state(model: Sequential, state: dict) -> None:
    """Restores ``optimizer_state``'s output; checks every shape first."""
    shapes = [w.shape for w in model.get_weights()]
    flat = {}
    for name, arrays in state["slots"].items():
        if [a.shape for a in arrays] != shapes:
            raise ValueError(
                f"the optimizer's {name} arrays have shapes "
                f"{[a.shape for a in arrays]}; the weights have {shapes}."
            )
        flat[name] = [np.concatenate([a.ravel() for a in arrays]).astype(model.dtype)]
    model.optimizer.set_state(state["iterations"], flat)


def _numbered(arrays: dict, prefix: str) -> list[np.ndarray]:
    out = []
    while f"{prefix}{len(out)}" in arrays:
        out.append(arrays[f"{prefix}{len(out)}"])
    return out


def load_model(path: str | os.PathLike, compile: bool = True) -> Sequential:
    """Reads a model written by ``save_model``, or a Keras 3 ``.keras`` file.

    Args:
        path: A ``.npz`` file from ``save_model`` or a ``.keras`` archive.
        compile: Also restore the optimizer (with its state), loss and metrics.

    Raises:
        ValueError: If the file is missing, damaged, or holds something minigenre
            does not implement; the message names the file and the part.
    """
    path = Path(path)
    if path.suffix not in (".npz", ".keras"):
        raise ValueError(
            f"Cannot tell the format of {path}: the name must end in .npz "
            "(minigenre's format) or .keras (Keras 3's)."
        )
    try:
        if path.suffix == ".keras":
            config, compiled, weights, state = keras_format.load(path, compile)
            states = None
        else:
            file_config, arrays = _read_npz(path)
            config, compiled = file_config["model"], file_config["compile"]
            weights = _numbered(arrays, "weight_")
            state = _npz_optimizer_state(arrays, compiled)
            states = file_config["state"]
        model = from_config(config, weights)
        if compile and compiled is not None:
            compile_from_config(model, compiled)
            if state is not None:
                set_optimizer_state(model, state)
        if states is not None:
            _set_generator_states(model, states)
    except (KeyError, TypeError) as err:
        what = f"no {err} entry" if isinstance(err, KeyError) else str(err)
        raise ValueError(f"{path}: damaged model description ({what}).") from None
    except ValueError as err:
        if str(err).startswith(str(path)):
            raise
        raise ValueError(f"{path}: {err}") from None
    return model
