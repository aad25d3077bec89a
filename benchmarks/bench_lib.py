"""The benchmark: minigenre's training and prediction speed next to its peers', with
the floor that the matrix products alone set.

Everything runs in one process. Each case runs once to warm up, then ``reps`` times,
the cases interleaved so that a slow spell of the machine hits them all alike, each
after a garbage collection so that none pays for another's garbage; the table shows
min, median and max, and every ratio compares medians of this one run. Every library
runs with its default thread settings, as a user would run it.

* fit: the study's network on the embedded dataset's training split, float32.
  minigenre with its NumPy update (what one fit runs with the default
  ``jit_compile="auto"``), with NumPy's BLAS pinned to one thread by hand, and with
  ``jit_compile=True`` (Adam's update compiled by numba, the ``fast`` extra, the
  same bits), each with the default thread settings otherwise. Keras is
  timed on a model already built (TensorFlow imported, weights created): its
  *first* ``fit`` traces the training graph, later ones reuse it (*warm*); also with
  ``steps_per_execution`` set to one epoch (one call of the compiled function per
  epoch) and with that plus ``jit_compile=True`` (XLA). scikit-learn's
  ``MLPClassifier`` has no ELU, so it is compared with a relu minigenre model of
  the same shape (as is, and with one BLAS thread). PyTorch and JAX (an epoch under
  ``jit`` with ``lax.scan``) when installed, and a tight hand-written NumPy loop
  (``bench_peers.py``).
* floor: the same training's matrix products alone, on the same batch shapes: the
  six a batch needs when the gradient for the input is computed too, and the five
  minigenre computes. The floor and the hand-written NumPy run on one BLAS thread.
* predict: class probabilities for the 6544 test rows, each library's default call,
  and one plain NumPy forward pass over all rows (one BLAS thread).
* scaling: minigenre's fit time per sample and its memory on synthetic float32 rows,
  one epoch per fit by default (the time per sample does not depend on it). Memory
  is measured with ``tracemalloc``, which NumPy tells about every array it
  allocates: the peak of one ``fit`` over the memory traced before it is exactly
  what training needs beyond its data, free of what this process already holds
  (TensorFlow alone is ~600 MB of resident memory) and of the other cases' data.
* contention: the fits again, defaults for every library, minigenre pinned to one
  thread by hand and with ``jit_compile=True`` too, while a second process keeps one
  core busy, as a browser or a build does on a user's machine.

The machine, versions, thread settings and load averages are part of the result.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import sklearn
from bench_peers import (
    jax_peer,
    missing_peers,
    numpy_forward,
    tight_numpy_fit,
    torch_peer,
)
from bench_report import print_table, targets
from machine import cpu_name
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info, threadpool_limits

import minigenre
from minigenre import Sequential
from minigenre.study.network import study_model
from minigenre.study.staging import write_staged
from minigenre.study.synthetic import make_synthetic
from minigenre.study.workflow import split_and_scale
from reference.backend import keras, tf
from reference.keras_model import build_model

try:
    # reference/ turns TensorFlow's op determinism on, for exact parity; a user's
    # Keras runs without it, and Keras refuses jit_compile (XLA) with it.
    from tensorflow.python.framework.config import disable_op_determinism

    disable_op_determinism()
    JIT_COMPILE = True
except ImportError:  # a TensorFlow that moved it: no jit_compile case
    JIT_COMPILE = False

UNITS, N_CLASSES = 128, 10
SCALING_ROWS = (4_000, 40_000, 400_000, 1_000_000)
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def minigenre_model(activation: str, seed: int, jit_compile=False) -> Sequential:
    """The study's network, its hidden activation swapped for ``activation``.

    ``jit_compile`` is fixed (False: the NumPy update) rather than left at "auto",
    so that each case measures one update however many fits the process has run.
    """
    model = study_model(seed, N_CLASSES, UNITS, activation)
    model.compile(model.optimizer, metrics=model.metrics, jit_compile=jit_compile)
    return model


def gemm_floor(x, epochs: int, batch_size: int, input_grad: bool = True) -> None:
    """The training's matrix products alone, batch by batch, and nothing else.

    Forward ``x @ kernel_0`` and ``h @ kernel_1``; backward the two kernels'
    gradients and the hidden layer's; with ``input_grad`` also the gradient for the
    input, the sixth product, which minigenre (like Keras) skips as nothing needs it.
    The products' results are dropped: only their time counts.
    """
    rng = np.random.default_rng(0)
    kernel_0 = rng.standard_normal((x.shape[1], UNITS), dtype=np.float32)
    kernel_1 = rng.standard_normal((UNITS, N_CLASSES), dtype=np.float32)
    for _ in range(epochs):
        for start in range(0, len(x), batch_size):
            xb = x[start : start + batch_size]  # (batch, in), a view
            h = xb @ kernel_0  # (batch, units)
            out = h @ kernel_1  # (batch, classes)
            h.T @ out  # (units, classes): kernel_1's gradient
            grad_h = out @ kernel_1.T  # (batch, units)
            xb.T @ grad_h  # (in, units): kernel_0's gradient
            if input_grad:
                grad_h @ kernel_0.T  # (batch, in)


def _timed(fn, *args, **kwargs) -> float:
    # Collect the previous case's garbage first (untimed), so that no case pays
    # for another's: Keras's first fit, for one, leaves a whole traced graph behind.
    gc.collect()
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def _stats(seconds: list[float]) -> dict:
    return {
        "min": min(seconds),
        "median": statistics.median(seconds),
        "max": max(seconds),
        "seconds": seconds,
    }


def _interleaved(cases: dict, reps: int) -> dict:
    """Runs every case once unrecorded, then ``reps`` rounds of all cases in turn.

    A case is ``rep -> seconds``: it times only what it measures.
    """
    for case in cases.values():
        case(-1)
    seconds = {name: [] for name in cases}
    for rep in range(reps):
        for name, case in cases.items():
            seconds[name].append(case(rep))
    return {name: _stats(values) for name, values in seconds.items()}


def _keras_compiled(n_features: int, seed: int, **compile_args):
    """The study's Keras model, compiled again with ``compile_args`` (if any)."""
    model = build_model(seed=seed, input_dim=n_features, n_classes=N_CLASSES)
    if compile_args:
        model.compile(
            optimizer=keras.optimizers.Adam(),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
            **compile_args,
        )
    return model


