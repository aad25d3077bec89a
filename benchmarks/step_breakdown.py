"""Where a compiled training step of the study's network spends its time.

    python benchmarks/step_breakdown.py [--rounds 7]

A 4-epoch fit with ``jit_compile=True`` (440 steps on the embedded dataset's 3490
training rows, BLAS pinned to one thread as ``fit`` picks for this network), then its
parts, each run 440 times on one batch and timed in rounds, interleaved, medians
per step: the five matrix products alone (the floor), the compiled forward and
backward (products plus the fused elementwise work and NumPy's ``exp``, ``expm1``
and ``log``), Adam (``apply_gradients``: the gradient check, the step size, the
compiled update), the check of the weights after it, the two as the compiled step
runs them (``_speed/adam_fused.py``: the checks inside the update's loops), and the
loop's own work (the shuffled batches and the running loss and accuracy). What the
whole step costs beyond its parts, and the fit beyond its steps (checks, building,
the probes), is the rest. The last two rows gather each batch and run the step on
it: a fit's shuffled batches, whose rows come from memory, against one batch whose
rows stay in the cache; their difference is what fresh rows cost.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from minigenre import Dense, Sequential
from minigenre.study.synthetic import make_synthetic
from minigenre.study.workflow import split_and_scale
from minigenre.train_step import Batches, RunningLogs

STEPS = 440  # 4 epochs of 110 batches of 32 rows (the last one 2 rows)


def study_model() -> Sequential:
    model = Sequential([Dense(128, "elu"), Dense(10, "softmax")], seed=1)
    model.compile("adam", metrics=["accuracy"], jit_compile=True)
    return model


def parts(x, y) -> dict:
    """``name -> () -> None``, each running its part ``STEPS`` times."""
    model = study_model()
    model.fit(x[:64], y[:64], epochs=1, verbose=0)  # builds it, chooses the step
    step = model.train_function
    if step == model.train_step or type(step.adam).__name__ != "FusedAdam":
        raise SystemExit("the compiled step did not load: pip install numba")
    xb, yb = x[:32].copy(), y[:32].copy()
    (k0, _), (k1, _) = (layer.weights for layer in model.layers)
    h, logits = np.empty((32, 128), np.float32), np.empty((32, 10), np.float32)
    g0, g1, gh = np.empty_like(k0), np.empty_like(k1), np.empty_like(h)
    weights, gradients = step.flat.weights, step.flat.gradients
    batches = Batches(x, y, None, 32)
    out = np.full((32, 10), 0.1, np.float32)

    def products():
        for _ in range(STEPS):
            np.matmul(xb, k0, out=h)  # (32, 264) @ (264, 128)
            np.matmul(h, k1, out=logits)  # (32, 128) @ (128, 10)
            np.matmul(h.T, logits, out=g1)  # (128, 32) @ (32, 10)
            np.matmul(logits, k1.T, out=gh)  # (32, 10) @ (10, 128)
            np.matmul(xb.T, gh, out=g0)  # (264, 32) @ (32, 128)

    def forward_backward():
        for _ in range(STEPS):
            step.forward_backward(xb, yb)

    def adam():
        for _ in range(STEPS):
            model.optimizer.apply_gradients([weights], [gradients])

    def adam_fused():
        for _ in range(STEPS):
            step.adam()

    def weights_check():
        for _ in range(STEPS):
            np.vdot(weights, weights)

    def loop():
        logs, rng = RunningLogs(model), np.random.default_rng(0)
        for _ in range(4):
            for _, y_batch, weight in batches.epoch(rng):
                logs.add(0.5, out[: len(y_batch)], y_batch, weight)

    def whole_step():
        for _ in range(STEPS):
            step(xb, yb)

    def fresh_batches():  # each batch's rows new from the table, as in a fit
        rng = np.random.default_rng(0)
        for _ in range(4):
            for x_batch, y_batch, _ in batches.epoch(rng):
                step(x_batch, y_batch)

    def same_batch():  # the same rows gathered again: they stay in the cache
        rows = np.random.default_rng(0).permutation(len(x))[:32]
        for _ in range(STEPS):
            step(x[rows], y[rows])

    def fit():
        study_model().fit(x, y, epochs=4, batch_size=32, verbose=0)

    def setup():
        study_model().fit(x, y, epochs=0, batch_size=32, verbose=0)

    gradients[:] = 1e-3  # Adam's steps stay small and finite however many run
    return {
        "fit, 4 epochs": fit,
        "fit, 0 epochs (checks, build, probes)": setup,
        "whole step": whole_step,
        "5 matrix products": products,
        "forward + backward": forward_backward,
        "Adam apply_gradients": adam,
        "weights check (vdot)": weights_check,
        "Adam with both checks (the step's)": adam_fused,
        "loop: batches + running logs": loop,
        "steps on 4 epochs' shuffled batches": fresh_batches,
        "steps on one batch, gathered each time": same_batch,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="default: 7")
    args = parser.parse_args(argv)
    split = split_and_scale(make_synthetic(seed=0), seed=0)
    x, y = split.x_train.astype(np.float32), split.y_train
    with threadpool_limits(limits=1, user_api="blas"):
        cases = parts(x, y)
        for case in cases.values():
            case()  # warm-up
        seconds = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, case in cases.items():
                start = time.perf_counter()
                case()
                seconds[name].append(time.perf_counter() - start)
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"load average at the end {load} (1, 5, 15 minutes)")
    print(f"{'part':<40}{'ms/440 steps':>14}{'us/step':>10}")
    for name, values in seconds.items():
        median = statistics.median(values)
        print(f"{name:<40}{median * 1e3:>14.1f}{median / STEPS * 1e6:>10.1f}")


if __name__ == "__main__":
    main()
