"""minigenre's speed next to Keras, scikit-learn, PyTorch and JAX, in one process.

    python benchmarks/bench.py                      # the full run, a few minutes
    python benchmarks/bench.py --reps 1 --scaling-rows 1000 --json /tmp/b.json

Needs the ``reference`` and ``test`` extras (TensorFlow, scikit-learn); the ``bench``
extra adds PyTorch and JAX, each skipped with a line saying so when missing. See
``bench_lib.py`` beside this file for what is measured and how.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from minigenre.cli.arguments import positive_int

DESCRIPTION = (
    "On the embedded dataset's training split, in one process, every library with "
    "its default thread settings: fit time of minigenre, Keras (first and warm "
    "calls, steps_per_execution, jit_compile), scikit-learn's MLPClassifier, "
    "PyTorch and JAX when installed, a tight NumPy loop and the floor the matrix "
    "products alone set; predict time on the test rows; minigenre's fit time per "
    "sample and memory from 4k to 1M synthetic rows; the fits again while a second "
    "process keeps one core busy. Prints a table (min, median and max of each case) "
    "and writes all of it as JSON."
)


def _row_counts(text: str) -> list[int]:
    return [positive_int(part) for part in text.split(",")]


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``benchmarks/bench.py``."""
    parser.add_argument(
        "--reps", type=positive_int, default=5, help="repetitions per case (5)"
    )
    parser.add_argument(
        "--rows", type=positive_int, help="first N training rows (default: all 3490)"
    )
    parser.add_argument(
        "--predict-rows", type=positive_int, help="first N test rows (default: 6544)"
    )
    parser.add_argument("--epochs", type=positive_int, default=4, help="default: 4")
    parser.add_argument(
        "--batch-size", type=positive_int, default=32, help="default: 32"
    )
    parser.add_argument(
        "--scaling-rows", type=_row_counts, metavar="N,N,...",
        default=[4_000, 40_000, 400_000, 1_000_000],
        help="sizes of the scaling cases (default: 4000,40000,400000,1000000)",
    )  # fmt: skip
    parser.add_argument(
        "--scaling-epochs", type=positive_int, default=1,
        help="epochs per scaling fit (default: 1; time per sample does not depend "
        "on it)",
    )  # fmt: skip
    parser.add_argument(
        "--no-contention", action="store_true",
        help="skip the fits with one core kept busy by a second process",
    )  # fmt: skip
    parser.add_argument(
        "--json", metavar="FILE", default="bench.json",
        help="where to write the results (default: bench.json)",
    )  # fmt: skip


def cmd_bench(args: argparse.Namespace) -> int:
    directory = Path(args.json).parent
    if not directory.is_dir():  # found now, not after minutes of measuring
        raise SystemExit(f"--json {args.json}: directory {directory} does not exist.")
    try:
        from bench_lib import print_table, run_benchmark, save_json
    except ImportError as err:
        raise SystemExit(
            "bench needs TensorFlow and scikit-learn: "
            f'pip install "minigenre[reference,test]" ({err}).'
        ) from None
    result = run_benchmark(
        reps=args.reps,
        rows=args.rows,
        predict_rows=args.predict_rows,
        epochs=args.epochs,
        batch_size=args.batch_size,
        scaling_rows=args.scaling_rows,
        scaling_epochs=args.scaling_epochs,
        contention=not args.no_contention,
    )
    save_json(result, args.json)
    print_table(result)
    print(f"\nJSON: {args.json}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    add_bench_arguments(parser)
    return cmd_bench(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
