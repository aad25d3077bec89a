"""Reading Keras 3 .keras archives with h5py: what keras_write writes comes back, and
what minigenre does not implement is refused by name."""

import json
import re
import zipfile

import pytest

from minigenre.saving import config, keras_read, keras_write


def write(model, path):
    layers = [[w.copy() for w in layer.weights] for layer in model.layers]
    state = config.optimizer_state(model)
    keras_write.save(
        path, model.get_config(), config.compile_config(model), layers, state
    )
    return path


def edit_member(path, name, change):
    """Rewrites JSON member ``name`` after ``change`` edits it in place; a
    ``change`` of None drops the member."""
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    content = members.pop(name)
    if change:
        content = json.loads(content)
        change(content)
        members[name] = json.dumps(content).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for n, data in members.items():
            archive.writestr(n, data)


def test_reads_back_what_keras_write_writes(tmp_path, trained):
    path = write(trained, tmp_path / "m.keras")
    model_config, compiled, weights, state = keras_read.load(path, compile=True)
    assert model_config == {
        "name": "sequential",
        "dtype": "float32",
        "input_dim": 6,
        "layers": [
            {"name": "dense", "units": 4, "activation": "elu", "use_bias": True},
            {"name": "dense_1", "units": 3, "activation": "softmax", "use_bias": True},
        ],
    }
    assert compiled == config.compile_config(trained)
    assert [w.tobytes() for w in weights] == [
        w.tobytes() for w in trained.get_weights()
    ]
    saved = config.optimizer_state(trained)
    assert state["iterations"] == 2
    for name in ("momentum", "velocity"):
        assert [a.tobytes() for a in state["slots"][name]] == [
            a.tobytes() for a in saved["slots"][name]
        ]


def test_a_float64_model_reads_back_as_float64(tmp_path, tiny_model):
    path = write(tiny_model(dtype="float64"), tmp_path / "m.keras")
    model_config, _, weights, _ = keras_read.load(path, compile=True)
    assert weights[0].dtype == "float64"  # the weights themselves are float64
    assert model_config["dtype"] == "float64"


def test_compile_false_reads_neither_settings_nor_state(tmp_path, trained):
    path = write(trained, tmp_path / "m.keras")
    edit_member(path, "config.json", lambda c: c.update(compile_config={"loss": 1}))
    _, compiled, weights, state = keras_read.load(path, compile=False)
    assert (compiled, state, len(weights)) == (None, None, 4)


def test_no_optimizer_vars_means_no_state(tmp_path, trained):
    layers = [[w.copy() for w in layer.weights] for layer in trained.layers]
    path = tmp_path / "m.keras"
    compiled = config.compile_config(trained)
    keras_write.save(path, trained.get_config(), compiled, layers, None)
    _, read_compiled, _, state = keras_read.load(path, compile=True)
    assert (read_compiled, state) == (compiled, None)


def test_keras_own_spellings_of_compile_and_dtype_are_read(tmp_path, trained):
    def keras_style(described):
        described["compile_config"] = {
            "optimizer": "adam",
            "loss": "sparse_categorical_crossentropy",
            "metrics": ["acc"],
        }
        described["config"]["dtype"] = {"config": {"name": "float64"}}  # a policy

    path = write(trained, tmp_path / "m.keras")
    edit_member(path, "config.json", keras_style)
    model_config, compiled, _, _ = keras_read.load(path, compile=True)
    assert model_config["dtype"] == "float64"
    assert compiled["optimizer"] == {"class_name": "Adam", "config": {}}
    assert compiled["metrics"] == ["acc"]


def layers(c):
    return c["config"]["layers"]  # [InputLayer, dense, dense_1]


def compiled(c):
    return c["compile_config"]


BATCH_NORMALIZATION_WITH_RENORM = {
    "class_name": "BatchNormalization",
    "config": {"name": "batch_normalization", "renorm": True},
}
REFUSALS = {
    "keras-2": (
        "metadata.json",
        lambda m: m.update(keras_version="2.15.0"),
        "unsupported Keras version 2.15.0; minigenre reads files written by Keras 3.",
    ),
    "missing-member": (
        "model.weights.h5",
        None,
        "not a readable .keras archive (not a .keras archive: no model.weights.h5).",
    ),
    "layer": (
        "config.json",
        lambda c: layers(c)[2].update(class_name="LayerNormalization"),
        "unsupported layer 'LayerNormalization' (dense_1); minigenre reads a Keras 3 "
        "Sequential",
    ),
    "selu": (
        "config.json",
        lambda c: layers(c)[1]["config"].update(activation="selu"),
        "unsupported activation 'selu' in layer 'dense'; minigenre reads",
    ),
    "regularizer": (
        "config.json",
        lambda c: layers(c)[2]["config"].update(kernel_regularizer={"L2": 1}),
        "unsupported kernel_regularizer in layer 'dense_1'; minigenre reads",
    ),
    "amsgrad": (
        "config.json",
        lambda c: compiled(c)["optimizer"]["config"].update(amsgrad=True),
        "unsupported optimizer setting amsgrad=True; minigenre reads",
    ),
    "adagrad": (
        "config.json",
        lambda c: compiled(c)["optimizer"].update(class_name="Adagrad"),
        "unsupported optimizer 'Adagrad'; minigenre reads",
    ),
    "loss": (
        "config.json",
        lambda c: compiled(c).update(loss="mean_squared_error"),
        "unsupported loss 'mean_squared_error'; minigenre reads",
    ),
    "renorm": (
        "config.json",
        lambda c: layers(c).insert(2, BATCH_NORMALIZATION_WITH_RENORM),
        "unsupported renorm in layer 'batch_normalization'; minigenre reads",
    ),
    "missing-weights": (
        "config.json",
        lambda c: layers(c).append(layers(c)[2]),  # a third Dense, no weights
        "model.weights.h5 has no layers/dense_2/vars/0.",
    ),
}


@pytest.mark.parametrize(
    ("member", "change", "message"), REFUSALS.values(), ids=REFUSALS
)
def test_what_minigenre_does_not_read_is_refused_in_one_line(
    tmp_path, trained, member, change, message
):
    path = write(trained, tmp_path / "m.keras")
    edit_member(path, member, change)
    with pytest.raises(ValueError, match=f"^{re.escape(f'{path}: {message}')}") as err:
        keras_read.load(path, compile=True)
    assert "\n" not in str(err.value)


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    (tmp_path / "m.keras").write_text("{}")
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"{tmp_path / 'm.keras'}: not a readable .keras archive "
            "(File is not a zip file)."
        ),
    ):
        keras_read.load(tmp_path / "m.keras", compile=True)


def test_slot_names_are_keras_names_for_each_optimizer():
    assert keras_read.slot_names({"class_name": "Adam", "config": {}}) == (
        "momentum",
        "velocity",
    )
    sgd = {"class_name": "SGD", "config": {"momentum": 0.9}}
    assert keras_read.slot_names(sgd) == ("momentum",)
    assert keras_read.slot_names({**sgd, "config": {"momentum": 0.0}}) == ()
    assert keras_read.slot_names({**sgd, "config": {}}) == ()


def test_layer_key_numbers_dense_groups_as_keras_does():
    assert [keras_read.layer_key(i) for i in (0, 1, 2, 11)] == [
        "layers/dense/vars",
        "layers/dense_1/vars",
        "layers/dense_2/vars",
        "layers/dense_11/vars",
    ]