def fit_cases(x, y, epochs: int, batch_size: int, trained: dict, notes: list) -> dict:
    """Every library's fit with its default settings, as ``name -> (rep -> s)``.

    Models the predict cases need are left in ``trained``; a peer that cannot run
    here is skipped with a line in ``notes``.
    """
    fit_args = {"batch_size": batch_size, "epochs": epochs, "verbose": 0}
    n_features, steps = x.shape[1], math.ceil(len(x) / batch_size)
    # One Keras model per variant is trained over and over (its fit is warm after the
    # first); every first-call sample is a new model's first fit.
    keras_models = {
        "keras_warm": _keras_compiled(n_features, 0),
        # The whole epoch in one call to the compiled training function.
        "keras_steps": _keras_compiled(n_features, 0, steps_per_execution=steps),
    }
    if JIT_COMPILE:
        keras_models["keras_jit"] = _keras_compiled(
            n_features, 0, steps_per_execution=steps, jit_compile=True
        )
    else:
        notes.append("Keras jit_compile skipped: XLA needs op determinism off")
    trained["keras"] = keras_models["keras_warm"]

    def keras_first(rep):
        model = _keras_compiled(n_features, rep + 1)
        return _timed(model.fit, x, y, **fit_args)

    def minigenre_fit(activation, threads=None, jit_compile=False):
        def case(rep):
            model = minigenre_model(activation, rep + 1, jit_compile)
            with threadpool_limits(limits=threads, user_api="blas"):
                seconds = _timed(model.fit, x, y, **fit_args)
            trained[f"minigenre_{activation}" + ("_jit" if jit_compile else "")] = model
            return seconds

        return case

    def sklearn_fit(threads=None):
        def case(rep):
            model = MLPClassifier(
                hidden_layer_sizes=(UNITS,),
                activation="relu",
                solver="adam",
                batch_size=batch_size,
                max_iter=epochs,
                random_state=rep + 1,
            )
            with warnings.catch_warnings():  # 4 epochs is deliberately "unconverged"
                warnings.simplefilter("ignore", ConvergenceWarning)
                with threadpool_limits(limits=threads, user_api="blas"):
                    seconds = _timed(model.fit, x, y)
            trained["sklearn"] = model
            return seconds

        return case

    def pinned(fn, *args, **kwargs):  # hand-written NumPy: one BLAS thread, by hand
        with threadpool_limits(limits=1, user_api="blas"):
            return _timed(fn, *args, **kwargs)

    def tight(rep):
        seconds = pinned(tight_numpy_fit, x, y, epochs, batch_size, rep + 1)
        trained["numpy_weights"] = tight_numpy_fit(x, y, 1, batch_size, rep + 1)
        return seconds

    cases = {
        "minigenre_elu": minigenre_fit("elu"),
        "minigenre_elu_1_thread": minigenre_fit("elu", threads=1),
        "minigenre_relu": minigenre_fit("relu"),
        **_jit_cases(minigenre_fit, notes),
        "sklearn_relu": sklearn_fit(),
        "sklearn_relu_1_thread": sklearn_fit(threads=1),
        **{
            name: (lambda rep, m=model: _timed(m.fit, x, y, **fit_args))
            for name, model in keras_models.items()
        },
        "keras_first": keras_first,
        "numpy_tight": tight,
        "floor_6_gemms": lambda rep: pinned(gemm_floor, x, epochs, batch_size),
        "floor_5_gemms": lambda rep: pinned(
            gemm_floor, x, epochs, batch_size, input_grad=False
        ),
    }
    return cases | _optional_fit_cases(x, y, epochs, batch_size, trained, notes)


