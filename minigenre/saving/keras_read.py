"""Keras 3 ``.keras`` archives, read and written with h5py alone (no TensorFlow).

A ``.keras`` file is a zip archive of three members (Keras's ``saving_lib``):

* ``metadata.json``: ``{"keras_version": "3.x.y", "date_saved": ...}``;
* ``config.json``: ``{"class_name": "Sequential", "config": {"layers": [...]},
  "compile_config": {...}}``, each layer ``{"class_name": "Dense", "config":
  {"units": ..., "activation": "elu", "use_bias": ...}}``, optionally led by an
  ``InputLayer`` with ``batch_shape [null, width]``;
* ``model.weights.h5``: HDF5 holding ``layers/dense/vars/0`` (kernel, (in, units))
  and ``layers/dense/vars/1`` (bias, (units,)), then ``layers/dense_1/vars/...``.
  Keras names these groups after the layer's *class* in snake case, numbered in
  order (``dense``, ``dense_1``, ...), not after the layer's name; each ``vars``
  group carries the layer's name as an attribute. A compiled, trained model adds
  ``optimizer/vars/0..n``: the step count, the learning rate, then each weight's
  slots in weight order (Adam: first moment, second moment).

Only what minigenre implements is accepted: a ``Sequential`` of ``Dense`` layers with
elu, relu, softmax or linear activations; anything else is refused by name.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from minigenre import activations

MEMBERS = ("metadata.json", "config.json", "model.weights.h5")


def layer_key(i: int, kind: str = "dense") -> str:
    """Where the ``i``-th layer of a class (``kind`` in snake case) keeps its
    variables: Keras numbers them by class, not name (dense, dense_1, dropout)."""
    return f"layers/{kind if i == 0 else f'{kind}_{i}'}/vars"


def layer_keys(layers: list[dict]) -> list[str]:
    """Each layer's variables group, in order, numbered per class as Keras does."""
    seen: dict[str, int] = {}
    keys = []
    for layer in layers:
        kind = SNAKE_NAMES[layer.get("class_name", "Dense")]
        keys.append(layer_key(seen.get(kind, 0), kind))
        seen[kind] = seen.get(kind, 0) + 1
    return keys


SNAKE_NAMES = {"Dense": "dense", "Activation": "activation", "Dropout": "dropout"}


def _optimizer_state(path, h5, compiled: dict, weights: list) -> dict | None:
    """The optimizer's state from ``optimizer/vars``, or None if absent or unused.

    Keras writes it only for a compiled model; a model compiled but never trained
    has none of its slots yet, and starts afresh, as Keras would.
    """
    if "optimizer/vars" not in h5:
        return None
    stored = h5["optimizer/vars"]
    names = slot_names(compiled["optimizer"])
    if len(stored) != 2 + len(names) * len(weights):
        return None  # Keras too skips an optimizer state of another size
    arrays = [np.asarray(stored[str(j)]) for j in range(len(stored))]
    n = len(weights)
    if slots_interleaved(compiled["optimizer"]):
        slots = {name: arrays[2 + k :: len(names)] for k, name in enumerate(names)}
    else:
        slots = {
            name: arrays[2 + k * n : 2 + (k + 1) * n] for k, name in enumerate(names)
        }
    for name, values in slots.items():
        for w, value in zip(weights, values, strict=True):
            if value.shape != w.shape:
                raise ValueError(
                    f"{path}: optimizer {name} of shape {value.shape} for a weight "
                    f"of shape {w.shape}."
                )
    return {"iterations": int(arrays[0]), "slots": slots}


def slot_names(optimizer: dict) -> tuple[str, ...]:
    """The per-weight state of an optimizer, by Keras's names (see its ``build``)."""
    settings = optimizer["config"]
    if optimizer["class_name"] == "Adam":
        return ("momentum", "velocity")
    if optimizer["class_name"] == "RMSprop":
        names = ("velocity",) + (("momentum",) if settings.get("momentum") else ())
        return names + (("average_gradient",) if settings.get("centered") else ())
    return ("momentum",) if settings.get("momentum") else ()


def slots_interleaved(optimizer: dict) -> bool:
    """Whether the file keeps each weight's slots together (Adam: m_0, v_0, m_1,
    ...): Keras interleaves the slots it creates in one call (Adam's build), and
    lists them slot by slot when created one call each (RMSprop: every velocity,
    then every momentum)."""
    return optimizer["class_name"] == "Adam"


def h5py_module():
    """h5py, imported when a ``.keras`` file is first read or written."""
    import h5py

    return h5py


def _unsupported(path, what: str) -> ValueError:
    return ValueError(
        f"{path}: {what}; minigenre reads a Keras 3 Sequential of Dense, Activation "
        f"and Dropout layers with activations "
        f"{', '.join(sorted(activations.ACTIVATIONS))}."
    )


