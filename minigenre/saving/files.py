"""Safe file writing and reading shared by every part of minigenre that saves state.

Two promises, kept in one place:

* **Atomic writes.** A file is written next to its destination under a temporary name,
  flushed to disk, then moved over the destination with ``os.replace`` (atomic on POSIX
  and Windows). A crash or an exception mid-write leaves the previous file intact and no
  half-written file behind.
* **No pickle.** ``.npz`` files are always opened with ``allow_pickle=False``, so a file
  from elsewhere can never run code when it is loaded.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

import numpy as np

NPZ_FORMAT_VERSION = 1
# All arrays of one .npz together, decompressed: 256 MiB. The study's run holds
# 135 kB of weights; a run on 500,000 features would hold 256 MB.
MAX_NPZ_BYTES = 2**28
MAX_NAME_BYTES = 255  # a file name, on Linux, macOS and Windows file systems


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """Opens a temporary file beside ``path`` and moves it onto ``path`` on success.

    Args:
        path: The destination. Its directory must exist and be writable.
        mode: ``"w"`` for text (UTF-8, ``\\n`` line ends) or ``"wb"`` for bytes.

    Raises:
        ValueError: If the destination's directory does not exist.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ValueError(f"Cannot write {path}: directory {directory} does not exist.")
    # mkstemp adds 8 random characters: ".NAME.xxxxxxxx.tmp" must stay within the
    # 255 bytes a file name may have, so a long NAME is cut in the temporary name.
    stem = os.fsdecode(os.fsencode(path.name)[: MAX_NAME_BYTES - 14])
    fd, tmp_name = tempfile.mkstemp(prefix=f".{stem}.", suffix=".tmp", dir=directory)
    # mkstemp makes the file private (0600); give it the usual umask-based mode.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_name, 0o666 & ~umask)
    try:
        text = "b" not in mode
        kwargs = {"encoding": "utf-8", "newline": "\n"} if text else {}
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, path)
    except BaseException as err:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        if isinstance(err, OSError) and err.errno and err.filename is None:
            err.filename = str(path)  # a full disk says which file it stopped
        raise


def save_npz(path: str | os.PathLike, arrays: Mapping[str, np.ndarray]) -> None:
    """Atomically writes ``arrays``, plus a format version, to the ``.npz`` ``path``."""
    payload = {"format_version": np.array(NPZ_FORMAT_VERSION)}
    for key, value in arrays.items():
        value = np.asarray(value)
        if value.dtype == object:
            raise TypeError(f"Refusing to save object array {key!r}: it needs pickle.")
        payload[key] = value
    with atomic_open(path, "wb") as f:
        np.savez(f, **payload)


def check_readable_file(path: Path) -> None:
    """Raises a ``ValueError`` saying why ``path`` cannot be read as a file.

    A FIFO is refused, not opened: reading one would wait for a writer forever.
    """
    if path.is_file():
        if not os.access(path, os.R_OK):
            raise ValueError(f"{path}: cannot read the file (permission denied).")
        return
    if path.is_dir():
        raise ValueError(f"{path}: is a directory, not a file.")
    if os.path.lexists(path) and path.exists():
        raise ValueError(f"{path}: not a regular file (a FIFO or device?).")
    if os.path.lexists(path):
        raise ValueError(f"{path}: a symbolic link to nothing (broken, or a loop).")
    raise ValueError(f"{path}: file not found.")


class _Refused(Exception):
    """Why an archive is refused before any array in it is decompressed."""


def _member_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    """``(shape, dtype)`` from a member's ``.npy`` header; decompresses only that."""
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version not in ((1, 0), (2, 0)):
            raise _Refused(f"{info.filename} has .npy version {version}")
        read_header = getattr(np.lib.format, f"read_array_header_{version[0]}_0")
        shape, _, dtype = read_header(f)
        header_size = f.tell()
    if dtype.hasobject:
        raise _Refused(f"refusing to load pickled data ({info.filename}: {dtype})")
    claimed = header_size + math.prod(shape) * dtype.itemsize
    if claimed != info.file_size:  # a header must describe exactly its data
        raise _Refused(
            f"{info.filename}: its header describes {claimed} bytes, the archive "
            f"holds {info.file_size}"
        )
    return shape, dtype


