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
import zipfile
import zlib
from pathlib import Path

from minigenre import activations
from minigenre.saving import descriptions, files, untrusted

MEMBERS = ("metadata.json", "config.json", "model.weights.h5")


def layer_key(i: int) -> str:
    """Where layer ``i``'s variables are: Keras numbers them by class, not name."""
    return f"layers/{'dense' if i == 0 else f'dense_{i}'}/vars"


def _optimizer_state(datasets: dict, compiled: dict, weights: list) -> dict | None:
    """The optimizer's state from ``optimizer/vars``, or None if absent or unused.

    Keras writes it only for a compiled model; a model compiled but never trained
    has none of its slots yet, and starts afresh, as Keras would.
    """
    stored = sorted(k for k in datasets if k.startswith("optimizer/vars/"))
    if not stored:
        return None
    names = slot_names(compiled["optimizer"])
    if len(stored) != 2 + len(names) * len(weights):
        return None  # Keras too skips an optimizer state of another size
    keys = [f"optimizer/vars/{j}" for j in range(len(stored))]
    missing = [key for key in keys if key not in datasets]
    if missing:
        raise ValueError(f"has no {missing[0]}")
    # (iterations, learning rate), then each weight's slots in weight order.
    shapes = [datasets[keys[0]].shape, ()] + [w.shape for w in weights for _ in names]
    arrays = [
        untrusted.read_dataset(k, datasets[k], s)
        for k, s in zip(keys, shapes, strict=True)
    ]
    slots = {name: arrays[2 + k :: len(names)] for k, name in enumerate(names)}
    return {"iterations": descriptions.iterations_of(arrays[0]), "slots": slots}


def slot_names(optimizer: dict) -> tuple[str, ...]:
    """The per-weight state of an optimizer, by Keras's names (see its ``build``)."""
    if optimizer["class_name"] == "Adam":
        return ("momentum", "velocity")
    return ("momentum",) if optimizer["config"].get("momentum") else ()


def h5py_module():
    """h5py, imported when a ``.keras`` file is first read or written."""
    import h5py

    return h5py


# Dense settings minigenre does not implement: refused unless off.
NOT_IMPLEMENTED = (
    "kernel_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "kernel_constraint",
    "bias_constraint",
    "lora_rank",
)


def _unsupported(path, what: str) -> ValueError:
    return ValueError(
        f"{path}: {what}; minigenre reads a Keras 3 Sequential of Dense layers with "
        f"activations {', '.join(sorted(activations.ACTIVATIONS))}."
    )


def _layers(path, config: dict) -> tuple[int | None, list[dict], str]:
    """The input width (None if unknown), each Dense layer's settings, the dtype."""
    if config.get("class_name") != "Sequential":
        raise _unsupported(
            path, f"unsupported model class {config.get('class_name')!r}"
        )
    body = descriptions.check_type("the model's config", config["config"], dict)
    descriptions.check_type("the model's layers", body["layers"], list)
    # Keras writes the dtype policy on the model, on each layer, or both: the
    # model's wins, then the first layer's (float32 if neither has one).
    first = body["layers"][0]["config"] if body["layers"] else {}
    first = first.get("dtype") if isinstance(first, dict) else None
    dtype = body.get("dtype") or first or "float32"
    input_dim, layers = None, []
    for entry in body["layers"]:
        descriptions.check_type("a layer", entry, dict)
        kind = entry["class_name"]
        settings = descriptions.check_type(f"{kind}'s config", entry["config"], dict)
        if kind == "InputLayer":
            input_dim = settings.get("batch_shape", settings.get("batch_input_shape"))
            input_dim = input_dim[-1] if input_dim else None
            continue
        if kind != "Dense":
            raise _unsupported(
                path, f"unsupported layer {kind!r} ({settings.get('name')})"
            )
        activation = settings.get("activation") or "linear"
        if not isinstance(activation, str) or activation not in activations.ACTIVATIONS:
            raise _unsupported(
                path,
                f"unsupported activation {activation!r} in layer "
                f"{settings.get('name')!r}",
            )
        for key in NOT_IMPLEMENTED:
            if settings.get(key):
                raise _unsupported(
                    path, f"unsupported {key} in layer {settings.get('name')!r}"
                )
        layers.append(
            {
                "name": settings["name"],
                "units": settings["units"],
                "activation": activation,
                "use_bias": settings.get("use_bias", True),
            }
        )
        if input_dim is None and len(layers) == 1:
            shape = (entry.get("build_config") or {}).get("input_shape")
            input_dim = shape[-1] if shape else None
    if not layers:
        raise _unsupported(path, "no Dense layer")
    if isinstance(dtype, dict):  # a DTypePolicy
        dtype = dtype.get("config", {}).get("name")
    if dtype not in ("float32", "float64"):
        raise _unsupported(path, f"unsupported dtype policy {dtype!r}")
    return input_dim, layers, dtype


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
}


