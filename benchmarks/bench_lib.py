"""The benchmark: minigenre's training and prediction speed next to Keras's and
scikit-learn's, with the floor that the matrix products alone set.

Everything runs in one process. Each case runs once to warm up, then ``reps`` times,
the cases interleaved so that a slow spell of the machine hits them all alike, each
after a garbage collection so that none pays for another's garbage; the table shows
min, median and max, and every ratio compares medians of this one run.

* fit: the study's network on the embedded dataset's training split, float32. Keras
  is timed on a model already built (TensorFlow imported, weights created): its
  *first* ``fit`` traces the training graph, later ones reuse it (*warm*).
  scikit-learn's ``MLPClassifier`` has no ELU, so it is compared with a relu
  minigenre model of the same shape.
* floor: the same training's matrix products alone, on the same batch shapes: the
  six a batch needs when the gradient for the input is computed too, and the five
  minigenre computes.
* predict: class probabilities for the 6544 test rows, each library's default call.
* scaling: minigenre's fit time per sample and its memory on synthetic float32 rows,
  one epoch per fit by default (the time per sample does not depend on it). Memory
  is measured with ``tracemalloc``, which NumPy tells about every array it
  allocates: the peak of one ``fit`` over the memory traced before it is exactly
  what training needs beyond its data, free of what this process already holds
  (TensorFlow alone is ~600 MB of resident memory) and of the other cases' data.

NumPy's BLAS runs on one thread by default (see ``run_benchmark``); the machine,
versions, thread settings and load averages are part of the result.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import sklearn
from bench_report import print_table, targets
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

UNITS, N_CLASSES = 128, 10
SCALING_ROWS = (4_000, 40_000, 400_000, 1_000_000)
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def minigenre_model(activation: str, seed: int) -> Sequential:
    """The study's network, its hidden activation swapped for ``activation``."""
    return study_model(seed, N_CLASSES, UNITS, activation)


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


def bench_fit_and_predict(x, y, x_test, epochs: int, batch_size: int, reps: int):
    """The fit, floor and predict cases on one training set: (fit, predict) stats."""
    fit_args = {"batch_size": batch_size, "epochs": epochs, "verbose": 0}
    n_features = x.shape[1]
    # One Keras model is trained over and over (its fit is warm after the first);
    # every first-call sample is a new model's first fit.
    keras_warm = build_model(seed=0, input_dim=n_features, n_classes=N_CLASSES)
    trained = {}

    def keras_first(rep):
        model = build_model(seed=rep + 1, input_dim=n_features, n_classes=N_CLASSES)
        return _timed(model.fit, x, y, **fit_args)

    def minigenre_fit(activation):
        def case(rep):
            model = minigenre_model(activation, seed=rep + 1)
            seconds = _timed(model.fit, x, y, **fit_args)
            trained[f"minigenre_{activation}"] = model
            return seconds

        return case

    def sklearn_fit(rep):
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
            seconds = _timed(model.fit, x, y)
        trained["sklearn"] = model
        return seconds

    fit = _interleaved(
        {
            "minigenre_elu": minigenre_fit("elu"),
            "minigenre_relu": minigenre_fit("relu"),
            "sklearn_relu": sklearn_fit,
            "keras_warm": lambda rep: _timed(keras_warm.fit, x, y, **fit_args),
            "keras_first": keras_first,
            "floor_6_gemms": lambda rep: _timed(gemm_floor, x, epochs, batch_size),
            "floor_5_gemms": lambda rep: _timed(
                gemm_floor, x, epochs, batch_size, input_grad=False
            ),
        },
        reps,
    )
    predict = _interleaved(
        {
            "minigenre": lambda rep: _timed(trained["minigenre_elu"].predict, x_test),
            "keras": lambda rep: _timed(keras_warm.predict, x_test, verbose=0),
            "sklearn": lambda rep: _timed(trained["sklearn"].predict_proba, x_test),
        },
        reps,
    )
    return fit, predict


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
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(ln.split(":", 1)[1].strip() for ln in f if "model name" in ln)
    except (OSError, StopIteration):
        pass
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
    blas_threads: int | None = 1,
) -> dict:
    """Runs every case; returns a JSON-ready dict (see the module docstring).

    Args:
        reps: Recorded repetitions of each case, after one warm-up.
        rows: Use only the first ``rows`` training rows (all 3490 by default).
        predict_rows: Predict on the first ``predict_rows`` test rows (all 6544).
        epochs, batch_size: Training settings of the fit cases.
        scaling_rows: Sizes of the scaling cases.
        scaling_epochs: Epochs of each scaling fit; the time per sample does not
            depend on it, and 1 keeps the million-row case to seconds.
        blas_threads: Threads of NumPy's BLAS, used by minigenre, scikit-learn and
            the floor alike (``None``: the library's default, one per core). One
            by default: a batch of 32 gains little from a second thread on an idle
            machine, and its matrix products run 5-20x slower on two threads as
            soon as another process takes a core. Keras keeps TensorFlow's own
            thread pools, one thread per core.
    """
    dataset = make_synthetic(seed=0)
    split = split_and_scale(dataset, seed=0)
    # float32 for all three libraries, converted once here, as Keras would do.
    x = split.x_train[:rows].astype(np.float32)
    y = split.y_train[:rows]
    x_test = split.scaler.transform(dataset.x_test)[:predict_rows].astype(np.float32)
    with threadpool_limits(limits=blas_threads, user_api="blas"):
        result = environment()
        result["settings"] = {
            "reps": reps,
            "train_rows": len(x),
            "features": x.shape[1],
            "epochs": epochs,
            "batch_size": batch_size,
            "predict_rows": len(x_test),
            "scaling_epochs": scaling_epochs,
            "blas_threads": blas_threads,
        }
        result["fit"], result["predict"] = bench_fit_and_predict(
            x, y, x_test, epochs, batch_size, reps
        )
        result["scaling"] = bench_scaling(
            list(scaling_rows), scaling_epochs, batch_size, reps, x.shape[1]
        )
    result["machine"]["load_average_at_end"] = _load_average()
    result["targets"] = targets(result)
    return result


def save_json(result: dict, path: str | os.PathLike) -> None:
    """Writes the result as JSON, whole or not at all."""
    path = Path(path)
    text = json.dumps(result, indent=2) + "\n"
    write_staged(path.parent, lambda staging: (staging / path.name).write_text(text))


__all__ = ["print_table", "run_benchmark", "save_json"]