def _layers(path, config: dict) -> tuple[int | None, list[dict], str]:
    """The input width (None if unknown), each Dense layer's settings, the dtype."""
    if config.get("class_name") != "Sequential":
        raise _unsupported(
            path, f"unsupported model class {config.get('class_name')!r}"
        )
    body = config["config"]
    # Keras writes the dtype policy on the model, on each layer, or both: the
    # model's wins, then the first layer's (float32 if neither has one).
    first = body["layers"][0]["config"] if body["layers"] else {}
    first = first.get("dtype") if isinstance(first, dict) else None
    dtype = body.get("dtype") or first or "float32"
    input_dim, layers = None, []
    for entry in body["layers"]:
        kind, settings = entry["class_name"], entry["config"]
        if kind == "InputLayer":
            input_dim = settings.get("batch_shape", settings.get("batch_input_shape"))
            input_dim = input_dim[-1] if input_dim else None
            continue
        if kind in ("Activation", "Dropout"):
            layers.append(_weightless_layer(path, kind, settings))
            continue
        if kind != "Dense":
            raise _unsupported(
                path, f"unsupported layer {kind!r} ({settings.get('name')})"
            )
        activation = _activation(path, settings)
        for key in (
            "kernel_regularizer",
            "bias_regularizer",
            "activity_regularizer",
            "kernel_constraint",
            "bias_constraint",
            "lora_rank",
        ):
            if settings.get(key):
                raise _unsupported(
                    path, f"unsupported {key} in layer {settings.get('name')!r}"
                )
        layers.append(
            {
                "name": settings["name"],
                "units": int(settings["units"]),
                "activation": activation,
                "use_bias": bool(settings.get("use_bias", True)),
            }
        )
        if input_dim is None and len(layers) == 1:  # a Dense first
            shape = (entry.get("build_config") or {}).get("input_shape")
            input_dim = shape[-1] if shape else None
    if not any(layer.get("class_name", "Dense") == "Dense" for layer in layers):
        raise _unsupported(path, "no Dense layer")
    if isinstance(dtype, dict):  # a DTypePolicy
        dtype = dtype.get("config", {}).get("name")
    if dtype not in ("float32", "float64"):
        raise _unsupported(path, f"unsupported dtype policy {dtype!r}")
    return input_dim, layers, dtype


def _activation(path, settings: dict) -> str:
    activation = settings.get("activation") or "linear"
    if not isinstance(activation, str) or activation not in activations.ACTIVATIONS:
        raise _unsupported(
            path,
            f"unsupported activation {activation!r} in layer {settings.get('name')!r}",
        )
    return activation


def _weightless_layer(path, kind: str, settings: dict) -> dict:
    """An ``Activation`` or ``Dropout`` layer's settings (``noise_shape`` refused)."""
    if kind == "Activation":
        activation = _activation(path, settings)
        return {"class_name": kind, "name": settings["name"], "activation": activation}
    if settings.get("noise_shape") is not None:
        raise _unsupported(path, f"unsupported noise_shape in {settings['name']!r}")
    rate, seed = settings["rate"], settings.get("seed")
    return {"class_name": kind, "name": settings["name"], "rate": rate, "seed": seed}


# Keras optimizer settings minigenre does not implement, with the value that means
# "off"; any other value is refused. (``ema_momentum`` only acts with ``use_ema``.)
_OFF = {
    "name": None,
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "ema_momentum": None,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
    "amsgrad": False,
    "nesterov": False,
}
_OPTIMIZER_KEYS = {
    "Adam": ("learning_rate", "beta_1", "beta_2", "epsilon"),
    "SGD": ("learning_rate", "momentum"),
    "RMSprop": ("learning_rate", "rho", "momentum", "epsilon", "centered"),
}


def _optimizer(path, optimizer) -> dict:
    if isinstance(optimizer, str):
        optimizer = {"class_name": optimizer, "config": {}}
    kind = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}.get(
        str(optimizer["class_name"]).lower()
    )
    if kind is None:
        raise _unsupported(path, f"unsupported optimizer {optimizer['class_name']!r}")
    settings = optimizer["config"]
    for key, value in settings.items():
        if key in _OPTIMIZER_KEYS[kind] or key in ("name", "ema_momentum"):
            continue
        if key not in _OFF or value != _OFF[key]:
            raise _unsupported(path, f"unsupported optimizer setting {key}={value!r}")
    if not isinstance(settings.get("learning_rate", 0.0), int | float):
        raise _unsupported(
            path, f"unsupported learning rate {settings['learning_rate']!r}"
        )
    chosen = {k: settings[k] for k in _OPTIMIZER_KEYS[kind] if k in settings}
    return {"class_name": kind, "config": chosen}


