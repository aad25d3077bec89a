"""load_model: a whole model back from a file, ready to train on exactly."""

import re

import numpy as np
import pytest
from npz_edits import rewrite_npz

from minigenre import load_model, save_model
from minigenre.study.network import study_model


def refused(path, message):
    return pytest.raises(ValueError, match=f"^{re.escape(f'{path}: {message}')}$")


@pytest.mark.parametrize("name", ["m.h5", "m", "m.npz.bak"])
def test_a_name_without_npz_or_keras_is_refused(tmp_path, name):
    path = tmp_path / name
    with pytest.raises(
        ValueError,
        match=f"^{re.escape(f'Cannot tell the format of {path}: the name must end')}"
        r" in \.npz \(minigenre's format\) or \.keras \(Keras 3's\)\.$",
    ):
        load_model(path)


@pytest.mark.parametrize("suffix", [".npz", ".keras"])
def test_a_missing_file_is_refused_naming_it(tmp_path, suffix):
    with refused(tmp_path / f"gone{suffix}", "file not found."):
        load_model(tmp_path / f"gone{suffix}")


@pytest.mark.parametrize("key", ["model", "compile", "state", "format_version"])
def test_a_description_missing_a_key_is_damaged(tmp_path, tiny_model, key):
    path = tmp_path / "m.npz"
    save_model(tiny_model(), path)
    rewrite_npz(path, edit_description=lambda d: d.pop(key))
    with refused(path, f"damaged model description (no '{key}' entry)."):
        load_model(path)


def test_a_layer_missing_its_units_is_damaged(tmp_path, tiny_model):
    path = tmp_path / "m.npz"
    save_model(tiny_model(), path)
    rewrite_npz(path, edit_description=lambda d: d["model"]["layers"][1].pop("units"))
    with refused(
        path,
        "layer 1 has no 'units' entry.",
    ):
        load_model(path)


def test_a_weight_of_the_wrong_shape_is_refused_naming_the_file(tmp_path, tiny_model):
    path = tmp_path / "m.npz"
    save_model(tiny_model(), path)

    def transpose_kernel(arrays):
        arrays["weight_2"] = arrays["weight_2"].T

    rewrite_npz(path, edit_arrays=transpose_kernel)
    with refused(path, "Weight 2 has shape (3, 4); the model expects (4, 3)."):
        load_model(path)


@pytest.mark.parametrize("suffix", [".npz", ".keras"])
def test_compile_false_gives_an_uncompiled_model_with_the_weights(
    tmp_path, tiny_model, tiny_data, suffix
):
    model = tiny_model()
    model.fit(*tiny_data, verbose=0)
    save_model(model, tmp_path / f"m{suffix}")
    loaded = load_model(tmp_path / f"m{suffix}", compile=False)
    assert (loaded.optimizer, loaded.loss, loaded.metrics) == (None, None, [])
    assert [w.tobytes() for w in loaded.get_weights()] == [
        w.tobytes() for w in model.get_weights()
    ]


@pytest.mark.parametrize(
    ("suffix", "shuffle"),
    [(".npz", True), (".npz", False), (".keras", False)],
    ids=["npz-shuffled", "npz", "keras"],
)
def test_training_resumes_from_a_file_to_the_same_bits(
    tmp_path, tiny_model, tiny_data, suffix, shuffle
):
    """The .keras file keeps no generator states, hence no shuffled resume."""
    model = tiny_model()
    model.fit(*tiny_data, epochs=2, verbose=0)
    path = tmp_path / f"m{suffix}"
    save_model(model, path)
    resumed = load_model(path)
    model.fit(*tiny_data, shuffle=shuffle, verbose=0)  # uninterrupted
    resumed.fit(*tiny_data, shuffle=shuffle, verbose=0)
    assert resumed.optimizer.iterations == model.optimizer.iterations == 6
    assert [w.tobytes() for w in resumed.get_weights()] == [
        w.tobytes() for w in model.get_weights()
    ]


def test_the_study_network_resumes_from_npz_to_the_same_bits(tmp_path, blobs):
    model = study_model(seed=0)
    model.fit(*blobs, epochs=1, verbose=0)
    save_model(model, tmp_path / "study.npz")
    resumed = load_model(tmp_path / "study.npz")
    for m in (model, resumed):
        m.fit(*blobs, epochs=1, verbose=0)
    assert [w.tobytes() for w in resumed.get_weights()] == [
        w.tobytes() for w in model.get_weights()
    ]


