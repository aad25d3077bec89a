"""Fixtures shared by more than one test module."""

import pytest
from cli_helpers import small_dataset

from minigenre.data import write_kaggle


@pytest.fixture(scope="module")
def kaggle_dir(tmp_path_factory):
    """A small dataset written as the three Kaggle files."""
    directory = tmp_path_factory.mktemp("kaggle")
    write_kaggle(small_dataset(), directory)
    return directory
