"""Reading a model file as untrusted input: zip members, JSON and HDF5, capped.

A model file may come from anyone. Everything here looks before it reads: a zip
member's declared size, flags and compression; a JSON text's size and nesting depth;
an HDF5 file's links and every dataset's storage, dtype and shape. What would make
the reader open another file, loop, or allocate more than the file could describe
is refused with one ``ValueError`` saying what and where, before a byte of it is
read. Keras 3's safe mode refuses the same HDF5 features ("Not allowed: H5 file with
external Dataset"); this is stricter (soft links and size caps too).
"""

from __future__ import annotations

import json
import math
import re
import zipfile

import numpy as np

# The JSON members (config.json, metadata.json): the study's config is 2 kB; a
# Sequential of a thousand Dense layers stays under 1 MiB.
MAX_JSON_BYTES = 2**24
MAX_JSON_DEPTH = 64  # Keras's configs nest about 6 deep; json.loads recurses
# All weights and optimizer slots of one file together, as for a .npz (files.py).
MAX_ARRAY_BYTES = 2**28
# A member may be compressed this much at most: weights are not zeros. A larger
# ratio is a zip bomb (1 GiB of whitespace is 1 MB deflated, a ratio of 1000).
MAX_RATIO = 200
MAX_HDF5_OBJECTS = 10_000
# Dataset element types a weight may have: real numbers only (no complex, no
# strings, no references, no compound types).
REAL_KINDS = "fiu"


def read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """The bytes of ``archive``'s member ``name``, at most ``limit`` of them.

    Refused before decompressing: an encrypted member, an unknown compression, a
    declared size over ``limit``, a compression ratio over ``MAX_RATIO``; while
    reading: more bytes than declared.
    """
    info = archive.getinfo(name)
    if info.flag_bits & 0x1:
        raise ValueError(f"{name} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValueError(f"{name} uses compression method {info.compress_type}")
    if info.file_size > limit:
        raise ValueError(
            f"{name} holds {info.file_size} bytes, more than the {limit} allowed"
        )
    if info.file_size > 2**20 and info.file_size > MAX_RATIO * info.compress_size:
        raise ValueError(
            f"{name} expands {info.compress_size} bytes to {info.file_size} (a zip "
            "bomb?)"
        )
    with archive.open(info) as f:
        data = f.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise ValueError(f"{name} holds another size than its header says")
    return data


def nesting_depth(text: str) -> int:
    """How deeply ``text``'s JSON arrays and objects nest, counted without recursion."""
    outside = re.sub(r'"(?:[^"\\]|\\.)*"', "", text)  # brackets inside strings don't
    codes = np.frombuffer(outside.encode("utf-8", "surrogateescape"), np.uint8)
    step = np.isin(codes, (ord("["), ord("{"))).astype(np.int64)
    step -= np.isin(codes, (ord("]"), ord("}")))
    return int(np.cumsum(step).max(initial=0))


def parse_json(data: bytes, name: str) -> dict:
    """``data`` as a JSON object, below ``MAX_JSON_BYTES`` and ``MAX_JSON_DEPTH``."""
    if len(data) > MAX_JSON_BYTES:
        raise ValueError(f"{name} holds {len(data)} bytes (at most {MAX_JSON_BYTES})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{name} is not UTF-8 text") from None
    depth = nesting_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"{name} nests {depth} deep (at most {MAX_JSON_DEPTH})")
    try:
        value = json.loads(text)
    except ValueError as err:  # JSONDecodeError, and integers of 4,300+ digits
        raise ValueError(f"{name} is not valid JSON ({err})") from None
    if not isinstance(value, dict):
        raise ValueError(f"{name} holds a {type(value).__name__}, not a JSON object")
    return value


def hdf5_datasets(h5) -> dict:
    """Every dataset of an open ``h5py.File``, by path, each checked (see below).

    The file is walked link by link (``getlink=True``), so nothing is followed:
    external links (another file), soft links (which can loop) and hard links back
    to a group already seen are refused. Each dataset must keep its bytes in this
    file (no external raw storage, not virtual), hold real numbers, and store
    about what it declares: a chunked dataset can declare gigabytes and store
    nothing. Their sizes together stay below ``MAX_ARRAY_BYTES``. No dataset is
    read here.
    """
    import h5py

    datasets, seen, total = {}, {h5py.h5o.get_info(h5["/"].id).addr}, 0
    groups = [("", h5)]
    while groups:
        prefix, group = groups.pop()
        for name in group:
            where = f"{prefix}{name}"
            link = group.get(name, getlink=True)
            if not isinstance(link, h5py.HardLink):
                raise ValueError(f"{where} is a {type(link).__name__}")
            item = group[name]
            address = h5py.h5o.get_info(item.id).addr
            if address in seen:
                raise ValueError(f"{where} links back to an object already seen")
            seen.add(address)
            if len(seen) > MAX_HDF5_OBJECTS:
                raise ValueError(f"more than {MAX_HDF5_OBJECTS} objects")
            if isinstance(item, h5py.Group):
                groups.append((f"{where}/", item))
            elif isinstance(item, h5py.Dataset):
                total += check_dataset(where, item)
                datasets[where] = item
            else:
                raise ValueError(f"{where} is a {type(item).__name__}")
    if total > MAX_ARRAY_BYTES:
        raise ValueError(
            f"its datasets declare {total} bytes (at most {MAX_ARRAY_BYTES})"
        )
    return datasets


def check_dataset(where: str, dataset) -> int:
    """Refuses what a weight cannot be; returns the bytes ``dataset`` declares."""
    if dataset.external:
        raise ValueError(f"{where} keeps its data in another file (external storage)")
    if dataset.is_virtual:
        raise ValueError(f"{where} is a virtual dataset (made of other files)")
    if dataset.dtype.kind not in REAL_KINDS or dataset.dtype.itemsize > 8:
        raise ValueError(f"{where} holds {dataset.dtype}, not real numbers")
    if dataset.shape is None:  # an empty dataspace
        raise ValueError(f"{where} has no shape")
    declared = math.prod(dataset.shape) * dataset.dtype.itemsize
    if declared > MAX_ARRAY_BYTES:
        raise ValueError(
            f"{where} declares {declared} bytes (at most {MAX_ARRAY_BYTES})"
        )
    stored = dataset.id.get_storage_size()
    if declared > 2**20 and declared > MAX_RATIO * stored:
        raise ValueError(f"{where} declares {declared} bytes but stores {stored}")
    return declared


def read_dataset(where: str, dataset, shape: tuple[int, ...]) -> np.ndarray:
    """``dataset``'s values, once its shape is checked to be ``shape``."""
    if tuple(dataset.shape) != tuple(shape):
        raise ValueError(
            f"{where} has shape {tuple(dataset.shape)}; the model needs {tuple(shape)}"
        )
    try:
        return dataset[()]
    except (OSError, RuntimeError) as err:  # a damaged chunk, an unknown filter
        raise ValueError(f"{where} cannot be read ({err})") from None
