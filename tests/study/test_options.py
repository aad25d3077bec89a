"""The training options, each declared once: every place that uses one derives its
default and its check from ``minigenre.study.options``."""

import dataclasses
import inspect

import numpy as np
import pytest
from cli_helpers import run_cli, small_dataset

from minigenre.cli import build_parser
from minigenre.study import workflow
from minigenre.study.config import DataSource, RunConfig
from minigenre.study.network import study_model
from minigenre.study.options import OPTIONS
from minigenre.training.checks import check_learning_rate

STUDY_DEFAULTS = {
    "epochs": 4,
    "batch_size": 32,
    "validation_split": 0.2,
    "class_weight": None,
    "learning_rate": 0.001,
    "units": 128,
    "sections": None,  # all 264 columns
    "patience": None,
    "seed": 0,
}


@pytest.fixture(scope="module")
def config():
    """A run trained with every option left at its default (on few rows)."""
    return workflow.train_run(small_dataset(), DataSource(), verbose=0).config


def test_the_table_holds_the_studys_options_under_keras_names():
    assert {name: option.default for name, option in OPTIONS.items()} == (
        STUDY_DEFAULTS
    )
    assert OPTIONS["validation_split"].flag == "--validation-split"


@pytest.mark.parametrize("name", list(OPTIONS))
def test_the_command_line_defaults_are_the_tables(name):
    args = build_parser().parse_args(["train", "--out", "run"])
    assert getattr(args, name) == OPTIONS[name].default


@pytest.mark.parametrize("name", list(OPTIONS))
def test_train_run_and_the_saved_config_use_the_tables_defaults(config, name):
    assert getattr(config, name) == OPTIONS[name].default


def test_every_library_default_is_the_tables():
    defaults = {f.name: f.default for f in dataclasses.fields(workflow.TrainingOptions)}
    defaults |= {
        name: p.default
        for name, p in inspect.signature(workflow.train_run).parameters.items()
        if name in OPTIONS
    }
    assert defaults == {name: option.default for name, option in OPTIONS.items()}
    for f in dataclasses.fields(RunConfig):
        if f.name in OPTIONS and f.default is not dataclasses.MISSING:
            assert f.default == OPTIONS[f.name].default, f.name
    model = study_model(seed=0)
    assert model.layers[0].units == OPTIONS["units"].default
    assert model.optimizer.learning_rate == OPTIONS["learning_rate"].default


def test_a_config_without_the_later_options_reads_their_defaults(config):
    data = config.to_dict()
    for name in ("learning_rate", "class_weight", "patience"):
        del data[name]
    assert RunConfig.from_dict(data) == config


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("epochs", 0, r"epochs must be an integer >= 1. Received: epochs=0"),
        ("epochs", 2.0, r"epochs must be an integer >= 1. Received: epochs=2.0"),
        ("batch_size", True, r"batch_size must be .* Received: batch_size=True"),
        ("units", -1, r"units must be an integer >= 1. Received: units=-1"),
        ("seed", -1, r"seed must be an integer >= 0. Received: seed=-1"),
        ("seed", None, r"seed must be an integer >= 0. Received: seed=None"),
        ("patience", -1, r"patience must be None or an integer >= 0. Received: "),
        ("patience", "2", r"patience must be None or .* Received: patience='2'"),
        (
            "validation_split",
            1.0,
            r"validation_split must be a number in \(0, 1\). Received: "
            r"validation_split=1.0",
        ),
        ("validation_split", float("nan"), r"Received: validation_split=nan"),
        ("validation_split", "0.2", r"Received: validation_split='0.2'"),
        ("validation_split", np.complex64(0.2 + 1j), r"Received: validation_split="),
        ("class_weight", "inverse", r"must be None or 'balanced'. Received: "),
        ("learning_rate", 0.0, r"learning_rate must be a finite number > 0"),
        ("learning_rate", float("inf"), r"Received: learning_rate=inf"),
        ("learning_rate", 10**400, r"learning_rate must be a finite number > 0"),
        ("learning_rate", "0.1", r"Received: learning_rate='0.1'"),
        ("sections", "rhythm,beat", r"sections must be None or a comma-separated "),
        ("sections", "", r"Received: sections=''"),
        ("sections", "rhythm,rhythm", r"Received: sections='rhythm,rhythm'"),
        ("sections", 3, r"Received: sections=3"),
    ],
)
def test_each_check_refuses_a_bad_value_with_its_rule(name, value, match):
    with pytest.raises(ValueError, match=match):
        OPTIONS[name].check(value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("epochs", np.int64(3)),
        ("units", 1),
        ("seed", 2**63),
        ("patience", 0),
        ("patience", None),
        ("class_weight", "balanced"),
        ("validation_split", 0.5),
        ("validation_split", np.float32(0.5)),
        ("learning_rate", 1),
    ],
)
def test_each_check_accepts_a_good_value(name, value):
    assert OPTIONS[name].check(value) == value


