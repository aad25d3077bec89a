"""The first 168 columns: the Statistical Spectrum Descriptor (SSD) of a song.

Lidy & Rauber (ISMIR 2005) describe a song by how the loudness of each of the 24
Bark bands is distributed over time: seven statistics of each row of the sonogram
(`loudness.sonogram`). Like their ``rp_extract`` toolkit, this works on 5.94-second
segments (2**18 samples at 44.1 kHz), one after the other, and averages each
statistic over the segments; from a song of 45 s or more the first and the last
segment are skipped (intro and fade-out).

The seven statistics, in the toolkit's output order, each for bands 1-24:

    mean, variance (n - 1), skewness, kurtosis (Pearson's, 3 for a normal
    distribution), median, min, max

Skewness and kurtosis are the biased (population) estimates, as Matlab's
``skewness`` and ``kurtosis`` compute them; a band that never changes has neither,
and gets ``flat_value`` for both: 0 by default, as the toolkit sets its NaNs; the
2018 course table shows 1 (written 1000 in sone x 1000) in every such row.
"""

from __future__ import annotations

import numpy as np

from minigenre.audio.loudness import N_BANDS, SEGMENT_LENGTH, sonogram

SSD_STATISTICS = ("mean", "var", "skew", "kurt", "median", "min", "max")
N_SSD = len(SSD_STATISTICS) * N_BANDS  # 168
SKIP_FROM_SECONDS = 45.0  # the toolkit skips intro and fade-out from this length


def segment_starts(n_samples: int, sample_rate: int = 44100) -> np.ndarray:
    """First sample of each whole segment the descriptor uses.

    Args:
        n_samples: Length of the song in samples, at ``sample_rate``.
        sample_rate: 44100, the rate `SEGMENT_LENGTH` is meant for.

    Returns:
        Start indices; empty when the song is shorter than one segment.
    """
    skip = 1 if n_samples / sample_rate >= SKIP_FROM_SECONDS else 0
    n_segments = max(n_samples // SEGMENT_LENGTH - 2 * skip, 0)
    return (skip + np.arange(n_segments)) * SEGMENT_LENGTH


def segments(y: np.ndarray) -> list[np.ndarray]:
    """The whole segments of ``y`` the features describe (views, not copies)."""
    return [y[start : start + SEGMENT_LENGTH] for start in segment_starts(len(y))]


def band_statistics(loudness: np.ndarray, flat_value: float = 0.0) -> np.ndarray:
    """The seven statistics of each band's loudness over time.

    Args:
        loudness: A sonogram, shape ``(24, frames)``.
        flat_value: Skewness and kurtosis of a band that never changes.

    Returns:
        Shape ``(7, 24)``, rows in `SSD_STATISTICS` order.
    """
    mean = loudness.mean(axis=1, keepdims=True)  # (24, 1)
    deviation = loudness - mean  # (24, frames)
    m2, m3, m4 = ((deviation**k).mean(axis=1) for k in (2, 3, 4))  # central moments
    # A band that never changes has no skewness or kurtosis: flat_value stands in.
    # "Never changes" up to rounding, by scipy.stats.skew's rule.
    flat = m2 <= (np.finfo(np.float64).resolution * mean[:, 0]) ** 2
    spread = np.where(flat, 1.0, m2)  # a placeholder where the result is 0 anyway
    return np.stack([
        mean[:, 0],
        loudness.var(axis=1, ddof=1),
        np.where(flat, flat_value, m3 / spread**1.5),
        np.where(flat, flat_value, m4 / spread**2),
        np.median(loudness, axis=1),
        loudness.min(axis=1),
        loudness.max(axis=1),
    ])  # fmt: skip


def spectrum_descriptor(y: np.ndarray, flat_value: float = 0.0) -> np.ndarray:
    """The 168 SSD features of a mono 44.1 kHz signal.

    Args:
        y: Samples in [-1, 1], at least `SEGMENT_LENGTH` of them.
        flat_value: Skewness and kurtosis of a band that never changes
            (`band_statistics`).

    Returns:
        Shape ``(168,)``: statistic-major, so column ``24 * s + b`` holds statistic
        ``SSD_STATISTICS[s]`` of band ``b + 1``.

    Raises:
        ValueError: If ``y`` is shorter than one segment.
    """
    parts = segments(y)
    if not parts:
        raise ValueError(
            f"The SSD needs at least {SEGMENT_LENGTH} samples (one segment). "
            f"Received: {len(y)} samples"
        )
    per_segment = [band_statistics(sonogram(part), flat_value) for part in parts]
    return np.mean(per_segment, axis=0).ravel()  # (168,)