def _jit_cases(minigenre_fit, notes: list) -> dict:
    """minigenre with ``compile(jit_compile=True)``, when numba is installed."""
    if importlib.util.find_spec("numba") is None:
        notes.append('minigenre jit_compile skipped: pip install "minigenre[fast]"')
        return {}
    notes.append(
        "minigenre: the first cases run the NumPy update (jit_compile=False), what "
        'one fit with the default jit_compile="auto" runs; the jit_compile=True '
        "cases run the compiled step (elementwise work fused by numba, the fast "
        "extra, for the elu case; relu takes the readable step) and the compiled "
        "Adam update, same bits"
    )
    return {
        "minigenre_elu_jit": minigenre_fit("elu", jit_compile=True),
        "minigenre_relu_jit": minigenre_fit("relu", jit_compile=True),
    }


def _optional_fit_cases(x, y, epochs, batch_size, trained, notes) -> dict:
    """PyTorch and JAX, each when installed."""
    missing = missing_peers()
    notes.extend(missing.values())
    cases = {}
    if "pytorch" not in missing:
        fit, predict, version, threads = torch_peer(x, y, epochs, batch_size)
        trained["pytorch"] = (fit(0), predict)
        cases["pytorch"] = lambda rep: _timed(fit, rep + 1)
        notes.append(f"PyTorch {version} on the CPU, {threads} intra-op threads")
    if "jax" not in missing:
        fit, predict, version = jax_peer(x, y, epochs, batch_size)
        trained["jax"] = (fit(0), predict)
        cases["jax_jit"] = lambda rep: _timed(fit, rep + 1)
        notes.append(f"JAX {version}, each epoch one jit-compiled lax.scan")
    return cases


