"""A model file's description is checked in full before anything is built: sizes
against the stored weights, types, finite numbers, the optimizer's state."""

import json
import re
import tracemalloc
import zipfile

import numpy as np
import pytest
from npz_edits import rewrite_npz

from minigenre import Adam, load_model, save_model
from minigenre.saving import descriptions


def refused(path, message):
    return pytest.raises(ValueError, match=f"^{re.escape(str(path))}: .*{message}")


def edit_keras_config(path, change):
    with zipfile.ZipFile(path) as archive:
        contents = {n: archive.read(n) for n in archive.namelist()}
    config = json.loads(contents["config.json"])
    change(config)
    contents["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


@pytest.fixture
def trained_file(tmp_path, tiny_model, tiny_data):
    def make(suffix):
        model = tiny_model()
        model.fit(*tiny_data, verbose=0)
        path = tmp_path / f"m{suffix}"
        save_model(model, path)
        return path

    return make


@pytest.mark.parametrize("units", [2_000_000, 10**12])
def test_huge_units_are_refused_before_any_allocation(trained_file, units):
    path = trained_file(".npz")
    rewrite_npz(path, lambda d: d["model"]["layers"][0].update(units=units))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=f"^{re.escape(str(path))}: "):
            load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20  # the layer would take gigabytes


def test_units_not_matching_the_keras_weights_are_refused_before_building(
    trained_file,
):
    path = trained_file(".keras")
    edit_keras_config(
        path, lambda c: c["config"]["layers"][1]["config"].update(units=2_000_000)
    )
    with refused(path, re.escape("layers/dense/vars/0 has shape (6, 4); the model")):
        load_model(path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda layer: layer.update(units=16.7), "layer 0's units must be a int"),
        (lambda layer: layer.update(units=True), "layer 0's units must be a int"),
        (lambda layer: layer.update(use_bias="no"), "use_bias must be a bool"),
        (lambda layer: layer.update(spare=1), "layer 0 has unknown entries"),
    ],
    ids=["fraction", "bool", "string-bool", "unknown-key"],
)
def test_layer_settings_of_the_wrong_type_are_refused(trained_file, edit, message):
    path = trained_file(".npz")
    rewrite_npz(path, lambda d: edit(d["model"]["layers"][0]))
    with refused(path, message):
        load_model(path)


def test_from_logits_must_be_a_bool(trained_file):
    path = trained_file(".keras")
    edit_keras_config(
        path,
        lambda c: c["compile_config"].update(
            loss={
                "class_name": "SparseCategoricalCrossentropy",
                "config": {"from_logits": "no"},
            }
        ),
    )
    with refused(path, "from_logits must be a bool. Received: 'no'"):
        load_model(path)


def test_a_bias_with_use_bias_false_is_refused_not_dropped(trained_file):
    path = trained_file(".keras")
    edit_keras_config(
        path, lambda c: c["config"]["layers"][1]["config"].update(use_bias=False)
    )
    with refused(path, re.escape("layers/dense/vars/1 is more than layer 0 has")):
        load_model(path)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("optimizer_momentum_0", np.nan, "momentum 0 holds NaN or infinity"),
        ("optimizer_velocity_1", -1.0, "velocity 1 is negative"),
        ("optimizer_iterations", -1, "iterations must be >= 0: -1"),
        ("optimizer_iterations", np.inf, "iterations are inf"),
    ],
)
def test_damaged_optimizer_state_is_refused(trained_file, name, value, message):
    path = trained_file(".npz")

    def damage(arrays):
        array = arrays[name].astype(
            np.float64 if np.isnan(value) else arrays[name].dtype
        )
        if name == "optimizer_iterations":
            array = np.array(value)
        else:
            array.flat[0] = value
        arrays[name] = array

    rewrite_npz(path, edit_arrays=damage)
    with refused(path, re.escape(message)):
        load_model(path)


def test_complex_optimizer_slots_are_refused(trained_file):
    path = trained_file(".npz")
    rewrite_npz(
        path,
        edit_arrays=lambda a: a.update(
            optimizer_momentum_0=a["optimizer_momentum_0"].astype(np.complex64)
        ),
    )
    with refused(path, "momentum 0 holds complex64, not real numbers"):
        load_model(path)


@pytest.mark.parametrize("epsilon", [np.nan, -1e-7, None])
def test_a_bad_epsilon_in_the_file_is_refused(trained_file, epsilon):
    path = trained_file(".npz")
    rewrite_npz(
        path, lambda d: d["compile"]["optimizer"]["config"].update(epsilon=epsilon)
    )
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}: .*epsilon"):
        load_model(path)


