"""The benchmark as a smoke test at tiny sizes: its output, never its timings."""

import argparse
import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "bench.py"
FIT_CASES = {
    "minigenre_elu",
    "minigenre_relu",
    "keras_first",
    "keras_warm",
    "sklearn_relu",
    "floor_6_gemms",
    "floor_5_gemms",
}


def load_script():
    spec = importlib.util.spec_from_file_location("bench_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_stats(stats, reps):
    assert len(stats["seconds"]) == reps
    assert all(math.isfinite(s) and s > 0 for s in stats["seconds"])
    assert stats["min"] <= stats["median"] <= stats["max"]


@pytest.mark.tensorflow
def test_tiny_run_prints_a_table_and_writes_complete_json(tmp_path, capsys):
    pytest.importorskip("tensorflow")
    pytest.importorskip("sklearn")
    path = tmp_path / "bench.json"
    argv = ["--reps", "1", "--rows", "64", "--predict-rows", "40", "--epochs", "1"]
    argv += ["--scaling-rows", "50,100", "--json", str(path)]
    assert load_script().main(argv) == 0

    result = json.loads(path.read_text())
    assert set(result["fit"]) == FIT_CASES
    assert set(result["predict"]) == {"minigenre", "keras", "sklearn"}
    for stats in [*result["fit"].values(), *result["predict"].values()]:
        check_stats(stats, reps=1)
    assert [row["rows"] for row in result["scaling"]] == [50, 100]
    for row in result["scaling"]:
        check_stats(row["fit"], reps=1)
        check_stats(row["us_per_sample"], reps=1)
        for key in ("data_mb", "fit_extra_mb", "peak_mb"):
            assert math.isfinite(row[key])
            assert row[key] > 0
        assert row["peak_mb"] == pytest.approx(row["data_mb"] + row["fit_extra_mb"])
    assert len(result["targets"]) == 7
    for target in result["targets"]:
        assert math.isfinite(target["value"])
        assert isinstance(target["met"], bool)
    assert result["settings"]["train_rows"] == 64
    assert result["settings"]["blas_threads"] == 1
    assert result["versions"]["tensorflow"]

    out = capsys.readouterr().out
    for label in ("Keras fit, warm", "floor: 6 matrix products/batch", "targets"):
        assert label in out


def test_without_tensorflow_the_command_is_a_usage_error(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "bench_lib", None)  # import fails
    args = argparse.Namespace(json=str(tmp_path / "bench.json"))
    with pytest.raises(SystemExit, match="needs TensorFlow and scikit-learn"):
        load_script().cmd_bench(args)


def test_a_missing_json_directory_is_refused_before_measuring(tmp_path):
    args = argparse.Namespace(json=str(tmp_path / "missing" / "bench.json"))
    with pytest.raises(SystemExit, match="missing does not exist"):
        load_script().cmd_bench(args)
