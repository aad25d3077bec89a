"""Whole-model files: ``save_model`` and ``load_model``, as in Keras.

The file's extension chooses the format:

* ``.npz``: minigenre's own. One ``.npz`` holding a JSON ``config`` (the layers, the
  compile settings, the random generators' states) and the arrays: the weights
  (``weight_0``, ``weight_1``, ... in ``get_weights`` order) and the optimizer's
  state. Loading it and training on gives exactly the numbers uninterrupted
  training gives. Written atomically, read without pickle (see ``_io``).
* ``.keras``: Keras 3's archive, read and written without TensorFlow (see
  ``keras_format``), for a model trained in Keras and served with NumPy, or the
  reverse.

Both go through one description of the model: ``model_config`` (architecture),
``compile_config`` (optimizer, loss, metrics) and the weights.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from minigenre import _io, initializers, keras_format, losses, optimizers
from minigenre.layers import Dense
from minigenre.model import Sequential

FORMAT = "minigenre.Sequential"
FORMAT_VERSION = 1


def _initializer_name(initializer) -> str:
    for name, function in initializers.INITIALIZERS.items():
        if initializer is function:
            return name
    raise ValueError(
        f"Cannot save a custom initializer: {initializer!r}. "
        f"Valid names: {', '.join(sorted(initializers.INITIALIZERS))}."
    )


def model_config(model: Sequential) -> dict:
    """The architecture: name, dtype, input width and each layer's settings."""
    return {
        "name": model.name,
        "dtype": model.dtype.name,
        "input_dim": model.input_dim,
        "layers": [
            {
                "name": layer.name,
                "units": layer.units,
                "activation": layer.activation,
                "use_bias": layer.use_bias,
                "kernel_initializer": _initializer_name(layer.kernel_initializer),
                "bias_initializer": _initializer_name(layer.bias_initializer),
            }
            for layer in model.layers
        ],
    }


def compile_config(model: Sequential) -> dict | None:
    """The optimizer, loss and metrics given to ``compile``, or None before it."""
    if model.optimizer is None:
        return None
    optimizer = model.optimizer
    if isinstance(optimizer, optimizers.Adam):
        settings = {
            "learning_rate": optimizer.learning_rate,
            "beta_1": optimizer.beta_1,
            "beta_2": optimizer.beta_2,
            "epsilon": optimizer.epsilon,
        }
        kind = "Adam"
    else:
        settings = {
            "learning_rate": optimizer.learning_rate,
            "momentum": optimizer.momentum,
        }
        kind = "SGD"
    return {
        "optimizer": {"class_name": kind, "config": settings},
        "loss": {
            "class_name": "SparseCategoricalCrossentropy",
            "config": {"from_logits": model.loss.from_logits},
        },
        "metrics": list(model.metrics),
    }


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


def _generator_states(model: Sequential) -> dict:
    # The generators' exact positions (PCG64 states are integers, exact in JSON):
    # the next epoch's shuffle after loading is the one training would have drawn.
    return {
        "init": model._init_rng.bit_generator.state,
        "shuffle": model._shuffle_rng.bit_generator.state,
    }


def _set_generator_states(model: Sequential, states: dict) -> None:
    model._init_rng.bit_generator.state = states["init"]
    model._shuffle_rng.bit_generator.state = states["shuffle"]


def save_model(model: Sequential, path: str | os.PathLike) -> None:
    """Writes the whole model to ``path``: ``.npz`` (minigenre) or ``.keras``.

    Raises:
        ValueError: If the model is not built, or the extension is neither.
    """
    suffix = Path(path).suffix
    if suffix not in (".npz", ".keras"):
        raise ValueError(
            "The file name must end in .npz (minigenre's format) or .keras "
            f"(Keras 3's). Received: {path}"
        )
    if not model.built:
        raise ValueError(
            "The model is not built: there are no weights to save. Call fit(), "
            "build() or set_weights() first."
        )
    if suffix == ".keras":
        keras_format.save(path, model_config(model), compile_config(model), model)
        return
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model": model_config(model),
        "compile": compile_config(model),
        "state": _generator_states(model),
    }
    arrays = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}
    _io.save_npz(path, {"config": np.array(json.dumps(config)), **arrays})


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
            config, compiled, weights = keras_format.load(path, compile)
            states = None
        else:
            file_config, arrays = _read_npz(path)
            config, compiled = file_config["model"], file_config["compile"]
            weights = _numbered(arrays, "weight_")
            states = file_config["state"]
        model = from_config(config, weights)
        if compile and compiled is not None:
            compile_from_config(model, compiled)
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
