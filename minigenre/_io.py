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
import os
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

import numpy as np

NPZ_FORMAT_VERSION = 1


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
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=directory
    )
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


def load_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Reads a ``.npz`` written by :func:`save_npz`, without pickle, all at once.

    Raises:
        ValueError: If the file is missing, not a valid ``.npz``, holds pickled objects
            or has another format version. The message names the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: file not found.")
    if not zipfile.is_zipfile(path):  # else np.load would take it for a pickle
        raise ValueError(f"{path}: not a readable .npz file (not a zip archive).")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except Exception as err:
        # A damaged archive fails in many ways: BadZipFile, a bad CRC (OSError),
        # "encrypted" (RuntimeError), an unknown compression (NotImplementedError),
        # a garbled array header (ValueError), a claimed shape too big to allocate.
        # All of them mean the same to the caller: this file cannot be read.
        if isinstance(err, ValueError) and "allow_pickle" in str(err):
            raise ValueError(
                f"{path}: refusing to load pickled data ({err})."
            ) from None
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
