"""Fixtures shared by more than one test module."""

import signal
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import small_dataset

from minigenre.study.data import write_kaggle

# The benchmark scripts import their neighbours (``bench_lib``) as scripts do.
sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))


@pytest.fixture
def blobs():
    """200 rows, 12 features, 10 classes: a small learnable problem."""
    rng = np.random.default_rng(0)
    centers = rng.normal(scale=2.0, size=(10, 12))
    y = rng.integers(0, 10, size=200)
    x = centers[y] + rng.normal(size=(200, 12))
    return x.astype(np.float32), y


@pytest.fixture(scope="module")
def kaggle_dir(tmp_path_factory):
    """A small dataset written as the three Kaggle files."""
    directory = tmp_path_factory.mktemp("kaggle")
    write_kaggle(small_dataset(), directory)
    return directory


@pytest.fixture
def ctrl_c():
    """Ctrl-C raises KeyboardInterrupt in this process, even in a suite started in
    the background (``pytest &`` from a script), which passes on an ignored SIGINT;
    the previous handler comes back after."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)
