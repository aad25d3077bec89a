"""Writing Keras 3 ``.keras`` archives with h5py (no TensorFlow); the layout is
described in ``keras_read``, which reads them.

What is written is what Keras 3 writes for the same model, minus what it does not
need to load it: ``keras.saving.load_model`` opens the archive, compiles the model
and restores the optimizer's state, so training can go on in Keras.
"""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime

import numpy as np

from minigenre.saving import files, keras_read
from minigenre.saving.keras_read import h5py_module, layer_keys

# metadata.json's keras_version. Keras loads an archive without checking it, and
# minigenre's reader only asks for a 3.x version. The layout written here follows
# Keras 3.15's saving_lib and is tested against Keras 3.15.
KERAS_VERSION = "3.0.0"


def _serialized(module: str, class_name: str, config: dict) -> dict:
    return {
        "module": module,
        "class_name": class_name,
        "config": config,
        "registered_name": None,
    }


_INITIALIZERS = {
    "glorot_uniform": "GlorotUniform",
    "he_uniform": "HeUniform",
    "zeros": "Zeros",
    "ones": "Ones",
}


def _keras_config(model_config: dict, compile_config: dict | None) -> dict:
    """Keras's ``config.json`` for a model described by ``Sequential.get_config``."""
    dtype = model_config["dtype"]
    layers = [
        _serialized(
            "keras.layers",
            "InputLayer",
            {"batch_shape": [None, model_config["input_dim"]], "dtype": dtype},
        )
    ]
    for layer in model_config["layers"]:
        settings = dict(layer)
        kind = settings.pop("class_name", "Dense")
        for key in [k for k in settings if k.endswith("_initializer")]:
            name = _INITIALIZERS[settings[key]]
            settings[key] = _serialized("keras.initializers", name, {})
        if kind == "Dropout":
            settings["noise_shape"] = None
        common = {"name": settings.pop("name"), "trainable": True, "dtype": dtype}
        layers.append(_serialized("keras.layers", kind, {**common, **settings}))
    config = _serialized(
        "keras", "Sequential", {"name": model_config["name"], "layers": layers}
    )
    if compile_config is not None:
        optimizer = compile_config["optimizer"]
        loss = compile_config["loss"]
        config["compile_config"] = {
            "optimizer": _serialized(
                "keras.optimizers",
                optimizer["class_name"],
                {"name": optimizer["class_name"].lower(), **optimizer["config"]},
            ),
            "loss": _serialized("keras.losses", loss["class_name"], loss["config"]),
            "metrics": compile_config["metrics"] or None,
        }
    return config


def save(
    path,
    model_config: dict,
    compile_config: dict | None,
    weights: list[list[np.ndarray]],
    optimizer: dict | None,
) -> None:
    """Writes a model as a Keras 3 ``.keras`` archive, atomically.

    Args:
        weights: Each layer's ``[kernel, bias]`` (or ``[kernel]``; ``[]`` for a
            layer without weights).
        optimizer: ``config.optimizer_state``'s ``{"iterations", "learning_rate",
            "slots"}``, or None for an uncompiled model.
    """
    content = weights_h5(model_config, weights, compile_config, optimizer)
    metadata = {
        "keras_version": KERAS_VERSION,
        "date_saved": datetime.now(UTC).strftime("%Y-%m-%d@%H:%M:%S"),
    }
    config = _keras_config(model_config, compile_config)
    with (
        files.atomic_open(path, "wb") as f,
        zipfile.ZipFile(f, "w") as archive,
    ):
        archive.writestr("metadata.json", json.dumps(metadata))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", content)


def weights_h5(model_config, weights, compile_config=None, optimizer=None) -> bytes:
    """The bytes of Keras's ``model.weights.h5``: each layer's variables under
    ``layers/<class>_<n>/vars``, then the optimizer's under ``optimizer/vars``.

    The file is built in HDF5's own memory (the ``core`` driver, nothing on disk),
    not through a Python file object: HDF5 would call back into Python to write
    it, and a Ctrl-C landing in a callback while HDF5 closes the file does not
    come out as ``KeyboardInterrupt``. Here it comes between two statements."""
    with h5py_module().File(
        "model.weights.h5", "w", driver="core", backing_store=False
    ) as h5:
        h5.create_group("vars").attrs["name"] = model_config["name"]
        layers = model_config["layers"]
        for key, layer, arrays in zip(layer_keys(layers), layers, weights, strict=True):
            variables = h5.create_group(key)
            variables.attrs["name"] = layer["name"]
            for j, array in enumerate(arrays):
                variables[str(j)] = array
        if optimizer is not None:
            variables = h5.create_group("optimizer/vars")
            variables.attrs["name"] = compile_config["optimizer"]["class_name"].lower()
            interleaved = keras_read.slots_interleaved(compile_config["optimizer"])
            for j, array in enumerate(_optimizer_variables(optimizer, interleaved)):
                variables[str(j)] = array
        h5.flush()
        return h5.id.get_file_image()


def save_weights(path, model_config: dict, weights: list[list[np.ndarray]]) -> None:
    """Writes Keras 3's ``.weights.h5`` (``model.save_weights``), atomically: the
    layers' variables, which ``load_weights`` in Keras or minigenre reads back."""
    with files.atomic_open(path, "wb") as f:
        f.write(weights_h5(model_config, weights))


def _optimizer_variables(state: dict, interleaved: bool) -> list[np.ndarray]:
    """Keras's order: the step count, the learning rate, then the slots, each
    weight's together (Adam) or slot by slot (RMSprop; see ``slots_interleaved``)."""
    slots = list(state["slots"].values())  # e.g. [momentums, velocities]
    if interleaved:
        per_weight = [a for arrays in zip(*slots, strict=True) for a in arrays]
    else:
        per_weight = [a for arrays in slots for a in arrays]
    return [
        np.array(state["iterations"], np.int64),
        np.array(state["learning_rate"], np.float32),
        *per_weight,
    ]
