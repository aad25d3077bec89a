"""Fixtures shared by more than one test module."""

import sys
from pathlib import Path

import pytest
from cli_helpers import small_dataset

from minigenre.study.data import write_kaggle

# The benchmark scripts import their neighbours (``bench_lib``) as scripts do.
sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))


@pytest.fixture(scope="module")
def kaggle_dir(tmp_path_factory):
    """A small dataset written as the three Kaggle files."""
    directory = tmp_path_factory.mktemp("kaggle")
    write_kaggle(small_dataset(), directory)
    return directory
