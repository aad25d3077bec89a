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
  ``optimizer/vars/0..n``: the step count, the learning rate, then the slots
  (Adam: each weight's first and second moment together; RMSprop: every
  velocity, then every momentum, see ``slots_interleaved``), for the trainable
  weights only: a ``BatchNormalization``'s ``vars/0..3`` are gamma, beta, the
  moving mean and the moving variance, and only the first two have slots.

Only what minigenre implements is accepted: a ``Sequential`` of ``Dense``,
``Activation``, ``Dropout`` and ``BatchNormalization`` layers with the
activations in ``activations.ACTIVATIONS``; anything else is refused by name.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from minigenre import activations
from minigenre.layers import SNAKE_NAMES
from minigenre.saving import descriptions, files, untrusted

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


def _optimizer_state(datasets: dict, compiled: dict, weights: list) -> dict | None:
    """The optimizer's state from ``optimizer/vars`` for the trainable ``weights``,
    or None if absent or unused.

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
    # (iterations, learning rate), then the slots: Adam's each weight's together,
    # RMSprop's slot by slot (slots_interleaved).
    if slots_interleaved(compiled["optimizer"]):
        slot_shapes = [w.shape for w in weights for _ in names]
    else:
        slot_shapes = [w.shape for _ in names for w in weights]
    shapes = [datasets[keys[0]].shape, (), *slot_shapes]
    arrays = [
        untrusted.read_dataset(k, datasets[k], s)
        for k, s in zip(keys, shapes, strict=True)
    ]
    n = len(weights)
    if slots_interleaved(compiled["optimizer"]):
        slots = {name: arrays[2 + k :: len(names)] for k, name in enumerate(names)}
    else:
        slots = {
            name: arrays[2 + k * n : 2 + (k + 1) * n] for k, name in enumerate(names)
        }
    return {"iterations": descriptions.iterations_of(arrays[0]), "slots": slots}


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
        f"{path}: {what}; minigenre reads a Keras 3 Sequential of Dense, Activation, "
        f"Dropout and BatchNormalization layers with activations "
        f"{', '.join(sorted(activations.ACTIVATIONS))}."
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
        if kind in ("Activation", "Dropout"):
            layers.append(_weightless_layer(path, kind, settings))
            continue
        if kind == "BatchNormalization":
            layers.append(_batch_normalization(path, settings))
            input_dim = input_dim or _built_width(entry, layers)
            continue
        if kind != "Dense":
            raise _unsupported(
                path, f"unsupported layer {kind!r} ({settings.get('name')})"
            )
        activation = _activation(path, settings)
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
        input_dim = input_dim or _built_width(entry, layers)
    if not any(layer.get("class_name", "Dense") == "Dense" for layer in layers):
        raise _unsupported(path, "no Dense layer")
    if isinstance(dtype, dict):  # a DTypePolicy
        dtype = dtype.get("config", {}).get("name")
    if dtype not in ("float32", "float64"):
        raise _unsupported(path, f"unsupported dtype policy {dtype!r}")
    return input_dim, layers, dtype


def _built_width(entry: dict, layers: list) -> int | None:
    """The input width a first layer's ``build_config`` names (None otherwise)."""
    if len(layers) != 1:
        return None
    shape = (entry.get("build_config") or {}).get("input_shape")
    return shape[-1] if shape else None


# BatchNormalization settings minigenre does not implement, with the values that
# mean "off"; any other value is refused.
_NORMALIZATION_OFF = {
    "beta_regularizer": None,
    "gamma_regularizer": None,
    "beta_constraint": None,
    "gamma_constraint": None,
    "synchronized": False,
    "renorm": False,
    "renorm_clipping": None,
}
_INITIALIZER_NAMES = {"Zeros": "zeros", "Ones": "ones", "GlorotUniform":
                      "glorot_uniform", "HeUniform": "he_uniform"}  # fmt: skip


