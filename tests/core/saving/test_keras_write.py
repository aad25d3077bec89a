"""Keras 3 .keras archives written with h5py: the members, config.json and the HDF5
layout Keras's saving_lib reads."""

import io
import json
import re
import zipfile

import h5py
import numpy as np
import pytest

from minigenre import SGD, Dense, Sequential
from minigenre.saving import config, keras_write


def write(model, path):
    """``keras_write.save`` given the model through its public API."""
    layers = [[w.copy() for w in layer.weights] for layer in model.layers]
    state = config.optimizer_state(model)
    keras_write.save(
        path, model.get_config(), config.compile_config(model), layers, state
    )
    return path


def member(path, name):
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def weights_h5(path):
    return h5py.File(io.BytesIO(member(path, "model.weights.h5")), "r")


def test_the_archive_has_exactly_the_three_members(tmp_path, trained):
    path = write(trained, tmp_path / "m.keras")
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [
            "metadata.json",
            "config.json",
            "model.weights.h5",
        ]
    metadata = json.loads(member(path, "metadata.json"))
    assert metadata["keras_version"] == "3.0.0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d", metadata["date_saved"])


def serialized(module, class_name, settings):
    return {
        "module": module,
        "class_name": class_name,
        "config": settings,
        "registered_name": None,
    }


def test_config_json_is_a_sequential_led_by_its_input_layer(tmp_path, trained):
    described = json.loads(member(write(trained, tmp_path / "m.keras"), "config.json"))
    assert (described["module"], described["class_name"]) == ("keras", "Sequential")
    assert described["config"]["name"] == "sequential"
    assert described["config"]["layers"][0] == serialized(
        "keras.layers", "InputLayer", {"batch_shape": [None, 6], "dtype": "float32"}
    )
    assert [layer["class_name"] for layer in described["config"]["layers"]] == [
        "InputLayer",
        "Dense",
        "Dense",
    ]


def test_dense_configs_carry_units_activation_bias_and_initializers(tmp_path):
    model = Sequential(
        [Dense(5, activation="relu", kernel_initializer="he_uniform", use_bias=False)]
    )
    model.build(3)
    described = json.loads(member(write(model, tmp_path / "m.keras"), "config.json"))
    assert described["config"]["layers"][1] == serialized(
        "keras.layers",
        "Dense",
        {
            "name": "dense",
            "trainable": True,
            "dtype": "float32",
            "units": 5,
            "activation": "relu",
            "use_bias": False,
            "kernel_initializer": serialized("keras.initializers", "HeUniform", {}),
            "bias_initializer": serialized("keras.initializers", "Zeros", {}),
        },
    )
    assert "compile_config" not in described  # never compiled


def test_compile_config_is_keras_serialized(tmp_path, trained):
    described = json.loads(member(write(trained, tmp_path / "m.keras"), "config.json"))
    assert described["compile_config"] == {
        "optimizer": serialized(
            "keras.optimizers",
            "Adam",
            {
                "name": "adam",
                "learning_rate": 0.01,
                "beta_1": 0.9,
                "beta_2": 0.999,
                "epsilon": 1e-7,
            },
        ),
        "loss": serialized(
            "keras.losses", "SparseCategoricalCrossentropy", {"from_logits": False}
        ),
        "metrics": ["accuracy"],
    }


def test_weights_are_under_keras_class_numbered_groups(tmp_path, trained):
    with weights_h5(write(trained, tmp_path / "m.keras")) as h5:
        assert sorted(h5["layers"]) == ["dense", "dense_1"]
        stored = [
            h5[f"layers/{g}/vars/{j}"] for g in ("dense", "dense_1") for j in "01"
        ]
        assert [a.shape for a in stored] == [(6, 4), (4,), (4, 3), (3,)]
        assert [np.asarray(a).tobytes() for a in stored] == [
            w.tobytes() for w in trained.get_weights()
        ]
        assert h5["layers/dense/vars"].attrs["name"] == "dense"
        assert h5["layers/dense_1/vars"].attrs["name"] == "dense_1"
        assert h5["vars"].attrs["name"] == "sequential"


def test_adam_vars_are_in_keras_order(tmp_path, trained):
    state = config.optimizer_state(trained)
    with weights_h5(write(trained, tmp_path / "m.keras")) as h5:
        stored = h5["optimizer/vars"]
        assert stored.attrs["name"] == "adam"
        assert sorted(stored, key=int) == [str(j) for j in range(10)]
        iterations, learning_rate = stored["0"], stored["1"]
        assert (iterations[()], iterations.dtype) == (2, np.int64)
        assert (learning_rate[()], learning_rate.dtype) == (
            np.float32(0.01),
            np.float32,
        )
        # Then each weight's momentum and velocity, weight by weight.
        expected = [
            a for pair in zip(*state["slots"].values(), strict=True) for a in pair
        ]
        assert [stored[str(j)][()].tobytes() for j in range(2, 10)] == [
            a.tobytes() for a in expected
        ]
        assert stored["2"].shape == stored["3"].shape == (6, 4)


def test_sgd_with_momentum_stores_one_slot_per_weight(tmp_path, tiny_model, tiny_data):
    model = tiny_model(SGD(0.1, momentum=0.9))
    model.fit(*tiny_data, verbose=0)
    velocities = config.optimizer_state(model)["slots"]["momentum"]
    with weights_h5(write(model, tmp_path / "m.keras")) as h5:
        stored = h5["optimizer/vars"]
        assert (len(stored), stored.attrs["name"]) == (6, "sgd")
        assert [stored[str(j)][()].tobytes() for j in range(2, 6)] == [
            v.tobytes() for v in velocities
        ]


def test_an_uncompiled_model_has_no_optimizer_group(tmp_path, tiny_model):
    path = write(tiny_model(compiled=False), tmp_path / "m.keras")
    with weights_h5(path) as h5:
        assert "optimizer" not in h5
        assert sorted(h5) == ["layers", "vars"]


def test_hdf5_gets_no_python_file_to_call_back_into(monkeypatch, trained):
    # A Ctrl-C that lands in one of HDF5's callbacks to a Python file object
    # while it closes the file comes out as another error, or not at all; built
    # in HDF5's own memory, the weights member has no callback to land in.
    opened = []
    real_file = h5py.File

    def spy(name, *args, **kwargs):
        opened.append((name, kwargs.get("driver"), kwargs.get("backing_store")))
        return real_file(name, *args, **kwargs)

    monkeypatch.setattr(h5py, "File", spy)
    layers = [layer.get_weights() for layer in trained.layers]
    image = keras_write.weights_h5(trained.get_config(), layers)
    assert opened == [("model.weights.h5", "core", False)]
    with real_file(io.BytesIO(image), "r") as h5:
        assert h5["layers/dense/vars/0"].shape == trained.layers[0].kernel.shape


def test_ctrl_c_during_a_save_propagates_and_keeps_the_old_file(
    monkeypatch, tmp_path, trained
):
    path = tmp_path / "model.keras"
    trained.save(path)
    before = path.read_bytes()
    real_writestr = zipfile.ZipFile.writestr

    def interrupted(self, name, data, *args, **kwargs):
        if name == "model.weights.h5":
            raise KeyboardInterrupt
        return real_writestr(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", interrupted)
    with pytest.raises(KeyboardInterrupt):
        trained.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]  # no temporary
