"""A model file is untrusted input: what HDF5 and zip can hide is refused before any
byte of it is read, in one line naming the file."""

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

from minigenre import load_model, save_model
from minigenre.saving import untrusted

ROOT = Path(__file__).resolve().parents[3]


def members(path):
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def write_members(path, contents, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def edit_weights(path, change):
    """Rewrites ``model.weights.h5`` of the ``.keras`` ``path`` after ``change(h5)``."""
    contents = members(path)
    buffer = io.BytesIO(contents["model.weights.h5"])
    with h5py.File(buffer, "a") as h5:
        change(h5)
    contents["model.weights.h5"] = buffer.getvalue()
    write_members(path, contents)


@pytest.fixture
def keras_file(tmp_path, tiny_model):
    path = tmp_path / "m.keras"
    save_model(tiny_model(), path)
    return path


def refused(path, message):
    return pytest.raises(ValueError, match=f"^{re.escape(str(path))}: .*{message}")


def external_kernel(target, size):
    def change(h5):
        del h5["layers/dense/vars/0"]
        h5.create_dataset(
            "layers/dense/vars/0", (6, 4), np.float32, external=[(target, 0, size)]
        )

    return change


def test_external_storage_is_refused_naming_the_dataset(tmp_path, keras_file):
    victim = tmp_path / "victim.bin"
    victim.write_bytes(b"secret" * 4 + b"\0" * 72)  # 96 bytes = 6 x 4 float32
    edit_weights(keras_file, external_kernel(str(victim), 96))
    with refused(
        keras_file,
        re.escape(
            "model.weights.h5: layers/dense/vars/0 keeps its data in another file "
            "(external storage)."
        ),
    ) as caught:
        load_model(keras_file)
    assert "\n" not in str(caught.value)


def test_external_storage_reads_no_byte_of_the_target(tmp_path, keras_file):
    # The target is a FIFO with no writer: opening it to read blocks forever, so a
    # loader that touched it would never return. Refused first, it returns at once.
    fifo = tmp_path / "victim.fifo"
    os.mkfifo(fifo)
    edit_weights(keras_file, external_kernel(str(fifo), 96))
    script = (
        "import sys\nfrom minigenre import load_model\n"
        "try:\n    load_model(sys.argv[1])\nexcept ValueError as err:\n    print(err)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(keras_file)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    assert done.stdout.strip().endswith("(external storage).")
    # Nobody holds it open for reading now either: a writer cannot open it.
    with pytest.raises(OSError, match="No such device"):
        os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)


def test_an_external_link_is_refused(tmp_path, keras_file):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as h5:
        h5["kernel"] = np.ones((6, 4), np.float32)

    def change(h5):
        del h5["layers/dense/vars/0"]
        h5["layers/dense/vars/0"] = h5py.ExternalLink(str(other), "kernel")

    edit_weights(keras_file, change)
    with refused(keras_file, "layers/dense/vars/0 is a ExternalLink"):
        load_model(keras_file)


def test_a_virtual_dataset_is_refused(tmp_path, keras_file):
    def change(h5):
        del h5["layers/dense/vars/0"]
        layout = h5py.VirtualLayout(shape=(6, 4), dtype=np.float32)
        layout[:] = h5py.VirtualSource(str(tmp_path / "x.h5"), "d", shape=(6, 4))
        h5.create_virtual_dataset("layers/dense/vars/0", layout)

    edit_weights(keras_file, change)
    with refused(keras_file, "is a virtual dataset"):
        load_model(keras_file)


def test_a_soft_link_loop_is_refused(keras_file):
    def change(h5):
        h5["layers/loop"] = h5py.SoftLink("/layers/loop2")
        h5["layers/loop2"] = h5py.SoftLink("/layers/loop")

    edit_weights(keras_file, change)
    with refused(keras_file, "is a SoftLink"):
        load_model(keras_file)


def test_a_hard_link_back_to_a_group_is_refused(keras_file):
    def change(h5):
        h5["layers/dense/back"] = h5["layers"]

    edit_weights(keras_file, change)
    with refused(keras_file, "links back to an object already seen"):
        load_model(keras_file)


def test_a_chunked_dataset_declaring_gigabytes_is_refused_unread(keras_file):
    def change(h5):
        h5.create_dataset("unused", (2**29,), np.float32, chunks=(2**16,))

    edit_weights(keras_file, change)
    with refused(keras_file, "unused declares 2147483648 bytes"):
        load_model(keras_file)


def test_a_dataset_storing_far_less_than_it_declares_is_refused(keras_file):
    def change(h5):
        h5.create_dataset("unused", (2**24,), np.float32, chunks=(2**16,))

    edit_weights(keras_file, change)
    with refused(keras_file, "unused declares 67108864 bytes but stores 0"):
        load_model(keras_file)


@pytest.mark.parametrize("dtype", [np.complex64, "S4", np.bool_])
def test_a_dataset_of_other_than_real_numbers_is_refused(keras_file, dtype):
    def change(h5):
        h5.create_dataset("odd", (3,), dtype)

    edit_weights(keras_file, change)
    with refused(keras_file, "odd holds .*, not real numbers"):
        load_model(keras_file)


def test_a_json_member_of_a_gigabyte_is_refused_before_it_is_read(keras_file):
    contents = members(keras_file)
    contents["config.json"] = b" " * (untrusted.MAX_JSON_BYTES + 1) + b"{}"
    write_members(keras_file, contents, zipfile.ZIP_DEFLATED)
    with refused(keras_file, "config.json holds 16777219 bytes, more than"):
        load_model(keras_file)


def test_a_highly_compressed_member_is_refused_as_a_bomb(keras_file):
    contents = members(keras_file)
    contents["metadata.json"] = b'{"keras_version": "3.1"}' + b" " * 2**22
    write_members(keras_file, contents, zipfile.ZIP_DEFLATED)
    with refused(keras_file, re.escape("(a zip bomb?)")):
        load_model(keras_file)


@pytest.mark.parametrize("suffix", [".keras", ".npz"])
def test_deeply_nested_json_is_refused_without_recursion(tmp_path, suffix, tiny_model):
    path = tmp_path / f"m{suffix}"
    save_model(tiny_model(), path)
    deep = "[" * 100_000 + "]" * 100_000
    if suffix == ".keras":
        contents = members(path)
        contents["config.json"] = deep.encode()
        write_members(path, contents)
    else:
        from minigenre.saving import files

        arrays = files.load_npz(path)
        files.save_npz(path, {**arrays, "config": np.array(deep)})
    with refused(path, "nests 100000 deep"):
        load_model(path)


def test_an_encrypted_member_is_refused(keras_file):
    data = bytearray(keras_file.read_bytes())
    # The central directory's entry for config.json: its flags at offset 8.
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + 11] != b"config.json":
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 8] |= 0x1
    keras_file.write_bytes(bytes(data))
    with refused(keras_file, "config.json is encrypted"):
        load_model(keras_file)


