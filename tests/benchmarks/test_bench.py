"""The benchmark as a smoke test at tiny sizes: its output, never its timings."""

import argparse
import importlib.util
import json
import math
import sys

import bench  # benchmarks/: tests/conftest.py puts it on the path
import numpy as np
import pytest
from bench_peers import missing_peers, numpy_forward, tight_numpy_fit

from minigenre.study.network import study_model

FIT_CASES = {
    "minigenre_elu",
    "minigenre_elu_1_thread",
    "minigenre_relu",
    "numpy_tight",
    "keras_first",
    "keras_warm",
    "keras_steps",
    "keras_jit",
    "sklearn_relu",
    "sklearn_relu_1_thread",
    "floor_6_gemms",
    "floor_5_gemms",
}
PREDICT_CASES = {"minigenre", "numpy_forward", "keras", "sklearn"}
# The optional peers: (fit case, predict case), each present when installed.
PEERS = {"pytorch": ("pytorch", "pytorch"), "jax": ("jax_jit", "jax")}
# minigenre with compile(jit_compile=True), present with the fast extra (numba).
JIT_CASES = {"minigenre_elu_jit", "minigenre_relu_jit"}
FAST = importlib.util.find_spec("numba") is not None


def check_stats(stats, reps):
    assert len(stats["seconds"]) == reps
    assert all(math.isfinite(s) and s > 0 for s in stats["seconds"])
    assert stats["min"] <= stats["median"] <= stats["max"]


@pytest.mark.slow  # a whole benchmark run: the full suite only
@pytest.mark.tensorflow
def test_tiny_run_prints_a_table_and_writes_complete_json(tmp_path, capsys):
    pytest.importorskip("tensorflow")
    pytest.importorskip("sklearn")
    path = tmp_path / "bench.json"
    argv = ["--reps", "1", "--rows", "64", "--predict-rows", "40", "--epochs", "1"]
    argv += ["--scaling-rows", "50,100", "--json", str(path)]
    assert bench.main(argv) == 0

    result = json.loads(path.read_text())
    missing = missing_peers()
    installed = [PEERS[name] for name in PEERS if name not in missing]
    jit_cases = JIT_CASES if FAST else set()
    assert set(result["fit"]) == FIT_CASES | jit_cases | {fit for fit, _ in installed}
    jit_predict = {"minigenre_jit"} if FAST else set()
    assert set(result["predict"]) == (
        PREDICT_CASES | jit_predict | {pred for _, pred in installed}
    )
    for line in missing.values():
        assert line in result["notes"]
    busy = result["contention"]["fit"]
    assert {"minigenre_elu", "minigenre_elu_1_thread", "keras_warm"} <= set(busy)
    assert len(result["contention"]["load_average_at_end"]) == 3
    busy_predict = result["contention"]["predict"]
    assert {"minigenre", "numpy_forward"} | jit_predict <= set(busy_predict)
    every = [*result["fit"].values(), *result["predict"].values()]
    for stats in [*every, *busy.values(), *busy_predict.values()]:
        check_stats(stats, reps=1)
    assert [row["rows"] for row in result["scaling"]] == [50, 100]
    for row in result["scaling"]:
        check_stats(row["fit"], reps=1)
        check_stats(row["us_per_sample"], reps=1)
        for key in ("data_mb", "fit_extra_mb", "peak_mb"):
            assert math.isfinite(row[key])
            assert row[key] > 0
        assert row["peak_mb"] == pytest.approx(row["data_mb"] + row["fit_extra_mb"])
    names = [target["name"] for target in result["targets"]]
    for name in (
        "busy: minigenre / minigenre 1 thread",
        "fit: minigenre / tight NumPy loop",
        "predict: minigenre / plain NumPy",
    ):
        assert name in names
    peer = len(installed) > 0
    for prefix in ("fit: ", "busy: "):  # the compiled fit against the faster peer
        name = prefix + "minigenre jit / faster of PyTorch, JAX"
        assert (name in names) == (FAST and peer)
        assert (prefix + "minigenre jit / 5-product floor" in names) == FAST
        assert prefix + "minigenre / tight NumPy loop" in names
    for prefix in ("predict: ", "busy: predict: "):
        name = prefix + "minigenre jit / PyTorch forward"
        assert (name in names) == (FAST and "pytorch" not in missing)
    assert ("busy: Keras warm / minigenre jit" in names) == FAST
    if FAST:
        assert "minigenre_elu_jit" in busy
    for target in result["targets"]:
        assert math.isfinite(target["value"])
        assert isinstance(target["met"], bool)
    assert result["settings"]["train_rows"] == 64
    assert result["versions"]["tensorflow"]

    out = capsys.readouterr().out
    for label in (
        "Keras fit, warm",
        "Keras, steps_per_execution=epoch",
        "tight NumPy loop, 1 thread",
        "floor: 6 matrix products/batch",
        "contention: the same fits while another process keeps one core busy",
        "targets",
    ):
        assert label in out


def test_a_missing_peer_is_named_and_skipped(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "jax", None)
    missing = missing_peers()
    assert set(missing) == {"pytorch", "jax"}
    assert "pytorch skipped: torch is not installed" in missing["pytorch"]


def test_the_numpy_peers_compute_the_study_network():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((70, 264), dtype=np.float32)
    y = rng.integers(0, 10, 70)
    weights = tight_numpy_fit(x, y, epochs=2, batch_size=32, seed=0)
    model = study_model(seed=0)
    model.set_weights(weights)
    np.testing.assert_allclose(
        numpy_forward(weights, x), model.predict(x), rtol=1e-5, atol=1e-7
    )


def test_without_tensorflow_the_command_is_a_usage_error(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "bench_lib", None)  # import fails
    args = argparse.Namespace(json=str(tmp_path / "bench.json"))
    with pytest.raises(SystemExit, match="needs TensorFlow and scikit-learn"):
        bench.cmd_bench(args)


def test_a_missing_json_directory_is_refused_before_measuring(tmp_path):
    args = argparse.Namespace(json=str(tmp_path / "missing" / "bench.json"))
    with pytest.raises(SystemExit, match="missing does not exist"):
        bench.cmd_bench(args)
