"""A song's 264 numbers in one of two layouts: minigenre's, or the 2018 table's.

``layout="minigenre"`` (the default):

====================  =========  ===============================================
columns               section    content
====================  =========  ===============================================
0-167                 rhythm     7 SSD statistics x 24 Bark bands (`rhythm`)
168-215               chroma     4 statistics x 12 pitch classes C..B (`tonal`)
216-263               mfcc       4 statistics x 12 coefficients 0..11 (`tonal`)
====================  =========  ===============================================

Within each section the statistic varies slowest: column ``168 + 12 * s + k`` is
statistic ``s`` of pitch class ``k``. `FEATURE_NAMES` spells every column out, e.g.
``ssd_mean_bark01``, ``chroma_std_C#``, ``mfcc_max_11``; docs/AUDIO.md has the table.

``layout="mlbp2018"`` writes the columns of the 2018 course's table, on its scale,
as measured on the real file (docs/AUDIO.md):

* 0-167: the same SSD in sone x 1000, and a band that never changes has skewness
  and kurtosis 1 (written 1000), as in every such row of the table;
* 168-215: chroma mean, **variance**, min and max of the 12 pitch classes, min and
  max rounded to 0.001 as in the table;
* 216-263: the table's Echo Nest timbre, which no audio analysis can reproduce (the
  algorithm is the Echo Nest's and unpublished): columns 216-219 are the table's
  constant 1e6, the other 44 are 0. A model for these features should be trained
  on the rhythm and chroma sections only (``minigenre train --sections
  rhythm,chroma``); `COMPUTED_SECTIONS` names them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np

from minigenre.audio.loudness import N_BANDS, sonogram
from minigenre.audio.rhythm import SSD_STATISTICS, band_statistics, segments
from minigenre.audio.signal import prepare_signal
from minigenre.audio.stream import song_segments
from minigenre.audio.tonal import (
    N_MFCC,
    PITCH_CLASSES,
    TONAL_STATISTICS,
    chroma,
    mfcc,
    summarize,
)

LAYOUTS = ("minigenre", "mlbp2018")
_SSD_NAMES = tuple(
    f"ssd_{s}_bark{b:02d}" for s in SSD_STATISTICS for b in range(1, N_BANDS + 1)
)
FEATURE_NAMES: tuple[str, ...] = (
    *_SSD_NAMES,
    *(f"chroma_{s}_{pc}" for s in TONAL_STATISTICS for pc in PITCH_CLASSES),
    *(f"mfcc_{s}_{k:02d}" for s in TONAL_STATISTICS for k in range(N_MFCC)),
)
MLBP2018_STATISTICS = ("mean", "var", "min", "max")  # chroma and timbre, in order
MLBP2018_NAMES: tuple[str, ...] = (
    *_SSD_NAMES,
    *(f"chroma_{s}_{pc}" for s in MLBP2018_STATISTICS for pc in PITCH_CLASSES),
    *(f"timbre_{s}_{k:02d}" for s in MLBP2018_STATISTICS for k in range(N_MFCC)),
)
# The sections each layout computes from audio; the 2018 timbre block is not one.
COMPUTED_SECTIONS = {
    "minigenre": ("rhythm", "chroma", "mfcc"),
    "mlbp2018": ("rhythm", "chroma"),
}
SONE_SCALE = 1000.0  # the 2018 table's rhythm unit: sone x 1000
CONSTANT_TIMBRE = 1e6  # columns 216-219 of the 2018 table, in every row


def feature_names(layout: str = "minigenre") -> tuple[str, ...]:
    """The 264 column names of ``layout``: `FEATURE_NAMES` or `MLBP2018_NAMES`."""
    check_layout(layout)
    return FEATURE_NAMES if layout == "minigenre" else MLBP2018_NAMES


def check_layout(layout: str) -> str:
    """Returns ``layout`` if it is one of `LAYOUTS`, else raises ``ValueError``."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}. Received: {layout!r}")
    return layout


def extract_features(
    audio, sr: int | None = None, layout: str = "minigenre"
) -> np.ndarray:
    """The 264 features of one song, from a file or a signal.

    Args:
        audio: A path to an audio file (WAV, FLAC, OGG, MP3, ...), or samples in
            [-1, 1] of shape ``(n,)`` or ``(channels, n)``.
        sr: The signal's sample rate in Hz; only for a signal (a file knows its
            own). Other rates than 44 100 Hz are resampled.
        layout: ``"minigenre"`` or ``"mlbp2018"`` (the 2018 table's columns and
            scale; see the module docstring).

    Returns:
        Shape ``(264,)``, float64, in the column order of ``feature_names(layout)``.

    Raises:
        ValueError: If the file or signal cannot be used (missing, not audio,
            silent, shorter than 5.94 s, NaN); the message says what and where.

    Example:
        >>> t = np.arange(7 * 44100) / 44100
        >>> x = extract_features(0.5 * np.sin(2 * np.pi * 440 * t), sr=44100)
        >>> x.shape, PITCH_CLASSES[int(np.argmax(x[168:180]))]
        ((264,), 'A')
    """
    check_layout(layout)
    if isinstance(audio, str | os.PathLike):
        if sr is not None:
            raise ValueError(
                f"sr goes with a signal; a file has its own rate. Received: sr={sr}"
            )
        parts = song_segments(audio)  # one at a time: memory of one segment
    else:
        if sr is None:
            raise ValueError("A signal needs its sample rate: extract_features(y, sr).")
        parts = iter(segments(prepare_signal(audio, sr)))
    return describe_segments(parts, layout)


def describe_segments(parts: Iterator[np.ndarray], layout: str) -> np.ndarray:
    """The 264 columns of ``layout`` from a song's 5.94 s segments, in order.

    Each segment is analysed as it comes and kept no longer: its SSD statistics
    (7, 24), and its chroma and MFCC frames (12, 257), are all that stay.
    """
    flat_value = 1.0 if layout == "mlbp2018" else 0.0
    ssd, chromas, mfccs = [], [], []
    for part in parts:
        ssd.append(band_statistics(sonogram(part), flat_value))  # (7, 24)
        chromas.append(chroma(part))  # (12, frames)
        if layout == "minigenre":
            # A copy: librosa's MFCC is a view of all 128 DCT rows, 10x the size.
            mfccs.append(mfcc(part).copy())  # (12, frames)
    rhythm = np.mean(ssd, axis=0).ravel()  # (168,): each statistic over segments
    pitch = summarize(np.concatenate(chromas, axis=1))  # (48,)
    if layout == "mlbp2018":
        return mlbp2018_columns(rhythm, pitch)
    return np.concatenate([rhythm, pitch, summarize(np.concatenate(mfccs, axis=1))])


def mlbp2018_columns(rhythm: np.ndarray, pitch: np.ndarray) -> np.ndarray:
    """The 2018 table's 264 columns from the SSD (flat bands 1) and the chroma
    statistics of a song."""
    mean, std, low, high = pitch.reshape(4, 12)
    # Echo Nest's pitch statistics: a variance, and min and max to 0.001.
    tonal = np.concatenate([mean, std**2, np.round(low, 3), np.round(high, 3)])
    timbre = np.zeros(48)  # not computable from audio: see the module docstring
    timbre[:4] = CONSTANT_TIMBRE
    return np.concatenate([SONE_SCALE * rhythm, tonal, timbre])  # (264,)