def test_the_learning_rate_is_checked_by_the_cores_one_check():
    assert OPTIONS["learning_rate"].validator is check_learning_rate


@pytest.mark.parametrize(
    ("flag", "text", "rule"),
    [
        ("--epochs", "0", "must be an integer >= 1. Received: '0'"),
        ("--batch-size", "x", "must be an integer >= 1. Received: 'x'"),
        ("--seed", "-1", "must be an integer >= 0. Received: '-1'"),
        ("--units", "1.5", "must be an integer >= 1. Received: '1.5'"),
        ("--patience", "-1", "must be an integer >= 0. Received: '-1'"),
        ("--validation-split", "0", "must be a number in (0, 1). Received: '0'"),
        ("--learning-rate", "nan", "must be a finite number > 0. Received: 'nan'"),
        ("--class-weight", "inverse", "invalid choice: 'inverse'"),
    ],
)
def test_the_command_line_refuses_what_the_check_refuses(capsys, flag, text, rule):
    code, _, err = run_cli(capsys, "train", flag, text, "--out", "run")
    assert code == 2
    assert f"argument {flag}: {rule}" in err


def test_training_options_run_the_checks():
    with pytest.raises(ValueError, match=r"Received: validation_split=1.5"):
        workflow.TrainingOptions(validation_split=1.5)
    with pytest.raises(ValueError, match=r"Received: epochs=0"):
        workflow.train_run(small_dataset(), DataSource(), epochs=0, verbose=0)


def test_a_config_json_with_the_old_validation_size_still_loads(config):
    data = config.to_dict()
    assert "validation_size" not in data
    data["validation_size"] = data.pop("validation_split")
    assert RunConfig.from_dict(data) == config
    data["validation_split"] = config.validation_split  # both, the same: accepted
    assert RunConfig.from_dict(data) == config


def test_a_config_json_with_both_names_differing_is_refused(config):
    data = {**config.to_dict(), "validation_size": 0.3}
    with pytest.raises(
        ValueError, match=r"cfg: fields 'validation_split' and 'validation_size'"
    ):
        RunConfig.from_dict(data, where="cfg")


def test_a_bad_config_field_is_named_with_the_options_rule(config):
    data = {**config.to_dict(), "units": 0}
    with pytest.raises(
        ValueError, match=r"cfg: field 'units' must be an integer >= 1. Received: 0"
    ):
        RunConfig.from_dict(data, where="cfg")
    data = {**config.to_dict(), "validation_size": 1.0}
    del data["validation_split"]
    with pytest.raises(ValueError, match=r"field 'validation_split' must be a number"):
        RunConfig.from_dict(data, where="cfg")


def test_sections_are_read_in_the_columns_order():
    check = OPTIONS["sections"].check
    assert check("chroma, rhythm") == ("rhythm", "chroma")
    assert check(["mfcc", "rhythm"]) == ("rhythm", "mfcc")  # a config's JSON list
    assert check(None) is None