def _batch_normalization(path, settings: dict) -> dict:
    """A ``BatchNormalization``'s settings, in ``get_config``'s form."""
    name = settings["name"]
    for key, off in _NORMALIZATION_OFF.items():
        if settings.get(key, off) != off:
            raise _unsupported(path, f"unsupported {key} in layer {name!r}")
    layer = {"class_name": "BatchNormalization", "name": name}
    for key in ("axis", "momentum", "epsilon", "center", "scale"):
        if key in settings:
            layer[key] = settings[key]
    for key in [k for k in settings if k.endswith("_initializer")]:
        given = settings[key]
        if isinstance(given, dict):  # Keras's serialized initializer
            if given.get("config"):
                raise _unsupported(path, f"unsupported {key} in layer {name!r}")
            given = _INITIALIZER_NAMES.get(given.get("class_name"), given)
        if given not in _INITIALIZER_NAMES.values():
            raise _unsupported(path, f"unsupported {key} {given!r} in layer {name!r}")
        layer[key] = given
    return layer


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
_OPTIMIZER_KEYS = descriptions.OPTIMIZER_KEYS


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
_METRICS = descriptions.METRIC_NAMES


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
        "config": {"from_logits": settings.get("from_logits", False)},  # checked
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
    weights = _read_weights(datasets, model_config)
    if compiled is None:
        return weights, None
    # The optimizer's slots follow the trainable weights (not the moving statistics).
    described = descriptions.described_weights(model_config, weights[0].shape[0])
    trainable = [
        w for w, (_, _, learned) in zip(weights, described, strict=True) if learned
    ]
    return weights, _optimizer_state(datasets, compiled, trainable)


def _read_weights(datasets: dict, model_config: dict) -> list:
    """Each layer's variables from ``datasets`` (``untrusted.hdf5_datasets``),
    in ``get_weights`` order, each read once its shape is the one the config
    implies; weightless layers (Activation, Dropout) are skipped."""
    layers = model_config["layers"]
    keys = []
    for i, (key, layer) in enumerate(zip(layer_keys(layers), layers, strict=True)):
        count = len(descriptions.layer_weights(layer, 1))
        if count == 0:
            continue  # no weights
        missing = [f"{key}/{j}" for j in range(count) if f"{key}/{j}" not in datasets]
        if missing:
            raise ValueError(f"has no {missing[0]}")
        if f"{key}/{count}" in datasets:  # e.g. a bias with use_bias false
            raise ValueError(f"{key}/{count} is more than layer {i} has")
        keys += [f"{key}/{j}" for j in range(count)]
    input_dim = model_config["input_dim"]
    if not keys:
        raise ValueError("the model has no Dense layer")
    if input_dim is None:
        first = datasets[keys[0]]  # a kernel (in, units) or a gamma (in,)
        input_dim = first.shape[0] if len(first.shape) in (1, 2) else 0
    descriptions.check_count("the input width", input_dim)
    shapes = descriptions.weight_shapes(model_config, input_dim)
    return [
        untrusted.read_dataset(key, datasets[key], shape)
        for key, shape in zip(keys, shapes, strict=True)
    ]


def load_weights(path, model_config: dict) -> list:
    """The weights in a Keras 3 ``.weights.h5`` file for a model described by
    ``model_config`` (``Sequential.get_config``), in ``get_weights`` order.

    The file is untrusted as a ``.keras`` archive is: walked without following
    links (``untrusted.hdf5_datasets``), each variable read only once its shape is
    the one the config implies."""
    descriptions.check_model_config(model_config)
    try:
        h5 = h5py_module().File(path, "r")
    except OSError as err:
        raise ValueError(f"not a readable .weights.h5 file ({err}).") from None
    with h5:
        try:
            return _read_weights(untrusted.hdf5_datasets(h5), model_config)
        except ValueError as err:
            raise ValueError(f"{str(err).rstrip('.')}.") from None
