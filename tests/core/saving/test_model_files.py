"""Whole-model files: minigenre's .npz and Keras 3's .keras, without TensorFlow."""

import json
import zipfile

import numpy as np
import pytest
from without_tensorflow import predict_without_tensorflow

import minigenre
from minigenre import SGD, Adam, Dense, Sequential, load_model, save_model


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 7)).astype(np.float32)
    return x, rng.integers(0, 3, size=60)


def small_model(optimizer=None, seed=1):
    model = Sequential(
        [
            Dense(5, activation="relu"),
            Dense(4, activation="elu", use_bias=False),
            Dense(3, activation="softmax"),
        ],
        seed=seed,
        name="small",
    )
    model.compile(optimizer or Adam(learning_rate=0.01), metrics=["accuracy"])
    return model


@pytest.mark.parametrize("suffix", [".npz", ".keras"])
def test_round_trip_keeps_architecture_compile_settings_and_outputs(
    tmp_path, data, suffix
):
    x, y = data
    model = small_model(SGD(learning_rate=0.05, momentum=0.5))
    model.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / f"model{suffix}"
    save_model(model, path)
    loaded = load_model(path)
    assert [
        (la.units, la.activation, la.use_bias, la.name) for la in loaded.layers
    ] == [
        (5, "relu", True, "dense"),
        (4, "elu", False, "dense_1"),
        (3, "softmax", True, "dense_2"),
    ]
    assert loaded.name == "small"
    assert isinstance(loaded.optimizer, SGD)
    assert (loaded.optimizer.learning_rate, loaded.optimizer.momentum) == (0.05, 0.5)
    assert loaded.metrics == ["accuracy"]
    for ours, theirs in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_uncompiled_load_has_no_optimizer(tmp_path, data):
    model = small_model()
    model.build(7)
    save_model(model, tmp_path / "m.npz")
    assert load_model(tmp_path / "m.npz", compile=False).optimizer is None
    assert isinstance(load_model(tmp_path / "m.npz").optimizer, Adam)


def test_unbuilt_model_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not built: there are no weights to save"):
        save_model(small_model(), tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("name", ["m.h5", "m", "m.json"])
def test_other_extensions_are_refused(tmp_path, name):
    model = small_model()
    model.build(7)
    with pytest.raises(ValueError, match=r"must end in \.npz .* or \.keras"):
        save_model(model, tmp_path / name)
    with pytest.raises(ValueError, match="Cannot tell the format"):
        load_model(tmp_path / name)


def test_weights_only_file_is_named_as_such(tmp_path):
    model = small_model()
    model.build(7)
    model.save_weights(tmp_path / "w.npz")
    with pytest.raises(ValueError, match=r"w\.npz: not a minigenre model file"):
        load_model(tmp_path / "w.npz")


def test_damaged_and_missing_files_name_the_file(tmp_path):
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"bad\.npz: not a readable \.npz"):
        load_model(tmp_path / "bad.npz")
    (tmp_path / "bad.keras").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"bad\.keras: not a readable \.keras"):
        load_model(tmp_path / "bad.keras")
    with pytest.raises(ValueError, match=r"gone\.keras: file not found"):
        load_model(tmp_path / "gone.keras")


def test_failed_save_leaves_the_previous_file(tmp_path, data, monkeypatch):
    model = small_model()
    model.fit(*data, verbose=0)
    path = tmp_path / "m.keras"
    save_model(model, path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", broken)
    with pytest.raises(OSError, match="disk full"):
        save_model(model, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.keras"]


# -- .keras archives edited to hold what minigenre does not implement ---------------


def rewrite(path, member, edit):
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[member] = json.dumps(edit(json.loads(members[member]))).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)


@pytest.fixture
def keras_file(tmp_path, data):
    model = small_model()
    model.fit(*data, verbose=0)
    path = tmp_path / "m.keras"
    save_model(model, path)
    return path


def test_unsupported_layer_is_named(keras_file):
    def edit(config):
        config["config"]["layers"][2]["class_name"] = "Conv1D"
        return config

    rewrite(keras_file, "config.json", edit)
    with pytest.raises(ValueError, match=r"m\.keras: unsupported layer 'Conv1D'"):
        load_model(keras_file)


def test_unsupported_activation_is_named(keras_file):
    def edit(config):
        config["config"]["layers"][1]["config"]["activation"] = "selu"
        return config

    rewrite(keras_file, "config.json", edit)
    with pytest.raises(
        ValueError, match=r"unsupported activation 'selu' in layer 'dense'"
    ):
        load_model(keras_file)


def test_unsupported_keras_version_is_named(keras_file):
    rewrite(keras_file, "metadata.json", lambda m: {**m, "keras_version": "2.15.0"})
    with pytest.raises(ValueError, match=r"unsupported Keras version 2\.15\.0"):
        load_model(keras_file)


def test_unsupported_optimizer_setting_is_named(keras_file):
    def edit(config):
        config["compile_config"]["optimizer"]["config"]["amsgrad"] = True
        return config

    rewrite(keras_file, "config.json", edit)
    with pytest.raises(ValueError, match="unsupported optimizer setting amsgrad=True"):
        load_model(keras_file)
    assert load_model(keras_file, compile=False).optimizer is None


def test_keras_file_loads_where_tensorflow_cannot_be_imported(keras_file, data):
    x, _ = data
    proba, modules = predict_without_tensorflow(keras_file, x)
    assert modules == "['keras', 'tensorflow']"  # only the blocks
    np.testing.assert_array_equal(proba, load_model(keras_file).predict(x))


def test_compat_names_are_the_same_functions():
    from minigenre.compat import keras

    assert keras.models.load_model is minigenre.load_model
    assert keras.saving.save_model is minigenre.save_model


def test_weights_h5_is_written_atomically_and_read_back(tmp_path, tiny_model):
    model = tiny_model()
    model.save_weights(tmp_path / "w.weights.h5")
    other = tiny_model(seed=1)
    other.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(model.get_weights(), other.get_weights(), strict=True):
        assert np.array_equal(a, b)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.weights.h5"]  # no temp
    with pytest.raises(ValueError, match=r"must end in .npz or .weights.h5"):
        model.save_weights(tmp_path / "w.h5")