def _compile(path, config: dict | None) -> dict | None:
    """``config.compile_config``'s description of Keras's ``compile_config``."""
    if not config:
        return None
    return {
        "optimizer": _optimizer(path, config["optimizer"]),
        "loss": _loss(path, config["loss"]),
        "metrics": _metrics(path, config.get("metrics")),
    }


_LOSSES = {
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "binary_crossentropy": "BinaryCrossentropy",
}
# Loss settings minigenre does not implement, with the values that mean "off".
_LOSS_OFF = {"label_smoothing": 0.0, "axis": -1, "ignore_class": None}
_METRICS = (
    "accuracy", "acc", "binary_accuracy", "categorical_accuracy",
    "sparse_categorical_accuracy",
)  # fmt: skip


def _loss(path, loss) -> dict:
    """``{"class_name", "config": {"from_logits"}}`` of a loss Keras wrote."""
    settings = {}
    if isinstance(loss, dict):
        settings = loss.get("config") or {}
        loss = loss["class_name"]
    kind = _LOSSES.get(loss, loss)
    if kind not in _LOSSES.values():
        raise _unsupported(path, f"unsupported loss {loss!r}")
    for key, off in _LOSS_OFF.items():
        if settings.get(key, off) != off:
            raise _unsupported(
                path, f"unsupported loss setting {key}={settings[key]!r}"
            )
    return {
        "class_name": kind,
        "config": {"from_logits": bool(settings.get("from_logits", False))},
    }


def _metrics(path, metrics) -> list[str]:
    """The metric names, from Keras's list of names or serialized metrics."""
    names = []
    for metric in metrics or []:
        if isinstance(metric, dict):  # a metric object: its name
            metric = (metric.get("config") or {}).get("name", metric.get("class_name"))
        if metric not in _METRICS:
            raise _unsupported(path, f"unsupported metrics {metrics!r}")
        names.append(metric)
    return names


def load(path: Path, compile: bool) -> tuple[dict, dict | None, list, dict | None]:
    """Reads a ``.keras`` archive: (model config, compile config, weights, optimizer
    state or None).

    With ``compile=False`` the compile settings and optimizer state are neither read
    nor checked.
    """
    if not path.is_file():
        raise ValueError(f"{path}: file not found.")
    try:
        with zipfile.ZipFile(path) as archive:
            missing = [m for m in MEMBERS if m not in archive.namelist()]
            if missing:
                raise ValueError(f"not a .keras archive: no {', '.join(missing)}")
            metadata = json.loads(archive.read("metadata.json"))
            config = json.loads(archive.read("config.json"))
            weights_file = io.BytesIO(archive.read("model.weights.h5"))
    except (zipfile.BadZipFile, OSError, json.JSONDecodeError, ValueError) as err:
        raise ValueError(f"{path}: not a readable .keras archive ({err}).") from None
    version = str(metadata.get("keras_version", "unknown"))
    if not version.startswith("3."):
        raise ValueError(
            f"{path}: unsupported Keras version {version}; minigenre reads files "
            "written by Keras 3."
        )
    input_dim, layers, dtype = _layers(path, config)
    compiled = _compile(path, config.get("compile_config")) if compile else None
    with h5py_module().File(weights_file, "r") as h5:
        weights = []
        for key, layer in zip(layer_keys(layers), layers, strict=True):
            if layer.get("class_name", "Dense") != "Dense":
                continue  # no weights
            count = 2 if layer["use_bias"] else 1
            missing = [f"{key}/{j}" for j in range(count) if f"{key}/{j}" not in h5]
            if missing:
                raise ValueError(f"{path}: model.weights.h5 has no {missing[0]}.")
            weights += [np.asarray(h5[f"{key}/{j}"]) for j in range(count)]
        state = (
            None if compiled is None else _optimizer_state(path, h5, compiled, weights)
        )
    if input_dim is None:
        input_dim = weights[0].shape[0]
    model_config = {
        "name": config["config"].get("name", "sequential"),
        "dtype": dtype,
        "input_dim": input_dim,
        "layers": layers,
    }
    return model_config, compiled, weights, state


def load_weights(path, model_config: dict) -> list[np.ndarray]:
    """The weights in a Keras 3 ``.weights.h5`` file for a model described by
    ``model_config`` (``Sequential.get_config``), in ``get_weights`` order."""
    layers = model_config["layers"]
    try:
        with h5py_module().File(path, "r") as h5:
            weights = []
            for key in layer_keys(layers):
                count = len(h5[key]) if key in h5 else 0
                weights += [np.asarray(h5[f"{key}/{j}"]) for j in range(count)]
    except OSError as err:
        raise ValueError(f"{path}: not a readable .weights.h5 file ({err}).") from None
    return weights
