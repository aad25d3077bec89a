"""The rhythm section's psycho-acoustic steps, each against hand-computed values."""

import numpy as np
import pytest

pytest.importorskip("librosa", reason='needs "minigenre[audio]"')
from minigenre.audio import loudness
from minigenre.audio.loudness import (
    BAND_CONTOURS_DB,
    BARK_EDGES,
    CONTOUR_FREQUENCIES,
    EQUAL_LOUDNESS_DB,
    PHON_LEVELS,
)

pytestmark = pytest.mark.audio
SR = loudness.SAMPLE_RATE


def test_at_1khz_every_contour_equals_its_phon_level():
    # The definition of the phon: a table typed wrong would break it.
    column = list(CONTOUR_FREQUENCIES).index(1000)
    np.testing.assert_array_equal(EQUAL_LOUDNESS_DB[:, column], PHON_LEVELS)


def test_louder_contours_lie_higher_at_every_frequency():
    assert (np.diff(EQUAL_LOUDNESS_DB, axis=0) > 0).all()
    assert (np.diff(BAND_CONTOURS_DB, axis=0) > 0).all()


def test_band_contours_interpolate_the_table_linearly():
    # Band 9 ends at 1080 Hz, between the table's 1000 and 1414 Hz columns.
    w = (1080 - 1000) / (1414 - 1000)
    expected = (1 - w) * EQUAL_LOUDNESS_DB[:, 9] + w * EQUAL_LOUDNESS_DB[:, 10]
    np.testing.assert_allclose(BAND_CONTOURS_DB[:, 8], expected)
    # Band 4 ends at 400 Hz: 316.2 -> 500 Hz, the 3-phon contour falls 10 -> 6 dB.
    np.testing.assert_allclose(
        BAND_CONTOURS_DB[0, 3], 10 + (6 - 10) * (400 - 316.2) / (500 - 316.2)
    )


def test_power_spectrogram_of_a_sine_holds_its_power_in_its_bin():
    # Parseval: a power density per radian, times the bin width 2 pi / N, sums to
    # the mean power, A**2 / 2 for a sine of amplitude A (scaled first).
    frequency = 40 * SR / loudness.FFT_SIZE  # bin 40 exactly
    y = 0.25 * np.sin(2 * np.pi * frequency * np.arange(loudness.FFT_SIZE * 4) / SR)
    power = loudness.power_spectrogram(y)
    assert power.shape == (513, 7)  # 4096 samples, hop 512: 8 - 1 frames
    total = power.sum(axis=0) * 2 * np.pi / loudness.FFT_SIZE
    expected = (0.25 * loudness.LEVEL_SCALE) ** 2 / 2
    np.testing.assert_allclose(total, expected, rtol=1e-3)
    assert set(power[:, 0].argsort()[-3:]) == {39, 40, 41}  # Hann main lobe


def test_bark_bands_sum_the_bins_between_their_edges():
    power = np.ones((513, 2))
    bands = loudness.bark_bands(power)
    frequencies = np.arange(513) * SR / loudness.FFT_SIZE
    lower = np.concatenate([[0], BARK_EDGES[:-1]])
    counts = [((frequencies >= lo) & (frequencies < hi)).sum()
              for lo, hi in zip(lower, BARK_EDGES, strict=True)]  # fmt: skip
    np.testing.assert_array_equal(bands[:, 0], counts)
    assert bands[0, 0] == 3  # 0, 43 and 86 Hz lie below 100 Hz
    assert bands.sum() < 2 * 513  # bins above 15.5 kHz belong to no band


def test_decibels_floor_power_below_one_at_zero():
    np.testing.assert_allclose(
        loudness.decibels(np.array([[0.0, 0.5, 1.0, 10.0, 1e6]])),
        [[0.0, 0.0, 0.0, 10.0, 60.0]],
    )


def test_phons_follow_the_contours_of_each_band():
    band = 8
    contours = BAND_CONTOURS_DB[:, band]
    db = np.zeros((24, 5))
    midway = (contours[2] + contours[3]) / 2
    db[band] = [contours[0] - 5, contours[1], midway, contours[5], contours[5] + 9]
    phon = loudness.phons(db)[band]
    # Below the threshold contour: 3; on a contour: its level; halfway between the
    # 40- and 60-phon contours: 50; above the top contour: 100.
    np.testing.assert_allclose(phon, [3, 20, 50, 100, 100])


def test_sones_double_every_10_phon_above_40():
    np.testing.assert_allclose(
        loudness.sones(np.array([40.0, 50.0, 60.0, 30.0, 3.0])),
        [1.0, 2.0, 4.0, 0.75**2.642, (3 / 40) ** 2.642],
    )


def test_sonogram_chains_the_steps():
    rng = np.random.default_rng(0)
    y = 0.1 * rng.standard_normal(loudness.SEGMENT_LENGTH)
    expected = loudness.sones(
        loudness.phons(
            loudness.decibels(loudness.bark_bands(loudness.power_spectrogram(y)))
        )
    )
    result = loudness.sonogram(y)
    assert result.shape == (24, 511)
    np.testing.assert_array_equal(result, expected)
