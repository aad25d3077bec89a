"""What the default fit does that the tight NumPy loop does not, and what each costs.

    python benchmarks/default_gap.py [--reps 25]

``bench.py``'s target "default fit <= 1.05x the tight loop" compares minigenre's
readable step (``jit_compile=False``, what one fit with the default ``"auto"`` runs)
with ``bench_peers.tight_numpy_fit``, which writes Adam's update into preallocated
buffers (``out=``), checks nothing and counts no accuracy. This script trains the
study's network for 4 epochs on the embedded dataset's training split (float32, as
``bench.py``) as the default fit does, then with one of those three things left out,
then with all three left out, and times the tight loop beside them, one process,
interleaved, medians:

* **Adam into buffers**: ``Adam.update_step`` replaced, for this case only, by the
  tight loop's form of the same three lines (``np.subtract(g, m, out=s)`` ...),
  the same operations in the same order: the same bits (checked below);
* **no checks**: the gradient check before Adam's update (``check_gradient``) and
  the weights check after it (``all_finite``) replaced by ones that pass;
* **no accuracy**: compiled without ``metrics``, as a user may.

Each case's weights after the fit are compared with the default fit's: the parts
left out change no number. A part's cost is the default fit's median minus the
case's; what stays after all three is the rest of the readable step (the Python
of each layer's call and the temporaries of its forward and backward passes).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import statistics
import time

import numpy as np
from bench_peers import tight_numpy_fit
from threadpoolctl import threadpool_limits

from minigenre import train_step
from minigenre.optimizers import adam
from minigenre.study.network import study_model
from minigenre.study.synthetic import make_synthetic
from minigenre.study.workflow import split_and_scale

EPOCHS, BATCH_SIZE = 4, 32


def buffered_update_step(self, w, g, m, v, alpha) -> None:
    """``Adam.update_step``'s three lines as the tight loop writes them, into two
    buffers kept per shape: the same operations, order and dtype."""
    s, r = self.__dict__.setdefault("_buffers", {}).setdefault(
        w.shape, (np.empty_like(w), np.empty_like(w))
    )
    np.subtract(g, m, out=s)
    s *= 1 - self.beta_1
    m += s
    np.square(g, out=s)  # g * g
    s -= v
    s *= 1 - self.beta_2
    v += s
    np.multiply(m, alpha, out=s)
    np.sqrt(v, out=r)
    r += self.epsilon
    s /= r
    w -= s


@contextlib.contextmanager
def replaced(owner, name: str, value):
    """``owner.name`` is ``value`` inside the block, the original after."""
    original = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, original)


@contextlib.contextmanager
def without_checks():
    """Adam's gradient check and the step's weights check, both passing."""
    with (
        replaced(adam, "check_gradient", lambda g: None),
        replaced(train_step, "all_finite", lambda w: True),
    ):
        yield


def cases() -> dict:
    """``name -> (context manager factory, metrics)`` of each way to fit."""

    def buffers():
        return replaced(adam.Adam, "update_step", buffered_update_step)

    @contextlib.contextmanager
    def all_three():
        with buffers(), without_checks():
            yield

    accuracy, none = ["accuracy"], []
    return {
        "default fit (jit_compile=False)": (contextlib.nullcontext, accuracy),
        "  Adam into buffers": (buffers, accuracy),
        "  no checks": (without_checks, accuracy),
        "  no accuracy": (contextlib.nullcontext, none),
        "  all three left out": (all_three, none),
    }


def fit(x, y, seed: int, context, metrics) -> tuple[float, list[np.ndarray]]:
    """Seconds of one 4-epoch fit of a new study network, and its weights."""
    with context():
        model = study_model(seed)
        model.compile(model.optimizer, metrics=metrics, jit_compile=False)
        start = time.perf_counter()
        model.fit(x, y, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
        seconds = time.perf_counter() - start
    return seconds, model.get_weights()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=25, help="default: 25")
    args = parser.parse_args(argv)
    split = split_and_scale(make_synthetic(seed=0), seed=0)
    x, y = split.x_train.astype(np.float32), split.y_train
    ways = cases()
    default_weights, *others = (fit(x, y, 0, *way)[1] for way in ways.values())
    same = all(
        np.array_equal(a, b)
        for weights in others
        for a, b in zip(default_weights, weights, strict=True)
    )
    print(f"load average at the start {_load()} (1, 5, 15 minutes)")
    print(f"every case's weights bit-identical to the default fit's: {same}")
    seconds = {name: [] for name in [*ways, "tight NumPy loop, 1 thread"]}
    for rep in range(args.reps):
        for name, way in ways.items():
            seconds[name].append(fit(x, y, rep + 1, *way)[0])
        with threadpool_limits(limits=1, user_api="blas"):  # as bench.py pins it
            start = time.perf_counter()
            tight_numpy_fit(x, y, EPOCHS, BATCH_SIZE, rep + 1)
            seconds["tight NumPy loop, 1 thread"].append(time.perf_counter() - start)
    median = {name: statistics.median(values) for name, values in seconds.items()}
    default = median["default fit (jit_compile=False)"]
    tight = median["tight NumPy loop, 1 thread"]
    steps = EPOCHS * math.ceil(len(x) / BATCH_SIZE)
    print(f"load average at the end {_load()}; {args.reps} repetitions, medians")
    print(f"{'case':<36}{'ms':>8}{'/ tight':>9}{'saves ms':>10}{'us/step':>9}")
    for name, value in median.items():
        saves = default - value
        print(
            f"{name:<36}{value * 1e3:>8.1f}{value / tight:>9.3f}"
            f"{saves * 1e3:>10.1f}{saves / steps * 1e6:>9.1f}"
        )


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


if __name__ == "__main__":
    main()
