"""A song's 264 numbers in the study's layout: rhythm (SSD), chroma, MFCC.

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
"""

from __future__ import annotations

import os

import numpy as np

from minigenre.audio.loudness import N_BANDS
from minigenre.audio.rhythm import SSD_STATISTICS, segments, spectrum_descriptor
from minigenre.audio.signal import load_audio, prepare_signal
from minigenre.audio.tonal import (
    N_MFCC,
    PITCH_CLASSES,
    TONAL_STATISTICS,
    chroma,
    mfcc,
    segment_frames,
    summarize,
)

FEATURE_NAMES: tuple[str, ...] = (
    *(f"ssd_{s}_bark{b:02d}" for s in SSD_STATISTICS for b in range(1, N_BANDS + 1)),
    *(f"chroma_{s}_{pc}" for s in TONAL_STATISTICS for pc in PITCH_CLASSES),
    *(f"mfcc_{s}_{k:02d}" for s in TONAL_STATISTICS for k in range(N_MFCC)),
)


def extract_features(audio, sr: int | None = None) -> np.ndarray:
    """The 264 features of one song, from a file or a signal.

    Args:
        audio: A path to an audio file (WAV, FLAC, OGG, MP3, ...), or samples in
            [-1, 1] of shape ``(n,)`` or ``(channels, n)``.
        sr: The signal's sample rate in Hz; only for a signal (a file knows its
            own). Other rates than 44 100 Hz are resampled.

    Returns:
        Shape ``(264,)``, float64, in the column order of `FEATURE_NAMES`.

    Raises:
        ValueError: If the file or signal cannot be used (missing, not audio,
            silent, shorter than 5.94 s, NaN); the message says what and where.

    Example:
        >>> t = np.arange(7 * 44100) / 44100
        >>> x = extract_features(0.5 * np.sin(2 * np.pi * 440 * t), sr=44100)
        >>> x.shape, PITCH_CLASSES[int(np.argmax(x[168:180]))]
        ((264,), 'A')
    """
    if isinstance(audio, str | os.PathLike):
        if sr is not None:
            raise ValueError(
                f"sr goes with a signal; a file has its own rate. Received: sr={sr}"
            )
        y = load_audio(audio)
    else:
        if sr is None:
            raise ValueError("A signal needs its sample rate: extract_features(y, sr).")
        y = prepare_signal(audio, sr)
    parts = segments(y)  # the 5.94 s segments all three sections describe
    return np.concatenate([
        spectrum_descriptor(y),  # (168,)
        summarize(segment_frames(parts, chroma)),  # (48,)
        summarize(segment_frames(parts, mfcc)),  # (48,)
    ])  # fmt: skip