@pytest.mark.parametrize("epsilon", [float("nan"), -1e-7, float("inf"), "1e-7"])
def test_adam_refuses_an_epsilon_that_is_not_a_finite_number_at_least_0(epsilon):
    with pytest.raises(ValueError, match="epsilon must be a finite number >= 0"):
        Adam(epsilon=epsilon)


def test_generator_states_out_of_range_are_refused(trained_file):
    path = trained_file(".npz")
    rewrite_npz(path, lambda d: d["state"]["init"]["state"].update(state=2**200))
    with refused(path, "the init generator's state holds"):
        load_model(path)


@pytest.mark.parametrize("part", ["config", "metadata", "body", "layer", "optimizer"])
@pytest.mark.parametrize("value", [[1, 2], "text"])
def test_a_part_of_another_json_type_is_one_value_error(trained_file, part, value):
    path = trained_file(".keras")
    with zipfile.ZipFile(path) as archive:
        contents = {n: archive.read(n) for n in archive.namelist()}
    config = json.loads(contents["config.json"])
    if part == "config":
        contents["config.json"] = json.dumps(value).encode()
    elif part == "metadata":
        contents["metadata.json"] = json.dumps(value).encode()
    else:
        target = {
            "body": lambda: config.update(config=value),
            "layer": lambda: config["config"]["layers"].__setitem__(1, value),
            "optimizer": lambda: config["compile_config"].update(optimizer=value),
        }
        target[part]()
        contents["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}: [^\n]*$"):
        load_model(path)


def test_weight_shapes_follow_the_config():
    config = {"layers": [{"units": 4}, {"units": 3, "use_bias": False}]}
    assert descriptions.weight_shapes(config, 6) == [(6, 4), (4,), (4, 3)]


def layered_npz(tmp_path):
    from minigenre import Dense, Sequential
    from minigenre.layers import Activation, Dropout

    model = Sequential([Dense(4), Dropout(0.2, seed=1), Activation("elu"), Dense(3)])
    model.compile(metrics=["accuracy"])
    model.build(5)
    path = tmp_path / "m.npz"
    save_model(model, path)
    return path


@pytest.mark.parametrize(
    ("layer", "change", "message"),
    [
        (1, {"rate": 1.5}, r"layer 1's rate must be in \[0, 1\)"),
        (1, {"rate": "high"}, "layer 1's rate must be a float"),
        (1, {"seed": -1}, "layer 1's seed must be >= 0"),
        (1, {"units": 4}, r"layer 1 has unknown entries \['units'\]"),
        (2, {"activation": "swish"}, "layer 2: unsupported activation 'swish'"),
        (2, {"class_name": "Conv2D"}, "layer 2: unsupported layer 'Conv2D'"),
    ],
)
def test_weightless_layers_are_checked_by_kind(tmp_path, layer, change, message):
    path = layered_npz(tmp_path)
    rewrite_npz(path, lambda c: c["model"]["layers"][layer].update(change))
    with refused(path, message):
        load_model(path)


def test_weightless_layers_have_no_weight_shapes():
    config = {
        "input_dim": 5,
        "layers": [
            {"units": 4},
            {"class_name": "Dropout", "rate": 0.5},
            {"class_name": "Activation", "activation": "relu"},
            {"units": 3, "use_bias": False},
        ],
    }
    assert descriptions.weight_shapes(config, 5) == [(5, 4), (4,), (4, 3)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"centered": 1.0}, "RMSprop's centered must be a bool"),
        ({"rho": "x"}, "RMSprop's rho must be a float"),
        ({"nesterov": True}, r"unknown entries \['nesterov'\]"),
    ],
)
def test_rmsprop_settings_are_checked(tmp_path, tiny_model, change, message):
    from minigenre.optimizers import RMSprop

    path = tmp_path / "m.npz"
    save_model(tiny_model(RMSprop(momentum=0.5, centered=True)), path)
    rewrite_npz(path, lambda c: c["compile"]["optimizer"]["config"].update(change))
    with refused(path, message):
        load_model(path)


def test_the_new_losses_and_metrics_are_accepted_and_others_refused(tmp_path):
    from minigenre import Dense, Sequential

    model = Sequential([Dense(2, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", metrics=["binary_accuracy", "acc"])
    model.build(3)
    path = tmp_path / "m.npz"
    save_model(model, path)
    loaded = load_model(path)
    assert (type(loaded.loss).__name__, loaded.metrics) == (
        "BinaryCrossentropy",
        ["binary_accuracy", "acc"],
    )
    rewrite_npz(path, lambda c: c["compile"].update(metrics=["auc"]))
    with refused(path, "unsupported metrics"):
        load_model(path)
    rewrite_npz(path, lambda c: c["compile"]["loss"].update(class_name="Hinge"))
    with refused(path, "unsupported loss 'Hinge'"):
        load_model(path)
