"""minigenre's speed next to Keras and scikit-learn: ``minigenre bench`` as a script.

    python benchmarks/bench.py                      # the full run, ~2 minutes
    python benchmarks/bench.py --reps 1 --scaling-rows 1000 --json /tmp/b.json

See ``reference/bench.py`` for what is measured and how.
"""

from __future__ import annotations

import argparse

from minigenre.bench_command import DESCRIPTION, add_bench_arguments, cmd_bench


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    add_bench_arguments(parser)
    return cmd_bench(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
