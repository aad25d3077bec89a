"""A run's configuration: the data source and the saved RunConfig."""

import dataclasses

import numpy as np
import pytest
from cli_helpers import small_dataset

from minigenre.study import workflow
from minigenre.study.config import DataSource, RunConfig
from minigenre.study.synthetic import make_synthetic


@pytest.fixture(scope="module")
def config():
    return workflow.train_run(
        small_dataset(), DataSource(), seed=2, epochs=1, verbose=0
    ).config


def test_to_dict_and_from_dict_round_trip(config):
    data = config.to_dict()
    assert data["format"] == "minigenre-run"
    assert data["genre_names"] == list(config.genre_names)
    assert RunConfig.from_dict(data) == config


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"format": "other"}, r"cfg: not a minigenre run configuration"),
        ({"format_version": True}, r"unsupported format_version True"),
        ({"seed": "0"}, r"field 'seed' must be an integer >= 0. Received: '0'"),
        ({"epochs": 0}, r"field 'epochs' must be an integer >= 1. Received: 0"),
        ({"model": "torch"}, r"bad 'model' or 'genre_names'"),
        ({"majority_class": 10}, r"majority_class in \[0, 10\)"),
        ({"validation_split": 1.0}, r"'validation_split' must be a number in \(0, 1\)"),
        ({"source": {"kind": "ftp"}}, r"bad 'source' \(kind must be"),
    ],
)
def test_from_dict_names_the_bad_field(config, change, match):
    with pytest.raises(ValueError, match=match):
        RunConfig.from_dict({**config.to_dict(), **change}, where="cfg")


def test_data_source_checks_its_fields():
    with pytest.raises(ValueError, match=r"kind must be .* Received: 'ftp'"):
        DataSource(kind="ftp")
    with pytest.raises(ValueError, match=r"'kaggle' source needs a path"):
        DataSource(kind="kaggle")
    with pytest.raises(ValueError, match=r"'csv' source needs a path and a label"):
        DataSource(kind="csv", path="songs.csv")
    with pytest.raises(ValueError, match=r"'embedded' source needs no path"):
        DataSource(path="somewhere")


def test_the_embedded_source_loads_the_synthetic_dataset():
    loaded, expected = DataSource().load(), make_synthetic(seed=0)
    for field in dataclasses.fields(expected):
        a, b = getattr(loaded, field.name), getattr(expected, field.name)
        if isinstance(b, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b
    assert DataSource().describe() == "the embedded synthetic dataset"
    assert DataSource("kaggle", "data/").describe() == "Kaggle files in data/"
