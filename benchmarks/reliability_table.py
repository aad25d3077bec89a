"""Runs the reliability suites and turns what they tried into a Markdown table.

``python benchmarks/reliability_table.py`` runs the property-based suites
(``tests/core/test_properties.py`` and ``tests/**/test_reliability_*.py``) under
pytest with ``MINIGENRE_RELIABILITY_LOG`` set, so every generated case records its
class of bad input and what the code did (see ``tests/reliability.py``). It then
prints, per section, each class with the number of cases generated and their
outcomes, followed by pytest's summary, the known gaps (the strict xfail tests)
and the run time.

``--update docs/RELIABILITY.md`` also writes that output between the file's
``<!-- reliability-table -->`` markers. ``--scale N`` multiplies every example
count (``MINIGENRE_PROPERTY_SCALE``) for a longer soak; the doc quotes scale 1, the
count CI runs.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITES = ["tests/core/test_properties.py", "tests/**/test_reliability_*.py"]
START, END = "<!-- reliability-table -->", "<!-- /reliability-table -->"


def run_suites(scale: int) -> tuple[list[dict], str, float, int]:
    """Runs pytest on the suites; returns (records, pytest output, seconds, code)."""
    suites = sorted(str(p.relative_to(ROOT)) for s in SUITES for p in ROOT.glob(s))
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "records.jsonl"
        env = {
            **os.environ,
            "MINIGENRE_RELIABILITY_LOG": str(log),
            "MINIGENRE_PROPERTY_SCALE": str(scale),
            "OPENBLAS_NUM_THREADS": "1",  # fixed, and printed with the table
        }
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rx",
            "-p",
            "no:cacheprovider",
        ]
        start = time.perf_counter()
        done = subprocess.run(
            [*command, *suites], cwd=ROOT, env=env, capture_output=True, text=True
        )
        seconds = time.perf_counter() - start
        lines = log.read_text().splitlines() if log.exists() else []
    return [json.loads(line) for line in lines], done.stdout, seconds, done.returncode


def table(records: list[dict]) -> list[str]:
    """One Markdown table per section: class, cases, outcomes with their counts."""
    sections: dict[str, dict[str, collections.Counter]] = {}
    for r in records:
        classes = sections.setdefault(r["section"], {})
        classes.setdefault(r["category"], collections.Counter())[r["outcome"]] += 1
    lines = []
    for section, classes in sections.items():
        total = sum(sum(c.values()) for c in classes.values())
        lines += [f"### {section} ({total} cases)", ""]
        lines += ["| Class of bad input | Cases | Outcome |", "|---|---:|---|"]
        for category, outcomes in classes.items():
            text = "; ".join(
                f"{outcome} ({n})" if len(outcomes) > 1 else outcome
                for outcome, n in outcomes.most_common()
            )
            cells = (category, str(sum(outcomes.values())), text)
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    return lines


def summary(output: str, seconds: float, scale: int, n_cases: int) -> list[str]:
    last = output.strip().splitlines()[-1].strip("= ") if output.strip() else "?"
    last = re.sub(r" in [\d.]+s.*$", "", last)  # the wall time is measured here
    gaps = [
        line.split(" - ", 1)[1].removeprefix("reported: ")
        for line in output.splitlines()
        if line.startswith("XFAIL ") and " - " in line
    ]
    versions = ", ".join(
        f"{name} {__import__(name).__version__}" for name in ("numpy", "hypothesis")
    )
    lines = [
        f"pytest: {last}; {n_cases} generated cases in {seconds:.1f} s "
        f"(example scale {scale}; Python {platform.python_version()}, {versions}, "
        f"{os.cpu_count()} CPUs, OPENBLAS_NUM_THREADS=1).",
        "",
    ]
    if gaps:
        lines += ["Known gaps, each pinned by a strict xfail test:", ""]
        lines += [f"- {gap}" for gap in dict.fromkeys(gaps)]  # once per test
        lines.append("")
    return lines


def update(path: Path, block: list[str]) -> None:
    text = path.read_text(encoding="utf-8")
    before, found, rest = text.partition(START)
    _, found_end, after = rest.partition(END)
    if not (found and found_end):
        raise SystemExit(f"{path}: needs the markers {START} and {END}.")
    path.write_text(
        before + START + "\n" + "\n".join(block) + "\n" + END + after, encoding="utf-8"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="example multiplier")
    parser.add_argument("--update", type=Path, help="write the table into this file")
    args = parser.parse_args()
    records, output, seconds, code = run_suites(args.scale)
    if code != 0:
        print(output, file=sys.stderr)
        print(f"pytest failed (exit {code}); no table written.", file=sys.stderr)
        return 1
    block = [*table(records), *summary(output, seconds, args.scale, len(records))]
    print("\n".join(block))
    if args.update:
        update(args.update, block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