def npz_headers(path: str | os.PathLike) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """The shape and dtype of every array in a ``.npz``, read from headers only.

    Nothing is decompressed but the headers, so a file cannot make its reader
    allocate what it claims: members must be ``.npy`` files whose headers describe
    exactly their size, and all together at most ``MAX_NPZ_BYTES``.

    Raises:
        ValueError: As `load_npz`.
    """
    path = Path(path)
    with _open_archive(path) as archive:
        return _headers(path, archive)


def _headers(path: Path, archive: zipfile.ZipFile) -> dict:
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if len(set(names)) != len(names) or not all(
        name.endswith(".npy") and len(name) > 4 for name in names
    ):
        raise ValueError(f"{path}: not a minigenre .npz file (members {names[:10]}).")
    total = sum(info.file_size for info in infos)
    if total > MAX_NPZ_BYTES:  # a zip bomb, or no run minigenre could have saved
        raise ValueError(
            f"{path}: its arrays would take {total} bytes, more than any run needs "
            f"(at most {MAX_NPZ_BYTES}); not loaded."
        )
    try:
        return {info.filename[:-4]: _member_header(archive, info) for info in infos}
    except _Refused as err:
        raise ValueError(f"{path}: {err}.") from None
    except Exception as err:
        raise ValueError(
            f"{path}: not a readable .npz file ({type(err).__name__}: {err})."
        ) from None


@contextlib.contextmanager
def _open_archive(path: Path) -> Iterator[zipfile.ZipFile]:
    check_readable_file(path)
    try:
        file = open(path, "rb")  # noqa: SIM115 (closed below, after the archive)
    except OSError as err:
        raise ValueError(f"{path}: cannot read the file ({err.strerror}).") from None
    with file:
        if not zipfile.is_zipfile(file):  # np.load would take it for a pickle
            raise ValueError(f"{path}: not a readable .npz file (not a zip archive).")
        try:
            archive = zipfile.ZipFile(file)
        except Exception as err:
            raise ValueError(
                f"{path}: not a readable .npz file ({type(err).__name__}: {err})."
            ) from None
        with archive:
            yield archive


def load_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Reads a ``.npz`` written by :func:`save_npz`, without pickle, all at once.

    Every member's header is checked (`npz_headers`) before any array is
    decompressed, so a small file claiming gigabytes is refused at once.

    Raises:
        ValueError: If the file is missing or unreadable, not a valid ``.npz``, holds
            pickled objects, arrays larger than their headers say or than
            ``MAX_NPZ_BYTES``, or has another format version. The message names
            the file.
    """
    path = Path(path)
    with _open_archive(path) as archive:
        keys = _headers(path, archive)
        try:
            arrays = {}
            for key in keys:
                with archive.open(f"{key}.npy") as f:
                    arrays[key] = np.lib.format.read_array(f, allow_pickle=False)
        except Exception as err:
            # A damaged archive fails in many ways: BadZipFile, a bad CRC (OSError),
            # "encrypted" (RuntimeError), an unknown compression (NotImplementedError).
            # All of them mean the same to the caller: this file cannot be read.
            raise ValueError(
                f"{path}: not a readable .npz file ({type(err).__name__}: {err})."
            ) from None
    version = arrays.pop("format_version", None)
    if (
        version is None
        or version.shape != ()
        or version.dtype.kind not in "iu"  # not 1.5, "1" or True
        or int(version) != NPZ_FORMAT_VERSION
    ):
        raise ValueError(
            f"{path}: unsupported format version {version!r}; "
            f"expected {NPZ_FORMAT_VERSION}."
        )
    return arrays
