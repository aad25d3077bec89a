"""Generated damage to whole-model files: ``load_model`` raises one ``ValueError``
naming the file, or loads a model; nothing else, whatever the damage.

Each case starts from a real file (a trained model saved as ``.keras`` and ``.npz``)
and damages one part: any value of the JSON config replaced by another JSON value
(lists, strings, huge or fractional numbers, NaN, deep nesting), numbers spelled
``1e400``, the HDF5 weights (datasets of other shapes, dtypes, external storage,
virtual, chunked and declaring gigabytes, soft, external and hard links), the
optimizer's state (NaN, negative, complex, huge iterations), the generators' states,
zip flags and bytes. Every damage to what a model is made of must be refused; a
damage the loader cannot see (a byte in the date) may load.
"""

import functools
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from reliability import examples, record

from minigenre import Adam, Dense, Sequential, load_model, save_model
from minigenre.saving import files

SECTION = "Model files (load_model)"

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=6)
    | st.sampled_from([0, -1, 16.7, 2_000_000, 10**12, "no", "", [], {}])
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@functools.cache
def saved(suffix: str) -> bytes:
    """A trained ``Dense(4, elu) -> Dense(3, softmax)`` saved with Adam's state."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 6)).astype(np.float32), rng.integers(0, 3, 40)
    model = Sequential([Dense(4, activation="elu"), Dense(3, "softmax")], seed=0)
    model.compile(Adam(0.01), metrics=["accuracy"])
    model.fit(x, y, verbose=0)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"m{suffix}"
        save_model(model, path)
        return path.read_bytes()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def zipped(contents: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def paths_in(value, prefix=()):
    """Every path of keys and indices into a JSON value, the value's own first."""
    yield prefix
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in items:
            yield from paths_in(child, (*prefix, key))


def replace_at(value, path, new):
    if not path:
        return new
    parent = value
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return value


def damaged_json(data, text: str) -> str:
    value = json.loads(text)
    path = data.draw(st.sampled_from(list(paths_in(value))))
    how = data.draw(st.sampled_from(["value", "1e400", "deep"]))
    if how == "value":
        return json.dumps(replace_at(value, path, data.draw(JSON_VALUES)))
    if how == "deep":
        depth = data.draw(st.integers(65, 200_000))
        return json.dumps(replace_at(value, path, "@")).replace(
            '"@"', "[" * depth + "]" * depth
        )
    numbers = list(re.finditer(r"(?<![\w.\"])-?\d+(\.\d+)?(e-?\d+)?", text))
    if not numbers:
        return text
    at = data.draw(st.sampled_from(numbers))
    word = data.draw(st.sampled_from(["1e400", "-1e400", "1" * 5000, "NaN"]))
    return text[: at.start()] + word + text[at.end() :]


def keras_json(data, base: bytes, member: str) -> tuple[bytes, str]:
    contents = members(base)
    contents[member] = damaged_json(data, contents[member].decode()).encode()
    return zipped(contents), "either"


def edit_h5(base: bytes, change) -> bytes:
    contents = members(base)
    buffer = io.BytesIO(contents["model.weights.h5"])
    with h5py.File(buffer, "a") as h5:
        change(h5)
    contents["model.weights.h5"] = buffer.getvalue()
    return zipped(contents)


def h5_dataset(data, base: bytes) -> tuple[bytes, str]:
    key = data.draw(
        st.sampled_from(
            [f"layers/dense{s}/vars/{j}" for s in ("", "_1") for j in (0, 1)]
            + [f"optimizer/vars/{j}" for j in range(10)]
        )
    )
    how = data.draw(
        st.sampled_from(["shape", "dtype", "external", "virtual", "chunked", "nan"])
    )

    same = []  # a drawn shape may be the old one: no damage then

    def change(h5):
        old = h5[key][()]
        del h5[key]
        if how == "shape":
            shape = data.draw(st.lists(st.integers(0, 9), max_size=3).map(tuple))
            same.append(shape == old.shape)
            h5.create_dataset(key, data=np.zeros(shape, np.float32))
        elif how == "dtype":
            dtype = data.draw(st.sampled_from([np.complex64, "S3", np.bool_, "V4"]))
            h5.create_dataset(key, old.shape, dtype)
        elif how == "external":
            h5.create_dataset(
                key, old.shape, old.dtype, external=[("/etc/hostname", 0, old.nbytes)]
            )
        elif how == "virtual":
            layout = h5py.VirtualLayout(shape=old.shape, dtype=old.dtype)
            layout[...] = h5py.VirtualSource("/nowhere.h5", "d", shape=old.shape)
            h5.create_virtual_dataset(key, layout)
        elif how == "chunked":
            size = data.draw(st.sampled_from([2**22, 2**29, 2**33]))
            h5.create_dataset(key, (size,), np.float32, chunks=(2**16,))
        else:
            bad = np.array(old, np.float64)  # the step count too: NaN in a float
            bad.flat[0] = data.draw(st.sampled_from([np.nan, np.inf, -1.0]))
            h5.create_dataset(key, data=bad)

    # Negative momentum is valid Adam state; a negative step count or
    # velocity, NaN and infinity are not.
    damaged = edit_h5(base, change)
    return damaged, "either" if how == "nan" or any(same) else "fail"