def predict_cases(x_test, trained: dict) -> dict:
    """Every library's predict on the test rows, its default call."""
    weights = trained["numpy_weights"]

    def plain(rep):
        with threadpool_limits(limits=1, user_api="blas"):
            return _timed(numpy_forward, weights, x_test)

    cases = {
        "minigenre": lambda rep: _timed(trained["minigenre_elu"].predict, x_test),
        "numpy_forward": plain,
        "keras": lambda rep: _timed(trained["keras"].predict, x_test, verbose=0),
        "sklearn": lambda rep: _timed(trained["sklearn"].predict_proba, x_test),
    }
    if "minigenre_elu_jit" in trained:  # the compiled forward pass, the same bits
        cases["minigenre_jit"] = lambda rep: _timed(
            trained["minigenre_elu_jit"].predict, x_test
        )
    for name in ("pytorch", "jax"):
        if name in trained:
            model, predict = trained[name]
            cases[name] = lambda rep, m=model, p=predict: _timed(p, m, x_test)
    return cases


def bench_fit_and_predict(x, y, x_test, epochs: int, batch_size: int, reps: int):
    """The fit and predict cases on an idle machine: (fit, predict, notes)."""
    trained, notes = {}, []
    fit = _interleaved(fit_cases(x, y, epochs, batch_size, trained, notes), reps)
    predict = _interleaved(predict_cases(x_test, trained), reps)
    return fit, predict, notes


CONTENTION_CASES = (
    "minigenre_elu",
    "minigenre_elu_1_thread",
    "minigenre_elu_jit",
    "keras_warm",
    "keras_steps",
    "sklearn_relu",
    "pytorch",
    "jax_jit",
    "floor_5_gemms",
    "numpy_tight",
)
CONTENTION_PREDICT = ("minigenre", "minigenre_jit", "numpy_forward", "pytorch", "jax")


@contextlib.contextmanager
def busy_core():
    """A second process spinning on one core while the block runs."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)  # let it start and take its core
        yield
    finally:
        spinner.kill()
        spinner.wait()


def bench_contention(x, y, x_test, epochs: int, batch_size: int, reps: int) -> dict:
    """The fits and predicts again, each library with its defaults, while another
    core is busy."""
    trained = {}
    cases = fit_cases(x, y, epochs, batch_size, trained, [])
    with busy_core():
        result = _interleaved(
            {name: cases[name] for name in CONTENTION_CASES if name in cases}, reps
        )
        predict = predict_cases(x_test, trained)
        predict = _interleaved(
            {name: predict[name] for name in CONTENTION_PREDICT if name in predict},
            reps,
        )
        load = _load_average()  # the last minute's: this scenario's own
    return {"fit": result, "predict": predict, "load_average_at_end": load}


def bench_scaling(
    rows: list[int], epochs: int, batch_size: int, reps: int, n_features: int
) -> list[dict]:
    """minigenre's fit time per sample and memory on ``rows`` synthetic rows each.

    The sizes are interleaved like the other cases, so all their data is held at
    once (1.5 GB for the default sizes).
    """
    rows = sorted(set(rows))
    data = {}
    for n in rows:
        rng = np.random.default_rng(n)
        # Drawn in float32 directly: no float64 copy twice the data's size.
        x = rng.standard_normal((n, n_features), dtype=np.float32)
        data[n] = x, rng.integers(0, N_CLASSES, size=n)
    fit_args = {"batch_size": batch_size, "epochs": epochs, "verbose": 0}

    def case(n):
        return lambda rep: _timed(
            minigenre_model("elu", seed=rep + 1).fit, *data[n], **fit_args
        )

    timings = _interleaved({n: case(n) for n in rows}, reps)
    results = []
    for n in rows:
        model = minigenre_model("elu", seed=0)
        tracemalloc.start()
        before, _ = tracemalloc.get_traced_memory()
        model.fit(*data[n], **fit_args)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = sum(array.nbytes for array in data[n])
        per_sample = [s / (n * epochs) * 1e6 for s in timings[n]["seconds"]]
        results.append(
            {
                "rows": n,
                "epochs": epochs,
                "fit": timings[n],
                "us_per_sample": _stats(per_sample),
                "data_mb": size / 1e6,
                "fit_extra_mb": (peak - before) / 1e6,
                "peak_mb": (size + peak - before) / 1e6,
            }
        )
    return results


def _load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages: other work competing for the cores."""
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else None