def _optimizer(path, optimizer) -> dict:
    if isinstance(optimizer, str):
        optimizer = {"class_name": optimizer, "config": {}}
    kind = {"adam": "Adam", "sgd": "SGD"}.get(str(optimizer["class_name"]).lower())
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
    loss, from_logits = config["loss"], False
    if isinstance(loss, dict):
        from_logits = loss.get("config", {}).get("from_logits", False)
        loss = loss["class_name"]
    if loss not in ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"):
        raise _unsupported(path, f"unsupported loss {loss!r}")
    metrics = config.get("metrics") or []
    if not all(m in ("accuracy", "acc") for m in metrics):
        raise _unsupported(path, f"unsupported metrics {metrics!r}")
    return {
        "optimizer": _optimizer(path, config["optimizer"]),
        "loss": {
            "class_name": "SparseCategoricalCrossentropy",
            "config": {"from_logits": from_logits},
        },
        "metrics": metrics,
    }


def load(path: Path, compile: bool) -> tuple[dict, dict | None, list, dict | None]:
    """Reads a ``.keras`` archive: (model config, compile config, weights, optimizer
    state or None).

    The archive is untrusted input (``untrusted.py``): members, JSON and HDF5 are
    checked before they are read, and the config (``descriptions.py``) before the
    weights it implies are read. With ``compile=False`` the compile settings and
    optimizer state are neither read nor checked.
    """
    files.check_readable_file(path)
    try:
        with zipfile.ZipFile(path) as archive:
            missing = [m for m in MEMBERS if m not in archive.namelist()]
            if missing:
                raise ValueError(f"not a .keras archive: no {', '.join(missing)}")
            json_cap, h5_cap = untrusted.MAX_JSON_BYTES, 2 * untrusted.MAX_ARRAY_BYTES
            metadata, config = (
                untrusted.parse_json(untrusted.read_member(archive, m, json_cap), m)
                for m in MEMBERS[:2]
            )
            h5_bytes = untrusted.read_member(archive, MEMBERS[2], h5_cap)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError,
            NotImplementedError, ValueError) as err:  # fmt: skip
        raise ValueError(f"{path}: not a readable .keras archive ({err}).") from None
    version = str(metadata.get("keras_version", "unknown"))
    if not version.startswith("3."):
        raise ValueError(
            f"{path}: unsupported Keras version {version}; minigenre reads files "
            "written by Keras 3."
        )
    input_dim, layers, dtype = _layers(path, config)
    compiled = _compile(path, config.get("compile_config")) if compile else None
    model_config = {
        "name": config["config"].get("name", "sequential"),
        "dtype": dtype,
        "input_dim": input_dim,
        "layers": layers,
    }
    descriptions.check_model_config(model_config)
    try:
        h5 = h5py_module().File(io.BytesIO(h5_bytes), "r")
    except OSError:
        raise ValueError(f"{path}: model.weights.h5 is not an HDF5 file.") from None
    with h5:
        try:
            weights, state = _weights(h5, model_config, compiled)
        except ValueError as err:
            sep = " " if str(err).startswith("has ") else ": "
            raise ValueError(f"{path}: model.weights.h5{sep}{err}.") from None
    model_config["input_dim"] = model_config["input_dim"] or weights[0].shape[0]
    return model_config, compiled, weights, state


def _weights(h5, model_config: dict, compiled: dict | None) -> tuple[list, dict]:
    """The weights, each read once its shape is the config's, and the optimizer's
    state (or None)."""
    datasets = untrusted.hdf5_datasets(h5)  # refuses links, external data, bombs
    layers = model_config["layers"]
    for i, layer in enumerate(layers):
        key = layer_key(i)
        count = 2 if layer["use_bias"] else 1
        missing = [f"{key}/{j}" for j in range(count) if f"{key}/{j}" not in datasets]
        if missing:
            raise ValueError(f"has no {missing[0]}")
        if f"{key}/{count}" in datasets:  # e.g. a bias with use_bias false
            raise ValueError(f"{key}/{count} is more than layer {i} has")
    first = datasets[f"{layer_key(0)}/0"]
    input_dim = model_config["input_dim"]
    if input_dim is None:
        input_dim = first.shape[0] if len(first.shape) == 2 else 0
    descriptions.check_count("the input width", input_dim)
    shapes = iter(descriptions.weight_shapes(model_config, input_dim))
    weights = []
    for i, layer in enumerate(layers):
        for j in range(2 if layer["use_bias"] else 1):
            key = f"{layer_key(i)}/{j}"
            weights.append(untrusted.read_dataset(key, datasets[key], next(shapes)))
    state = None if compiled is None else _optimizer_state(datasets, compiled, weights)
    return weights, state
