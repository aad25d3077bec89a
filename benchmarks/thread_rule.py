"""Where a second BLAS thread starts to pay: minigenre's predict on one and two threads.

    python benchmarks/thread_rule.py               # idle machine
    python benchmarks/thread_rule.py --busy        # with one core kept busy

For a ``Dense(units) -> Dense(2)`` network with ``units`` inputs, predicts of
``rows`` rows in one batch make products of ``rows * units * units`` multiply-adds.
Then the study's network (264 inputs, ``Dense(128, "elu") -> Dense(10,
"softmax")``) predicts the 6544 test rows in chunks of ``rows`` rows (1024 is what
``predict`` takes), with its readable pass and with ``jit_compile=True``. Each
case runs on one and on two BLAS threads (set by hand), interleaved, and the table
gives the medians and their ratio. ``minigenre/_speed/threads.py`` takes its
threshold (``PARALLEL_WORK``) from this table.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time

import numpy as np

from minigenre import Dense, Sequential, set_blas_threads

SIZES = [(1024, 32), (1024, 256), (1024, 1024), (4096, 256), (4096, 1024)]
STUDY_CHUNKS = [1024, 2048, 6544]  # rows per predict chunk, of the 6544 test rows


def median_ms(model, x, threads: int, reps: int, rows: int) -> list[float]:
    # set_blas_threads, not a threadpoolctl limit: predict's own rule would pick one
    # thread below PARALLEL_WORK whatever the limit allows
    set_blas_threads(threads)
    try:
        model.predict(x, batch_size=rows)  # warm-up
        seconds = []
        for _ in range(reps):
            start = time.perf_counter()
            model.predict(x, batch_size=rows)
            seconds.append(time.perf_counter() - start)
    finally:
        set_blas_threads(None)
    return seconds


def measure(model, x, rows: int, rounds: int, reps: int) -> tuple[float, float]:
    times = {1: [], 2: []}
    for _ in range(rounds):  # interleaved: a slow spell hits both alike
        for threads in times:
            times[threads] += median_ms(model, x, threads, reps, rows)
    return statistics.median(times[1]), statistics.median(times[2])


def square(units: int, rows: int):
    """``Dense(units) -> Dense(2)`` and ``rows`` rows of ``units`` inputs."""
    model = Sequential([Dense(units, activation="elu"), Dense(2)], seed=0)
    model.build(units)
    x = np.random.default_rng(0).standard_normal((rows, units), dtype=np.float32)
    return model, x


def study(jit_compile):
    """The study's network and 6544 rows of its 264 features."""
    model = Sequential([Dense(128, "elu"), Dense(10, "softmax")], seed=0)
    model.compile("adam", jit_compile=jit_compile)
    model.build(264)
    x = np.random.default_rng(0).standard_normal((6544, 264), dtype=np.float32)
    return model, x


def row(label: str, work: int, one: float, two: float) -> str:
    # 3 significant digits: a tiny case's figures never print as 0.00
    return (
        f"{label:<26}{f'2**{np.log2(work):.1f}':>15}"
        f"{1e3 * one:>10.3g}{1e3 * two:>11.3g}{one / two:>6.3g}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", action="store_true", help="keep one core busy")
    parser.add_argument("--rounds", type=int, default=4, help="default: 4")
    parser.add_argument("--reps", type=int, default=3, help="per round (3)")
    args = parser.parse_args(argv)
    spinner = None
    if args.busy:
        spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        print(f"{'case':<26}{'multiply-adds':>15}{'1 thread':>10}"
              f"{'2 threads':>11}{'1/2':>6}   (ms, medians)")  # fmt: skip
        for units, rows in SIZES:
            model, x = square(units, rows)
            one, two = measure(model, x, rows, args.rounds, args.reps)
            print(row(f"Dense({units}), {rows} rows", rows * units * units, one, two))
        fast = importlib.util.find_spec("numba") is not None  # the fast extra
        for jit_compile in [False, True] if fast else [False]:
            model, x = study(jit_compile)
            for rows in STUDY_CHUNKS:
                one, two = measure(model, x, rows, args.rounds, args.reps)
                label = f"study, chunks {rows}" + (", jit" if jit_compile else "")
                print(row(label, rows * 264 * 128, one, two))
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()


if __name__ == "__main__":
    main()