def environment() -> dict:
    """The machine, library versions and thread settings the numbers come from."""
    threading = tf.config.threading
    cpu = cpu_name()
    return {
        "machine": {
            "cpu": cpu,
            "cpus": os.cpu_count(),
            "system": f"{platform.system()} {platform.release()}",
            "load_average_at_start": _load_average(),
        },
        "versions": {
            "minigenre": minigenre.__version__,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "threads": {
            "blas": [
                f"{info['internal_api']} {info.get('version')}: "
                f"{info['num_threads']} threads"
                for info in threadpool_info()
            ],
            "tensorflow_intra_op": threading.get_intra_op_parallelism_threads(),
            "tensorflow_inter_op": threading.get_inter_op_parallelism_threads(),
            "environment": {
                key: os.environ[key] for key in THREAD_VARIABLES if key in os.environ
            },
        },
    }


def run_benchmark(
    reps: int = 5,
    rows: int | None = None,
    predict_rows: int | None = None,
    epochs: int = 4,
    batch_size: int = 32,
    scaling_rows: list[int] = SCALING_ROWS,
    scaling_epochs: int = 1,
    contention: bool = True,
) -> dict:
    """Runs every case; returns a JSON-ready dict (see the module docstring).

    Every library runs with its default thread settings, as a user runs it; the
    rows marked "1 thread" pin NumPy's BLAS to one thread by hand.

    Args:
        reps: Recorded repetitions of each case, after one warm-up.
        rows: Use only the first ``rows`` training rows (all 3490 by default).
        predict_rows: Predict on the first ``predict_rows`` test rows (all 6544).
        epochs, batch_size: Training settings of the fit cases.
        scaling_rows: Sizes of the scaling cases.
        scaling_epochs: Epochs of each scaling fit; the time per sample does not
            depend on it, and 1 keeps the million-row case to seconds.
        contention: Also run the fits while a second process keeps a core busy.
    """
    dataset = make_synthetic(seed=0)
    split = split_and_scale(dataset, seed=0)
    # float32 for all the libraries, converted once here, as Keras would do.
    x = split.x_train[:rows].astype(np.float32)
    y = split.y_train[:rows]
    x_test = split.scaler.transform(dataset.x_test)[:predict_rows].astype(np.float32)
    result = environment()
    result["settings"] = {
        "reps": reps,
        "train_rows": len(x),
        "features": x.shape[1],
        "epochs": epochs,
        "batch_size": batch_size,
        "predict_rows": len(x_test),
        "scaling_epochs": scaling_epochs,
    }
    result["fit"], result["predict"], result["notes"] = bench_fit_and_predict(
        x, y, x_test, epochs, batch_size, reps
    )
    result["scaling"] = bench_scaling(
        list(scaling_rows), scaling_epochs, batch_size, reps, x.shape[1]
    )
    result["machine"]["load_average_at_end"] = _load_average()
    if contention:
        result["contention"] = bench_contention(x, y, x_test, epochs, batch_size, reps)
    result["targets"] = targets(result)
    return result


def save_json(result: dict, path: str | os.PathLike) -> None:
    """Writes the result as JSON, whole or not at all."""
    path = Path(path)
    text = json.dumps(result, indent=2) + "\n"
    write_staged(path.parent, lambda staging: (staging / path.name).write_text(text))


__all__ = ["print_table", "run_benchmark", "save_json"]
