"""From a few seconds of sound to how loud each critical band sounds, frame by frame.

These are steps S1, S2, S4, S5 and S6 of the rhythm-patterns toolkit ``rp_extract``
(Lidy & Rauber, "Evaluation of feature extractors and psycho-acoustic
transformations for music genre classification", ISMIR 2005), written out in NumPy
with the toolkit's settings for 44.1 kHz audio::

    segment (2**18 samples, 5.94 s)
      -> power spectrogram   (513 bins, 511 frames)  Hann window of 1024, hop 512
      -> Bark bands          (24, 511)   power summed inside each critical band
      -> decibels            (24, 511)   10 log10, floored at 0 dB
      -> phon                (24, 511)   equal-loudness contours: as loud as 1 kHz
      -> sone                (24, 511)   loudness sensation: 40 phon = 1 sone

The toolkit's optional step S3, spectral masking, is off here as in its own defaults
(Matlab ``rp_extract`` v0.6411, ``opts.spectral_masking = 0``).

Everything here is plain NumPy: no librosa.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

SAMPLE_RATE = 44100
FFT_SIZE = 1024  # 23 ms at 44.1 kHz, the toolkit's window
HOP_LENGTH = FFT_SIZE // 2  # 50% overlap
SEGMENT_LENGTH = 2**18  # 5.94 s; the toolkit analyses a song in such segments
# The toolkit scales samples in [-1, 1] by 0.0875 * 2**15 before the FFT ("adjust
# hearing threshold"): a full-scale 1 kHz tone then lands near 90 dB, inside the
# range the equal-loudness table covers.
LEVEL_SCALE = 0.0875 * 2**15

# Upper edges of the 24 critical bands of the Bark scale, in Hz (Zwicker, 1961).
# Band 1 is [0, 100), band b is [BARK_EDGES[b-2], BARK_EDGES[b-1]).
BARK_EDGES = np.array([
    100, 200, 300, 400, 510, 630, 770, 920, 1080, 1270, 1480, 1720,
    2000, 2320, 2700, 3150, 3700, 4400, 5300, 6400, 7700, 9500, 12000, 15500,
], dtype=np.float64)  # fmt: skip
N_BANDS = len(BARK_EDGES)

# Equal-loudness contours: the sound pressure level (dB) at which a tone of each
# frequency sounds as loud as a 1 kHz tone of PHON_LEVELS[k] dB. The table is the
# one in the rp_extract toolkit (Matlab rp_extract v0.6411 by T. Lidy,
# CONST_eq_loudness and CONST_loudn_freq; the same numbers in its Python port,
# github.com/tuwien-musicir/rp_extract, rp_extract.py), which it took from E.
# Pampalk's MA Toolbox for Matlab (ma_sone.m, 2004). It is the toolkit's own
# 22-frequency table, not the 29-frequency ISO 226:2003 one. At 1 kHz each contour
# equals its level, which is what defines the phon.
PHON_LEVELS = np.array([3, 20, 40, 60, 80, 100], dtype=np.float64)
CONTOUR_FREQUENCIES = np.array([
    31.62, 50, 70.7, 100, 141.4, 200, 316.2, 500, 707.1, 1000, 1414,
    1682, 2000, 2515, 3162, 3976, 5000, 7071, 10000, 11890, 14140, 15500,
])  # fmt: skip
EQUAL_LOUDNESS_DB = np.array([
    [55, 40, 32, 24, 19, 14, 10, 6, 4, 3, 2, 2, 0, -2, -5, -4, 0, 5, 10, 14, 25, 35],
    [66, 52, 43, 37, 32, 27, 23, 21, 20, 20, 20, 20, 19, 16, 13, 13, 18, 22, 25, 30,
     40, 50],
    [76, 64, 57, 51, 47, 43, 41, 41, 40, 40, 40, 39.5, 38, 35, 33, 33, 35, 41, 46, 50,
     60, 70],
    [89, 79, 74, 70, 66, 63, 61, 60, 60, 60, 60, 59, 56, 53, 52, 53, 56, 61, 65, 70,
     80, 90],
    [103, 96, 92, 88, 85, 83, 81, 80, 80, 80, 80, 79, 76, 72, 70, 70, 75, 79, 83, 87,
     95, 105],
    [118, 110, 107, 105, 103, 102, 101, 100, 100, 100, 100, 99, 97, 94, 90, 90, 95,
     100, 103, 105, 108, 115],
], dtype=np.float64)  # (phon levels, frequencies)  # fmt: skip

# The contours at each band's upper edge, linearly interpolated between the table's
# frequencies (the toolkit's inverse-distance weights are the same interpolation).
BAND_CONTOURS_DB = np.stack(
    [np.interp(BARK_EDGES, CONTOUR_FREQUENCIES, row) for row in EQUAL_LOUDNESS_DB]
)  # (6 phon levels, 24 bands)


def power_spectrogram(segment: np.ndarray) -> np.ndarray:
    """Step S1: the one-sided periodogram of Hann-windowed frames, 50% overlap.

    Matches Matlab's ``periodogram(x, hann(1024))``, which the toolkit calls: power
    per radian, ``|FFT|**2 / (sum(w**2) * 2 pi)``, doubled for every bin but 0 Hz and
    Nyquist, whose energy has no mirror image to fold in.

    Args:
        segment: Mono samples in [-1, 1], shape ``(n,)`` with ``n >= FFT_SIZE``.

    Returns:
        Power, shape ``(FFT_SIZE // 2 + 1, frames)``: 513 bins 43 Hz apart, and
        ``n // HOP_LENGTH - 1`` frames (511 for a whole segment).
    """
    x = LEVEL_SCALE * np.asarray(segment, dtype=np.float64)
    window = np.hanning(FFT_SIZE)  # symmetric, as Matlab's hann(N)
    frames = sliding_window_view(x, FFT_SIZE)[::HOP_LENGTH]  # (frames, 1024)
    spectrum = np.fft.rfft(frames * window, axis=1)  # (frames, 513)
    power = np.abs(spectrum) ** 2 / (window @ window * 2 * np.pi)
    power[:, 1:-1] *= 2
    return power.T  # (513, frames)


def fft_frequencies() -> np.ndarray:
    """Centre frequency of each of the 513 bins, in Hz: ``k * 44100 / 1024``."""
    return np.arange(FFT_SIZE // 2 + 1) * SAMPLE_RATE / FFT_SIZE


def band_of_each_bin() -> np.ndarray:
    """For each FFT bin, its Bark band (0-23), or 24 above the last edge, 15.5 kHz."""
    return np.searchsorted(BARK_EDGES, fft_frequencies(), side="right")


def bark_bands(power: np.ndarray) -> np.ndarray:
    """Step S2: the power of the bins inside each critical band, summed.

    Args:
        power: From `power_spectrogram`, shape ``(513, frames)``.

    Returns:
        Band power, shape ``(24, frames)``.
    """
    membership = band_of_each_bin() == np.arange(N_BANDS)[:, None]  # (24, 513)
    return membership.astype(np.float64) @ power  # (24, frames)


def decibels(band_power: np.ndarray) -> np.ndarray:
    """Step S4: ``10 log10(power)``, with power below 1 counted as 1, i.e. 0 dB."""
    return 10 * np.log10(np.maximum(band_power, 1.0))


def phons(band_db: np.ndarray) -> np.ndarray:
    """Step S5: decibels to phon, band by band, along the equal-loudness contours.

    In band ``b`` a level on contour ``k`` is ``PHON_LEVELS[k]`` phon; between two
    contours the phon value is interpolated linearly. Below the 3-phon contour
    (the threshold of hearing) it stays 3, above the 100-phon contour it stays 100.

    Args:
        band_db: From `decibels`, shape ``(24, frames)``.

    Returns:
        Loudness level in phon, shape ``(24, frames)``.
    """
    return np.stack([
        np.interp(band_db[b], BAND_CONTOURS_DB[:, b], PHON_LEVELS)
        for b in range(N_BANDS)
    ])  # fmt: skip


def sones(band_phon: np.ndarray) -> np.ndarray:
    """Step S6: phon to sone, the loudness sensation (Bladon & Lindblom, 1981).

    40 phon is 1 sone by definition; above it every 10 phon double the loudness,
    ``2 ** ((phon - 40) / 10)``; below it loudness falls as ``(phon / 40) ** 2.642``.
    """
    above = 2.0 ** ((band_phon - 40) / 10)
    below = (band_phon / 40) ** 2.642
    return np.where(band_phon >= 40, above, below)


def sonogram(segment: np.ndarray) -> np.ndarray:
    """Steps S1-S6: the specific loudness of each Bark band over time, in sone.

    Args:
        segment: Mono samples in [-1, 1] at 44.1 kHz, usually ``SEGMENT_LENGTH``.

    Returns:
        Shape ``(24, frames)``, 511 frames for a whole segment.
    """
    band_db = decibels(bark_bands(power_spectrogram(segment)))
    return sones(phons(band_db))