def h5_links(data, base: bytes) -> tuple[bytes, str]:
    how = data.draw(st.sampled_from(["soft loop", "soft", "external", "hard loop"]))

    def change(h5):
        if how == "soft loop":
            h5["layers/a"] = h5py.SoftLink("/layers/b")
            h5["layers/b"] = h5py.SoftLink("/layers/a")
        elif how == "soft":
            del h5["layers/dense/vars/0"]
            h5["layers/dense/vars/0"] = h5py.SoftLink("/layers/dense_1/vars/0")
        elif how == "external":
            h5["layers/x"] = h5py.ExternalLink("/etc/passwd", "/")
        else:
            h5["layers/dense/vars/up"] = h5["layers"]

    return edit_h5(base, change), "fail"


def zip_damage(data, base: bytes) -> tuple[bytes, str]:
    damaged = bytearray(base)
    how = data.draw(st.sampled_from(["cut", "flip", "flags", "method"]))
    if how == "cut":
        return bytes(damaged[: data.draw(st.integers(0, len(base) - 1))]), "fail"
    if how == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            at = data.draw(st.integers(0, len(base) - 1))
            damaged[at] = data.draw(st.integers(0, 255))
        return bytes(damaged), "either"
    at = damaged.find(b"PK\x01\x02")
    at = data.draw(
        st.sampled_from([m.start() for m in re.finditer(b"PK\x01\x02", base)])
    )
    if how == "flags":
        damaged[at + 8] |= 0x1
    else:
        damaged[at + 10] = data.draw(st.sampled_from([1, 12, 14, 99]))
    return bytes(damaged), "fail"


def npz_json(data, base: bytes) -> tuple[bytes, str]:
    arrays = files.load_npz(_tmp_write(base, ".npz"))
    text = damaged_json(data, str(arrays.pop("config")))
    return _npz_bytes({"config": np.array(text), **arrays}), "either"


def npz_arrays(data, base: bytes) -> tuple[bytes, str]:
    arrays = files.load_npz(_tmp_write(base, ".npz"))
    key = data.draw(st.sampled_from(sorted(k for k in arrays if k != "config")))
    how = data.draw(st.sampled_from(["nan", "complex", "shape", "iterations"]))
    if how == "nan":
        value = np.array(arrays[key], np.float64)
        value.flat[0] = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        arrays[key] = value
    elif how == "complex":
        arrays[key] = arrays[key].astype(np.complex64) + 1j
    elif how == "shape":
        shape = tuple(data.draw(st.lists(st.integers(0, 7), max_size=3)))
        if shape == arrays[key].shape:  # the same shape: no damage
            return _npz_bytes(arrays), "either"
        arrays[key] = np.zeros(shape)
    else:
        arrays["optimizer_iterations"] = np.array(
            data.draw(st.sampled_from([-1, 2**63 - 1, np.inf, np.nan, 1.5]))
        )
    return _npz_bytes(arrays), "fail"


def _tmp_write(data: bytes, suffix: str) -> Path:
    path = Path(tempfile.mkdtemp()) / f"m{suffix}"
    path.write_bytes(data)
    return path


def _npz_bytes(arrays: dict) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, format_version=np.array(1), **arrays)
    return buffer.getvalue()


DAMAGE = [
    (".keras", "config.json: a value replaced, 1e400, deep nesting",
     functools.partial(keras_json, member="config.json")),
    (".keras", "metadata.json: a value replaced, 1e400, deep nesting",
     functools.partial(keras_json, member="metadata.json")),
    (".keras", "HDF5 dataset: shape, dtype, external, virtual, 2-8 GiB chunked, NaN",
     h5_dataset),
    (".keras", "HDF5 links: soft, soft loop, external, hard loop", h5_links),
    (".keras", "Zip: cut, bytes flipped, encrypted flag, compression method",
     zip_damage),
    (".npz", "config: a value replaced, 1e400, deep nesting", npz_json),
    (".npz", "arrays: NaN, complex, shape, iterations", npz_arrays),
]  # fmt: skip


@pytest.mark.parametrize("damage", DAMAGE, ids=[d[1].split(":")[0] for d in DAMAGE])
@examples(25)
@given(data=st.data())
def test_load_model_raises_one_value_error_or_loads(tmp_path_factory, damage, data):
    suffix, category, recipe = damage
    damaged, expect = recipe(data, saved(suffix))
    path = tmp_path_factory.mktemp("damaged") / f"model{suffix}"
    path.write_bytes(damaged)
    try:
        model = load_model(path)
    except ValueError as err:
        message = str(err)
        assert message.startswith(f"{path}: "), message
        assert "\n" not in message, message
        assert len(message) < 2000, message
        outcome = "ValueError naming the file"
    else:
        assert expect == "either", f"loaded a damaged file ({category})"
        for w in model.get_weights():
            assert np.isfinite(w).all()
        outcome = "loaded (the damage left the model intact)"
    record(SECTION, f"{suffix}: {category}", outcome)
