"""``minigenre check``: a tutorial's exercises, or the whole course's progress."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from minigenre import course
from minigenre.cli.commands import UsageError

_TUTORIALS = [f"{n:02d}" for n in range(1, 10)]


def tutorial_file(name: str) -> Path:
    """The tutorial a ``check`` argument names: ``02`` or a file's path."""
    if name.isdigit() and len(name) <= 2:
        number = f"{int(name):02d}"
        if not course.exercises(number):
            raise UsageError(
                f"no tutorial {number} with exercises (tutorials 01 to 09). "
                f"Received: {name}"
            )
        found = sorted(Path("tutorials").glob(f"{number}_*.py"))
        found = found or sorted(Path().glob(f"{number}_*.py"))
        if not found:
            raise UsageError(
                f"no tutorial {number} here (looked for tutorials/{number}_*.py): run "
                f"from the repository's root or give the file. Received: {name}"
            )
        return found[0]
    path = Path(name)
    if path.suffix not in (".py", ".ipynb") or not course.exercises(path.name[:2]):
        raise UsageError(
            f"expected a tutorial's number or a file named NN_*.py or NN_*.ipynb "
            f"(NN from 01 to 09). Received: {name}"
        )
    if not path.is_file():
        raise FileNotFoundError(f"{name}: no such file")
    return path


def _hint(result: course.Result, level: int) -> str:
    """The hint at ``level`` (1 the first) for an unfinished exercise, or ""."""
    if level == 0 or result.status == "passed":
        return ""
    levels = course.hints(result.name)
    shown = min(level, len(levels))
    last = " (the last hint)" if shown == len(levels) else ""
    return f"hint {shown} of {len(levels)}{last}: {levels[shown - 1]}"


def _print(result: course.Result, level: int, as_json: bool) -> dict:
    hint = _hint(result, level)
    if not as_json:
        print(result, flush=True)
        if hint:
            print(f"         {hint}", flush=True)
    return {"tutorial": result.tutorial, "exercise": result.name,
            "status": result.status, "hint": hint or result.message}  # fmt: skip


def cmd_check(args: argparse.Namespace) -> int:
    if args.answers is not None and args.tutorial is None:
        raise UsageError(
            "--answers needs a tutorial: minigenre check NN --answers FILE"
        )
    if args.time_limit <= 0:
        raise UsageError(f"--time-limit must be positive. Received: {args.time_limit}")
    if args.tutorial is None:
        jobs = [(n, _course_file(n)) for n in _TUTORIALS]
    else:
        jobs = [(None, tutorial_file(args.tutorial))]
    answers = [Path(args.answers)] if args.answers else []
    for path in answers:
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file")
    rows = []
    for number, path in jobs:
        tutorial = number or path.name[:2]
        if path is None:  # the course's progress: a tutorial not in this folder
            results = [course.Result(tutorial, name, "not yet", "no tutorial file here")
                       for name in course.exercises(tutorial)]  # fmt: skip
        else:
            results = course.run_checks(tutorial, [path, *answers], args.time_limit)
        rows += [_print(result, args.hint, args.json) for result in results]
    passed = sum(row["status"] == "passed" for row in rows)
    if args.json:
        json.dump(rows, sys.stdout, indent=1)
        print()
    else:
        print(f"{passed} of {len(rows)} exercises passed")
    return 0 if passed == len(rows) else 1


def _course_file(number: str) -> Path | None:
    found = sorted(Path("tutorials").glob(f"{number}_*.py"))
    return found[0] if found else None


def add_check_command(subparsers, add_command) -> None:
    check = add_command(
        subparsers, "check", cmd_check,
        "check your answers to the tutorials' exercises",
        "Checks a tutorial's exercises as you edited them (only the exercises' "
        "functions and what they use run, each in a separate process under a time "
        "limit) and reports each as passed, not yet (still blank) or wrong, with a "
        "hint saying what differs. Without TUTORIAL, the whole course's progress. "
        "Exit code 0 when every exercise checked passed, 1 when some did not, 2 on "
        "a usage error (an unknown tutorial, an unreadable or unparsable file).",
    )  # fmt: skip
    check.add_argument(
        "tutorial", metavar="TUTORIAL", nargs="?",
        help="a tutorial's number (e.g. 02: tutorials/02_*.py from the current "
        "folder) or a tutorial file (.py, or an .ipynb downloaded from the book); "
        "without it, every tutorial in ./tutorials",
    )  # fmt: skip
    check.add_argument(
        "--answers", metavar="FILE",
        help="a Python file with your answers; its definitions replace the "
        "tutorial's (for answers kept apart from the tutorial)",
    )  # fmt: skip
    check.add_argument(
        "--hint", action="count", default=0,
        help="show a hint for each unfinished exercise; repeat for the next level "
        "(--hint --hint); nothing is remembered between runs",
    )  # fmt: skip
    check.add_argument("--json", action="store_true", help="print JSON instead")
    check.add_argument(
        "--time-limit", metavar="SECONDS", type=float, default=30.0,
        help="the longest one exercise may run (default: %(default)g)",
    )  # fmt: skip
