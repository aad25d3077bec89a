"""A folder of songs to a features table: one row per file, a genre per sub-folder.

    music/                         features.csv
        Jazz/take_five.flac   ->   file,genre,ssd_mean_bark01,...,mfcc_max_11
        Rap/track01.mp3            "Jazz/take_five.flac","Jazz",0.61,...
        Rap/track02.wav            "Rap/track01.mp3","Rap",1.92,...

When the folder has sub-folders, each file's label is the name of the sub-folder it
sits in (at any depth below it), so ``minigenre train --csv features.csv
--label-column genre`` trains on them; files lying directly in the folder then have
no genre and are skipped. A folder without sub-folders gives no genre column.

A file that cannot be used (not audio, silent, too short, not a regular file, or
anything that fails while decoding or analysing it) is skipped and listed with a
one-line reason, never stopping the rest; the table is written whole or not at
all. File names that are not UTF-8 are written with ``\\xNN`` escapes.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from minigenre.audio.features import check_layout, extract_features, feature_names
from minigenre.saving.files import atomic_open

# Extensions of the formats libsndfile decodes; other files (cover.jpg, notes.txt)
# are not songs and are left alone.
AUDIO_EXTENSIONS = frozenset({
    ".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff",
    ".aifc", ".au", ".snd", ".caf", ".w64", ".rf64",
})  # fmt: skip


@dataclass(frozen=True)
class FolderFeatures:
    """What `folder_features` found.

    Attributes:
        files: Path of each row's file relative to the folder, with ``/``.
        features: Shape ``(len(files), 264)``.
        genres: Each row's sub-folder name, or None when the folder has none.
        skipped: ``(file, reason)`` for each audio file that could not be used.
        n_ignored: Files that are not audio by their extension, or hidden.
        layout: The columns' layout, ``"minigenre"`` or ``"mlbp2018"``.
    """

    files: tuple[str, ...]
    features: np.ndarray
    genres: tuple[str, ...] | None
    skipped: tuple[tuple[str, str], ...]
    n_ignored: int
    layout: str = "minigenre"


def list_audio_files(directory: str | os.PathLike) -> tuple[list[Path], int]:
    """The audio files below ``directory``, sorted, and how many others it holds.

    Raises:
        ValueError: If ``directory`` is not a directory.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"{directory}: directory not found.")
    audio, n_ignored = [], 0
    for path in sorted(directory.rglob("*")):
        if path.is_dir():
            continue  # a FIFO, a device or a broken link is listed, then skipped
        relative = path.relative_to(directory)
        hidden = any(part.startswith(".") for part in relative.parts)
        if hidden or path.suffix.lower() not in AUDIO_EXTENSIONS:
            n_ignored += 1
        else:
            audio.append(path)
    return audio, n_ignored


def folder_features(
    directory: str | os.PathLike,
    progress: Callable[[int, int], None] | None = None,
    layout: str = "minigenre",
) -> FolderFeatures:
    """Extracts the 264 features of every audio file below ``directory``.

    Args:
        directory: The folder; sub-folders name genres (see the module docstring).
        progress: Called as ``progress(done, total)`` after each file.
        layout: The columns, ``"minigenre"`` or ``"mlbp2018"`` (`extract_features`).

    Raises:
        ValueError: If the folder holds no audio file that could be read.
    """
    check_layout(layout)
    directory = Path(directory)
    paths, n_ignored = list_audio_files(directory)
    relative = [path.relative_to(directory) for path in paths]
    with_genres = any(len(rel.parts) > 1 for rel in relative)
    files, rows, genres, skipped = [], [], [], []
    for done, (path, rel) in enumerate(zip(paths, relative, strict=True), start=1):
        name = safe_text(rel.as_posix())
        if with_genres and len(rel.parts) == 1:
            skipped.append(
                (name, f"{safe_text(str(path))}: not in a genre sub-folder.")
            )
        else:
            try:
                rows.append(extract_features(path, layout=layout))
                files.append(name)
                genres.append(safe_text(rel.parts[0]))
            except Exception as err:  # one song's failure is that song's alone
                skipped.append((name, skip_reason(path, err)))
        if progress is not None:
            progress(done, len(paths))
    if not rows:
        found = f"none of {len(paths)} audio files readable" if paths else "no audio"
        raise ValueError(f"{directory}: {found} (extensions read: .wav, .flac, ...).")
    return FolderFeatures(
        files=tuple(files),
        features=np.array(rows),  # (n, 264)
        genres=tuple(genres) if with_genres else None,
        skipped=tuple(skipped),
        n_ignored=n_ignored,
        layout=layout,
    )


def safe_text(name: str) -> str:
    """``name`` as valid UTF-8 text: bytes of a file name that are not UTF-8 (kept
    by Python as surrogates) become ``\\xe9``-style escapes, so the CSV stays
    UTF-8 and every file of a folder gets the same genre."""
    raw = name.encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "backslashreplace")


def skip_reason(path: Path, err: Exception) -> str:
    """Why one song was skipped, on one line starting with its path."""
    where = safe_text(str(path))
    if isinstance(err, MemoryError):
        message = f"{where}: not enough memory to analyse it."
    elif isinstance(err, ValueError | TypeError) and str(err).startswith(str(path)):
        message = safe_text(str(err))
    else:  # librosa, numba, soundfile: anything one song can raise
        message = f"{where}: cannot be analysed ({type(err).__name__}: {err})."
    return message.replace("\r", "\\r").replace("\n", "\\n")


def write_features_csv(result: FolderFeatures, path: str | os.PathLike) -> None:
    """Writes the table atomically: ``file``, ``genre`` if any, then 264 columns
    named as ``feature_names(result.layout)``.

    Floats are written with ``repr``, which reads back as the same float64; every
    file name and genre is quoted, so a comma, quote or line break in a name keeps
    the table readable (by minigenre and by pandas).
    """
    names = feature_names(result.layout)
    header = ["file", *(["genre"] if result.genres is not None else []), *names]
    with atomic_open(path, "w") as f:
        # QUOTE_NONNUMERIC: text quoted, floats written bare (as repr, in Python 3).
        csv.writer(f, lineterminator="\n").writerow(header)  # plain names
        writer = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
        for i, row in enumerate(result.features.tolist()):
            label = [result.genres[i]] if result.genres is not None else []
            writer.writerow([result.files[i], *label, *row])
