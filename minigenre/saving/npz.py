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

from minigenre import _io, initializers, keras_export, optimizers

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


def model_config(model) -> dict:
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


def compile_config(model) -> dict | None:
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


def _generator_states(model) -> dict:
    # The generators' exact positions (PCG64 states are integers, exact in JSON):
    # the next epoch's shuffle after loading is the one training would have drawn.
    return {
        "init": model._init_rng.bit_generator.state,
        "shuffle": model._shuffle_rng.bit_generator.state,
    }


def optimizer_state(model) -> dict | None:
    """The optimizer's step count, learning rate and per-weight slots, or None.

    ``{"iterations": t, "learning_rate": lr, "slots": {"momentum": [m_0, m_1,
    ...], "velocity": [...]}}`` with one array per weight in ``get_weights`` order
    (Adam's slots; SGD with momentum has ``momentum`` only). Before the first step
    the slots are zeros, which is what they start from.
    """
    optimizer = model.optimizer
    if optimizer is None:
        return None
    shapes = [w.shape for w in model.get_weights()]
    sizes = np.cumsum([int(np.prod(shape)) for shape in shapes])[:-1]
    slots = {}
    for name, arrays in optimizer.get_state().items():
        if not arrays:  # not stepped yet
            slots[name] = [np.zeros(shape, model.dtype) for shape in shapes]
            continue
        # Sequential updates its one flat vector of weights (see _flat), so the
        # optimizer keeps one flat array per slot: cut it into the weights' shapes.
        (flat,) = arrays
        slots[name] = [
            part.reshape(shape).copy()
            for part, shape in zip(np.split(flat, sizes), shapes, strict=True)
        ]
    return {
        "iterations": int(optimizer.iterations),
        "learning_rate": optimizer.learning_rate,
        "slots": slots,
    }


def save_model(model, path: str | os.PathLike) -> None:
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
    state = optimizer_state(model)
    if suffix == ".keras":
        layers = [[w.copy() for w in layer.weights] for layer in model.layers]
        keras_export.save(
            path, model_config(model), compile_config(model), layers, state
        )
        return
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model": model_config(model),
        "compile": compile_config(model),
        "state": _generator_states(model),
    }
    arrays = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}
    if state is not None:
        arrays["optimizer_iterations"] = np.array(state["iterations"], np.int64)
        for name, values in state["slots"].items():
            arrays.update({f"optimizer_{name}_{i}": v for i, v in enumerate(values)})
    _io.save_npz(path, {"config": np.array(json.dumps(config)), **arrays})
