"""How long ``minigenre check NN`` takes for each tutorial, blank and solved.

Usage: ``python benchmarks/check_times.py [--reps 3] [--tutorials 01,02]``

From the repository's root, each tutorial's check runs as a learner runs it: on
the tutorial as it is in ``tutorials/`` (its exercises blank) and on the solutions
(``--answers tutorials/solutions/NN_*.py``), each ``--reps`` times, first on the
machine as it is and then with one core kept busy by a second process (``while
True: pass``), as a browser or a build keeps it on a learner's machine. Prints the
median wall time of each case, the CPU time (user + system, the command and its
children) of the solved check, and the load average before and after: a markdown
table for ``tutorials/README.md``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = [f"{n:02d}" for n in range(1, 10)]


def run_check(tutorial: str, solved: bool) -> tuple[float, float]:
    """One ``minigenre check``: (wall seconds, CPU seconds of it and its children)."""
    command = [sys.executable, "-m", "minigenre", "check", tutorial]
    if solved:
        (answers,) = (ROOT / "tutorials" / "solutions").glob(f"{tutorial}_*.py")
        command += ["--answers", str(answers.relative_to(ROOT))]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    expected = 0 if solved else 1  # the blanks are "not yet"
    if result.returncode != expected:
        raise SystemExit(
            f"check {tutorial} (solved={solved}) exited {result.returncode}, "
            f"expected {expected}: {result.stdout[-300:]}{result.stderr[-300:]}"
        )
    return wall, cpu


def measure(tutorials: list[str], reps: int) -> dict[str, dict[str, float]]:
    """Median wall time of each case (and CPU of the solved one), per tutorial."""
    rows = {}
    for tutorial in tutorials:
        blank = [run_check(tutorial, False)[0] for _ in range(reps)]
        solved = [run_check(tutorial, True) for _ in range(reps)]
        rows[tutorial] = {
            "blank": statistics.median(blank),
            "solved": statistics.median(w for w, _ in solved),
            "cpu": statistics.median(c for _, c in solved),
        }
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="runs per case (3)")
    parser.add_argument(
        "--tutorials", default=",".join(TUTORIALS), help="e.g. 02,04 (all)"
    )
    args = parser.parse_args(argv)
    tutorials = args.tutorials.split(",")
    load_before = os.getloadavg()
    quiet = measure(tutorials, args.reps)
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)
        busy = measure(tutorials, args.reps)
    finally:
        spinner.kill()
        spinner.wait()
    load_after = os.getloadavg()
    print(f"load average before: {tuple(round(v, 2) for v in load_before)}")
    print(f"load average after: {tuple(round(v, 2) for v in load_after)}")
    print(f"median of {args.reps} runs each, {os.cpu_count()} cores\n")
    print("| tutorial | blank | solved | blank, +1 busy core | solved, +1 busy core "
          "| CPU, solved |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for t in tutorials:
        q, b = quiet[t], busy[t]
        print(
            f"| {t} | {q['blank']:.1f} s | {q['solved']:.1f} s | {b['blank']:.1f} s "
            f"| {b['solved']:.1f} s | {q['cpu']:.1f} s |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
