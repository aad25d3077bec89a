"""Two checkouts of minigenre, one process: same numbers? same speed?

Usage: ``python benchmarks/fit_side_by_side.py OLD_TREE [NEW_TREE] [--reps N]``

For a refactor that must change no number: both trees' packages are imported into
this one process (the old one first; its modules are then dropped from
``sys.modules`` so the new one imports fresh, while the old classes keep working
through the references held here). Each trains the study's network for 4 epochs on
the embedded dataset's training split; the script says whether the weights and
history are bit-identical, then times the two fits interleaved (old, new, new, old,
...) with BLAS pinned to one thread for both, and prints the medians of wall-clock
and CPU time, their ratio and the machine's load average. NEW_TREE defaults to the
checkout this script is in.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

LAZY = ("minigenre._speed.step_kernels", "minigenre._speed.adam_compiled")


def load(tree: Path):
    """Imports ``minigenre`` from ``tree``, dropping any already imported; returns
    the package and its modules (``use`` puts them back in ``sys.modules``, where
    the lazy imports of a fit look)."""
    for name in [m for m in sys.modules if m.split(".")[0] == "minigenre"]:
        del sys.modules[name]
    sys.path.insert(0, str(tree))
    try:
        package = importlib.import_module("minigenre")
        if importlib.util.find_spec("numba") is not None:
            for name in LAZY:  # numba's compiled loops, imported at a fit's start
                importlib.import_module(name)
    finally:
        sys.path.remove(str(tree))
    if not Path(package.__file__).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"minigenre came from {package.__file__}, not {tree}")
    modules = {k: v for k, v in sys.modules.items() if k.split(".")[0] == "minigenre"}
    return package, modules


def use(tree: tuple) -> object:
    """``tree``'s package, its modules in ``sys.modules``."""
    package, modules = tree
    for name in [m for m in sys.modules if m.split(".")[0] == "minigenre"]:
        del sys.modules[name]
    sys.modules.update(modules)
    return package


def fit(package, x, y, jit_compile=False) -> tuple[tuple[float, float], list, dict]:
    """((wall s, CPU s), weights, history) of a 4-epoch fit of the study's network."""
    model = package.Sequential(
        [package.Dense(128, activation="elu"), package.Dense(10, activation="softmax")],
        seed=0,
    )
    model.compile(
        optimizer=package.Adam(), metrics=["accuracy"], jit_compile=jit_compile
    )
    wall, cpu = time.perf_counter(), time.process_time()
    history = model.fit(x, y, batch_size=32, epochs=4, verbose=0)
    seconds = (time.perf_counter() - wall, time.process_time() - cpu)
    return seconds, model.get_weights(), history.history


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, help="the tree before the change")
    parser.add_argument("new", type=Path, nargs="?", default=Path(__file__).parents[1])
    parser.add_argument("--reps", type=int, default=11, help="timed fits each (11)")
    parser.add_argument(
        "--jit-compile", action="store_true", help="compile(jit_compile=True) both"
    )
    args = parser.parse_args(argv)
    packages = {"old": load(args.old), "new": load(args.new)}
    # The data through the new tree's study code, float32 as the model trains on it.
    from minigenre.study.synthetic import make_synthetic
    from minigenre.study.workflow import split_and_scale

    split = split_and_scale(make_synthetic(seed=0), seed=0)
    x, y = split.x_train.astype(np.float32), split.y_train
    times: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
    with threadpool_limits(limits=1, user_api="blas"):
        jit = args.jit_compile
        (_, w_old, h_old), (_, w_new, h_new) = (
            fit(use(p), x, y, jit) for p in packages.values()
        )
        same = h_old == h_new and all(
            np.array_equal(a, b) for a, b in zip(w_old, w_new, strict=True)
        )
        print(f"weights and history bit-identical: {same}")
        print(f"load average before: {os.getloadavg()}")
        for rep in range(args.reps):
            for which in ("old", "new") if rep % 2 == 0 else ("new", "old"):
                times[which].append(fit(use(packages[which]), x, y, jit)[0])
        print(f"load average after: {os.getloadavg()}")
    for i, clock in enumerate(["wall", "CPU"]):
        median = {k: statistics.median(t[i] for t in v) for k, v in times.items()}
        for k, v in times.items():
            spread = [t[i] * 1e3 for t in v]
            print(
                f"{clock} {k}: median {median[k] * 1e3:.1f} ms, min {min(spread):.1f},"
                f" max {max(spread):.1f}, n={len(v)}"
            )
        print(f"{clock} new/old median: {median['new'] / median['old']:.3f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
