"""Atomic writes and .npz files read without pickle, within the documented caps."""

import io
import os
import re
import struct
import zipfile

import numpy as np
import pytest

from minigenre.saving import files


def refused(path, message):
    """``pytest.raises`` for a ValueError whose message is ``path: message``."""
    return pytest.raises(ValueError, match=f"^{re.escape(f'{path}: {message}')}$")


def write_zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)


def npy_bytes(array, version=None):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, version=version)
    return buffer.getvalue()


# -- atomic_open ----------------------------------------------------------------


def test_atomic_open_replaces_the_file_and_leaves_nothing_else(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("old")
    with files.atomic_open(path) as f:
        f.write("é\n")
    assert path.read_bytes() == b"\xc3\xa9\n"  # UTF-8, \n line ends
    assert os.listdir(tmp_path) == ["notes.txt"]


def write_and_fail(path):
    with files.atomic_open(path, "wb") as f:
        f.write(b"half a file")
        raise RuntimeError("stopped mid-write")


def test_atomic_open_keeps_the_previous_file_when_the_block_raises(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="stopped mid-write"):
        write_and_fail(path)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["model.bin"]  # no temporary file behind


def test_atomic_open_gives_the_file_the_umask_mode(tmp_path):
    umask = os.umask(0o022)
    try:
        with files.atomic_open(tmp_path / "f.txt") as f:
            f.write("x")
    finally:
        os.umask(umask)
    assert (tmp_path / "f.txt").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600


def test_atomic_open_refuses_a_missing_directory(tmp_path):
    path = tmp_path / "nowhere" / "f.txt"
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"Cannot write {path}: directory {path.parent} does not exist."
        ),
    ):
        write_and_fail(path)


# -- save_npz and load_npz -------------------------------------------------------


def test_save_npz_then_load_npz_is_bit_identical(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {
        "kernel": rng.normal(size=(3, 2)).astype(np.float32),
        "steps": np.array(7, np.int64),
        "text": np.array('{"a": 1}'),
        "empty": np.zeros((0, 4)),
    }
    files.save_npz(tmp_path / "a.npz", arrays)
    loaded = files.load_npz(tmp_path / "a.npz")
    assert list(loaded) == list(arrays)  # format_version is taken out
    for key, array in arrays.items():
        assert (loaded[key].dtype, loaded[key].shape) == (array.dtype, array.shape)
        assert loaded[key].tobytes() == array.tobytes()


def test_save_npz_refuses_an_object_array_and_writes_nothing(tmp_path):
    with pytest.raises(
        TypeError, match=r"^Refusing to save object array 'x': it needs pickle\.$"
    ):
        files.save_npz(tmp_path / "a.npz", {"x": np.array([{}], dtype=object)})
    assert os.listdir(tmp_path) == []


def test_npz_headers_reads_shapes_and_dtypes(tmp_path):
    files.save_npz(tmp_path / "a.npz", {"w": np.zeros((2, 3), np.float32)})
    assert files.npz_headers(tmp_path / "a.npz") == {
        "format_version": ((), np.dtype(np.int64)),
        "w": ((2, 3), np.dtype(np.float32)),
    }


def test_load_npz_refuses_a_pickled_array_naming_the_file(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, format_version=np.array(1), x=np.array([{}], dtype=object))
    with refused(path, "refusing to load pickled data (x.npy: object)."):
        files.load_npz(path)


def test_a_small_file_declaring_more_than_max_npz_bytes_is_refused(tmp_path):
    path = tmp_path / "bomb.npz"
    write_zip(path, {"w.npy": npy_bytes(np.zeros(3))})
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")  # the central directory's record of w.npy
    struct.pack_into("<I", data, entry + 24, files.MAX_NPZ_BYTES + 1)  # its size
    path.write_bytes(bytes(data))
    assert path.stat().st_size < 1000
    with refused(
        path,
        f"its arrays would take {2**28 + 1} bytes, more than any run needs "
        f"(at most {2**28}); not loaded.",
    ):
        files.load_npz(path)


def test_a_header_claiming_more_than_its_data_is_refused(tmp_path):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**9,)}
    )
    size = len(header.getvalue())
    path = tmp_path / "liar.npz"
    write_zip(path, {"w.npy": header.getvalue()})  # 8 GB described, none held
    with refused(
        path,
        f"w.npy: its header describes {size + 8 * 10**9} bytes, "
        f"the archive holds {size}.",
    ):
        files.load_npz(path)


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"notes.txt": b"hi"}, "not a minigenre .npz file (members ['notes.txt'])."),
        (
            {"w.npy": npy_bytes(np.array(["é"]), version=(3, 0))},
            "w.npy has .npy version (3, 0).",
        ),
    ],
    ids=["not-npy", "npy-version-3"],
)
def test_members_minigenre_never_writes_are_refused(tmp_path, members, message):
    write_zip(tmp_path / "a.npz", members)
    with refused(tmp_path / "a.npz", message):
        files.load_npz(tmp_path / "a.npz")


@pytest.mark.parametrize(
    ("version", "shown"),
    [
        (None, "None"),
        (np.array(2), "array(2)"),
        (np.array(1.0), "array(1.)"),
        (np.array(True), "array(True)"),
    ],
)
def test_another_format_version_is_refused(tmp_path, version, shown):
    path = tmp_path / "a.npz"
    extra = {} if version is None else {"format_version": version}
    np.savez(path, w=np.zeros(2), **extra)
    with refused(path, f"unsupported format version {shown}; expected 1."):
        files.load_npz(path)


def test_a_damaged_archive_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "a.npz"
    files.save_npz(path, {"w": np.arange(100.0)})
    data = bytearray(path.read_bytes())
    data[data.index(np.arange(100.0)[50:].tobytes())] ^= 0xFF  # one data byte
    path.write_bytes(bytes(data))
    with refused(
        path, "not a readable .npz file (BadZipFile: Bad CRC-32 for file 'w.npy')."
    ):
        files.load_npz(path)


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    (tmp_path / "a.npz").write_bytes(b"\x80\x04 a pickle, perhaps")
    with refused(tmp_path / "a.npz", "not a readable .npz file (not a zip archive)."):
        files.load_npz(tmp_path / "a.npz")


# -- check_readable_file -----------------------------------------------------------


def test_check_readable_file_names_what_is_there_instead(tmp_path):
    with refused(tmp_path, "is a directory, not a file."):
        files.check_readable_file(tmp_path)
    with refused(tmp_path / "gone.npz", "file not found."):
        files.check_readable_file(tmp_path / "gone.npz")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_check_readable_file_refuses_a_fifo_without_opening_it(tmp_path):
    os.mkfifo(tmp_path / "pipe.npz")  # opening it would wait for a writer forever
    with refused(tmp_path / "pipe.npz", "not a regular file (a FIFO or device?)."):
        files.load_npz(tmp_path / "pipe.npz")


@pytest.mark.parametrize("length", [241, 242, 250, 255])
def test_names_up_to_255_bytes_can_be_saved(tmp_path, length):
    path = tmp_path / ("w" * (length - 4) + ".npz")
    files.save_npz(path, {"a": np.arange(3)})
    np.testing.assert_array_equal(files.load_npz(path)["a"], np.arange(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_a_long_name_of_multibyte_characters_is_cut_on_a_byte_boundary(tmp_path):
    path = tmp_path / ("é" * 125 + ".npz")  # 254 bytes
    files.save_npz(path, {"a": np.arange(3)})
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
