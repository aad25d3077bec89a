"""Level 4 of the parity proof at full size: many independent runs per implementation.

Each run draws its own initial weights and shuffles (minigenre from its seed, Keras from
``keras.utils.set_random_seed``), trains the study's model for 4 epochs on the embedded
dataset's 80/20 split, and is scored on the validation rows. Prints means ± standard
deviations, the differences of the means and their standard errors.

    python benchmarks/parity_stats.py --runs 30
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from minigenre.study.synthetic import make_synthetic
from minigenre.study.workflow import split_and_scale
from reference.parity import independent_runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="runs per implementation")
    parser.add_argument("--json", metavar="FILE", help="also write the results here")
    args = parser.parse_args()

    split = split_and_scale(make_synthetic(seed=0), seed=0)
    data = (split.x_train, split.y_train, split.x_val, split.y_val)
    results = {}
    for name, offset in (("numpy", 0), ("keras", 1000)):
        start = time.perf_counter()
        runs = independent_runs(name, [offset + s for s in range(args.runs)], *data)
        results[name] = {
            "val_loss": runs[:, 0].tolist(),
            "val_accuracy": runs[:, 1].tolist(),
            "seconds": time.perf_counter() - start,
        }

    print(f"{args.runs} independent runs per implementation, 4 epochs, batch 32")
    print(f"{'':<12}{'val log-loss':>20}{'val accuracy':>20}{'time (s)':>10}")
    for name in results:
        loss = np.array(results[name]["val_loss"])
        acc = np.array(results[name]["val_accuracy"])
        print(
            f"{name:<12}{loss.mean():>11.4f} ± {loss.std(ddof=1):.4f}"
            f"{acc.mean():>11.4f} ± {acc.std(ddof=1):.4f}"
            f"{results[name]['seconds']:>10.1f}"
        )
    for key in ("val_loss", "val_accuracy"):
        a, b = np.array(results["numpy"][key]), np.array(results["keras"][key])
        diff = a.mean() - b.mean()
        se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        print(f"{key}: difference of means {diff:+.4f}, standard error {se:.4f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