@pytest.mark.parametrize("suffix", [".npz", ".keras"])
@pytest.mark.parametrize(
    ("optimizer", "loss", "units"),
    [
        ("rmsprop", "binary_crossentropy", 1),
        ("rmsprop_momentum_centered", "categorical_crossentropy", 3),
        ("rmsprop_momentum", "categorical_crossentropy", 3),
        ("rmsprop_centered", "binary_crossentropy", 2),
        ("adam", "binary_crossentropy", 3),
    ],
)
def test_new_losses_and_rmsprop_round_trip_and_train_on_exactly(
    tmp_path, suffix, optimizer, loss, units
):
    from minigenre import Dense, Sequential
    from minigenre.optimizers import RMSprop

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 5)).astype(np.float32)
    if loss == "binary_crossentropy":
        y = rng.integers(0, 2, size=(40, units)).astype(np.float32)
        last = "sigmoid"
    else:
        y = np.eye(units, dtype=np.float32)[rng.integers(0, units, size=40)]
        last = "softmax"

    def make():
        model = Sequential([Dense(4, activation="tanh"), Dense(units, activation=last)])
        opt = optimizer
        if optimizer.startswith("rmsprop_"):  # each of RMSprop's slot layouts
            opt = RMSprop(
                learning_rate=0.01,
                momentum=0.5 if "momentum" in optimizer else 0.0,
                centered="centered" in optimizer,
            )
        model.compile(optimizer=opt, loss=loss, metrics=["accuracy"])
        return model

    model = make()
    model.fit(x, y, epochs=2, verbose=0, shuffle=False)
    path = tmp_path / f"m{suffix}"
    save_model(model, path)
    loaded = load_model(path)
    assert type(loaded.loss) is type(model.loss)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == model.optimizer.iterations
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    model.fit(x, y, epochs=1, verbose=0, shuffle=False)
    loaded.fit(x, y, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("suffix", [".npz", ".keras"])
def test_dropout_and_activation_layers_round_trip(tmp_path, suffix):
    from minigenre import Dense, Sequential
    from minigenre.layers import Activation, Dropout

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 5)).astype(np.float32)
    y = rng.integers(0, 3, size=40)
    model = Sequential(
        [Dropout(0.1, seed=4), Dense(6), Activation("elu"), Dropout(0.3, seed=5),
         Dense(3), Activation("softmax")], seed=0,
    )  # fmt: skip
    model.compile(metrics=["accuracy"])
    model.fit(x, y, epochs=1, verbose=0)
    save_model(model, tmp_path / f"m{suffix}")
    loaded = load_model(tmp_path / f"m{suffix}")
    assert [layer.get_config() for layer in loaded.layers] == [
        layer.get_config() for layer in model.layers
    ]
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def normalized_model():
    from minigenre import Dense, Sequential
    from minigenre.layers import BatchNormalization

    rng = np.random.default_rng(1)
    x = rng.normal(size=(48, 5)).astype(np.float32)
    y = rng.integers(0, 3, size=48)
    model = Sequential(
        [Dense(6, activation="relu"), BatchNormalization(momentum=0.9),
         Dense(3, activation="softmax")], seed=0,
    )  # fmt: skip
    model.compile(metrics=["accuracy"])
    model.fit(x, y, epochs=1, verbose=0)
    return model, x, y


@pytest.mark.parametrize("suffix", [".npz", ".keras"])
def test_batch_normalization_round_trips_and_trains_on_exactly(tmp_path, suffix):
    model, x, y = normalized_model()
    save_model(model, tmp_path / f"m{suffix}")
    loaded = load_model(tmp_path / f"m{suffix}")
    assert loaded.get_config() == model.get_config()
    # the optimizer's slots: the trainable weights only (6 of the 8 arrays)
    assert [a.shape for a in loaded.optimizer.get_state()["velocity"]] == [
        (sum(w.size for w in model.trainable_weights),)
    ]
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    # the .keras file keeps no shuffle state: train on without shuffling
    model.fit(x, y, epochs=1, verbose=0, shuffle=False)
    loaded.fit(x, y, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.nan, "weight 5 holds NaN or infinity"),
        (-0.5, "weight 5 (a moving variance) is negative"),
    ],
)
def test_a_damaged_moving_variance_is_refused_naming_the_file(tmp_path, value, message):
    model, _, _ = normalized_model()
    path = tmp_path / "m.npz"
    save_model(model, path)

    def damage(arrays):
        arrays["weight_5"][0] = value  # moving_variance, after gamma, beta, mean

    rewrite_npz(path, edit_arrays=damage)
    with refused(path, message + "."):
        load_model(path)


def test_a_moving_statistic_of_the_wrong_shape_is_refused(tmp_path):
    model, _, _ = normalized_model()
    path = tmp_path / "m.npz"
    save_model(model, path)

    def shorten(arrays):
        arrays["weight_4"] = arrays["weight_4"][:5]

    rewrite_npz(path, edit_arrays=shorten)
    with refused(path, "Weight 4 has shape (5,); the model expects (6,)."):
        load_model(path)


def test_a_batch_normalization_config_out_of_range_is_refused(tmp_path):
    model, _, _ = normalized_model()
    path = tmp_path / "m.npz"
    save_model(model, path)

    def edit(description):
        description["model"]["layers"][1]["momentum"] = 3.0

    rewrite_npz(path, edit_description=edit)
    with refused(path, "layer 1's momentum must be in [0, 1]. Received: 3.0."):
        load_model(path)


def test_a_keras_file_with_a_negative_moving_variance_is_refused(tmp_path):
    import io
    import zipfile

    import h5py

    model, _, _ = normalized_model()
    path = tmp_path / "m.keras"
    save_model(model, path)
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    buffer = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buffer, "r+") as h5:
        h5["layers/batch_normalization/vars/3"][0] = -1.0
    members["model.weights.h5"] = buffer.getvalue()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with refused(path, "weight 5 (a moving variance) is negative."):
        load_model(path)