def test_an_unusual_compression_is_refused(keras_file):
    write_members(keras_file, members(keras_file), zipfile.ZIP_LZMA)
    with refused(keras_file, "uses compression method 14"):
        load_model(keras_file)


def test_weights_that_are_not_hdf5_are_refused_naming_the_file(keras_file):
    contents = members(keras_file)
    contents["model.weights.h5"] = b"not hdf5 at all"
    write_members(keras_file, contents)
    with refused(keras_file, re.escape("model.weights.h5 is not an HDF5 file.")):
        load_model(keras_file)


def test_nesting_depth_ignores_brackets_inside_strings():
    assert untrusted.nesting_depth('{"a": "[[[[{{", "b": [[1]]}') == 3
    assert untrusted.nesting_depth('["\\"[[["]') == 1


def test_read_dataset_checks_the_shape_before_reading():
    with h5py.File(io.BytesIO(), "w") as h5:
        h5["d"] = np.arange(6.0).reshape(2, 3)
        with pytest.raises(
            ValueError, match=re.escape("d has shape (2, 3); the model needs (3, 2)")
        ):
            untrusted.read_dataset("d", h5["d"], (3, 2))
        assert untrusted.read_dataset("d", h5["d"], (2, 3)).sum() == 15


def test_a_missing_optimizer_variable_is_named(tmp_path, tiny_model, tiny_data):
    path = tmp_path / "m.keras"
    model = tiny_model()
    model.fit(*tiny_data, verbose=0)
    save_model(model, path)

    def change(h5):
        h5["optimizer/vars/extra"] = h5["optimizer/vars/3"][()]
        del h5["optimizer/vars/3"]

    edit_weights(path, change)
    with refused(path, re.escape("model.weights.h5 has no optimizer/vars/3.")):
        load_model(path)


def weights_file(tmp_path, tiny_model):
    path = tmp_path / "w.weights.h5"
    tiny_model().save_weights(path)
    return path


def test_a_weights_h5_external_link_is_refused(tmp_path, tiny_model):
    # A .weights.h5 is a user's file too: walked as a .keras archive's weights are.
    path, other = weights_file(tmp_path, tiny_model), tmp_path / "other.h5"
    with h5py.File(other, "w") as h5:
        h5["kernel"] = np.ones((6, 4), np.float32)
    with h5py.File(path, "a") as h5:
        del h5["layers/dense/vars/0"]
        h5["layers/dense/vars/0"] = h5py.ExternalLink(str(other), "kernel")
    with refused(path, "layers/dense/vars/0 is a ExternalLink"):
        tiny_model().load_weights(path)


def test_a_weights_h5_external_storage_is_refused(tmp_path, tiny_model):
    path, victim = weights_file(tmp_path, tiny_model), tmp_path / "victim.bin"
    victim.write_bytes(b"\0" * 96)
    with h5py.File(path, "a") as h5:
        external_kernel(str(victim), 96)(h5)
    with refused(path, re.escape("layers/dense/vars/0 keeps its data in another")):
        tiny_model().load_weights(path)


def test_a_weights_h5_kernel_of_another_shape_is_refused_unread(tmp_path, tiny_model):
    path = weights_file(tmp_path, tiny_model)
    with h5py.File(path, "a") as h5:
        del h5["layers/dense/vars/0"]
        h5["layers/dense/vars/0"] = np.ones((6, 5), np.float32)
    with refused(path, re.escape("(6, 4)")):
        tiny_model().load_weights(path)


def test_a_weights_h5_that_is_not_hdf5_is_refused(tmp_path, tiny_model):
    path = tmp_path / "w.weights.h5"
    path.write_bytes(b"not hdf5")
    with refused(path, "not a readable .weights.h5 file"):
        tiny_model().load_weights(path)
