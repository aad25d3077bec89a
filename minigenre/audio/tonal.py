"""Columns 168-263: chroma and MFCC from librosa, each summarized by 4 statistics.

The study's data does not say which four statistics it used; minigenre takes

    mean, standard deviation (population, n), min, max

of each row over time, statistic-major like the SSD: for chroma, columns 168-179
hold the mean of pitch classes C, C#, ..., B, 180-191 their standard deviations,
and so on (docs/AUDIO.md has the whole table).

Both come from librosa with its default settings scaled to 44.1 kHz: 4096-sample
frames (93 ms) every 1024 samples (23 ms), as its defaults (2048 and 512) are at
22 050 Hz. They are computed on the same 5.94 s segments as the SSD, one segment at
a time, and the statistics are taken over the frames of all of them: a whole song
at once would cost about 3 MB of memory per second of audio (1.2 GB measured for
five minutes), one segment costs the same for any song.

* Chroma: ``librosa.feature.chroma_stft``, 12 pitch classes from C, with the tuning
  estimated from the song (librosa's default), each frame scaled to a maximum of 1.
* MFCC: ``librosa.feature.mfcc`` with ``n_mfcc=12``: coefficients 0-11 of the DCT
  of a 128-band log-mel spectrogram; coefficient 0 follows the overall level.
"""

from __future__ import annotations

import librosa
import numpy as np

from minigenre.audio.loudness import SAMPLE_RATE

TONAL_STATISTICS = ("mean", "std", "min", "max")
PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
N_MFCC = 12
N_FFT = 4096
HOP_LENGTH = 1024


def chroma(y: np.ndarray) -> np.ndarray:
    """Energy of each pitch class over time, shape ``(12, frames)``.

    Args:
        y: Mono samples at 44.1 kHz: a segment, or any other stretch of sound.
    """
    return librosa.feature.chroma_stft(
        y=y, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP_LENGTH
    )


def mfcc(y: np.ndarray) -> np.ndarray:
    """Mel-frequency cepstral coefficients 0-11 over time, shape ``(12, frames)``.

    Args:
        y: Mono samples at 44.1 kHz: a segment, or any other stretch of sound.
    """
    return librosa.feature.mfcc(
        y=y, sr=SAMPLE_RATE, n_mfcc=N_MFCC, n_fft=N_FFT, hop_length=HOP_LENGTH
    )


def segment_frames(parts: list[np.ndarray], feature) -> np.ndarray:
    """``feature`` (`chroma` or `mfcc`) of each segment, frames side by side.

    Returns:
        Shape ``(12, frames of all segments)``.
    """
    return np.concatenate([feature(part) for part in parts], axis=1)


def summarize(matrix: np.ndarray) -> np.ndarray:
    """Mean, standard deviation, min and max of each row over time, flattened.

    Args:
        matrix: Shape ``(rows, frames)``, e.g. `chroma` or `mfcc`.

    Returns:
        Shape ``(4 * rows,)``, statistic-major: ``[means, stds, mins, maxes]``.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    return np.concatenate([
        matrix.mean(axis=1),
        matrix.std(axis=1),
        matrix.min(axis=1),
        matrix.max(axis=1),
    ])  # fmt: skip
