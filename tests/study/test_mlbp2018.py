"""Tests for study.mlbp2018: the embedded summary of the real 2018 table."""

import doctest

import numpy as np

from minigenre.study import mlbp2018
from minigenre.study.data import SECTIONS
from minigenre.study.mlbp2018 import SSD_FLOOR, column_stats


def test_docstring_examples():
    assert doctest.testmod(mlbp2018).failed == 0


def test_the_summary_has_one_row_per_column_of_the_real_table():
    stats = column_stats()
    assert stats.mean.shape == stats.std.shape == stats.share_at_min.shape == (264,)
    assert stats.quantiles.shape == (264, 5)
    assert stats.genre_means.shape == (10, 264)
    assert sum(stats.label_counts) == 4363
    for name, columns in SECTIONS.items():
        expected = "timbre" if name == "mfcc" else name  # the course's name for it
        assert set(stats.section[columns]) == {expected}


def test_the_measured_facts_are_in_it():
    stats = column_stats()
    np.testing.assert_array_equal(stats.min[216:220], 1e6)
    np.testing.assert_array_equal(stats.std[216:220], 0.0)
    assert stats.min[23] == SSD_FLOOR
    assert stats.share_at_min[23] == stats.share_at_min[95]  # kurtosis 1000 with it
    assert (stats.min <= stats.quantiles[:, 0]).all()
    assert (np.diff(stats.quantiles, axis=1) >= 0).all()
    assert (stats.quantiles[:, -1] <= stats.max).all()
    # The share-weighted genre means give the column mean back (to print precision).
    shares = np.array(stats.label_counts) / 4363
    error = np.abs(shares @ stats.genre_means - stats.mean)
    assert (error <= 1e-4 * stats.std).all()  # measured: at most 2.9e-5 std


def test_the_arrays_are_read_only():
    stats = column_stats()
    assert not stats.mean.flags.writeable
    assert not stats.genre_means.flags.writeable
    assert column_stats() is stats  # read once
