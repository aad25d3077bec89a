"""``minigenre check``'s process wall: the learner's code runs in a child process,
each exercise under a time limit, so that nothing it does (an endless loop,
``sys.exit``, a ``BaseException``, a crash, a flood of output) can stop or fool the
checker. Every outcome becomes a verdict.

The child (``python -m minigenre.course.sandbox``) loads only the exercises' part
of the learner's files (`learner.select`) into the tutorial's prepared data, and
reports on a pipe of its own, one JSON line per event; its stdout and stderr go to
the null device.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

from minigenre.course import learner
from minigenre.course.exercises import EXERCISES
from minigenre.course.prepared import prepared
from minigenre.course.runner import Result, judge, where

# Loading the prepared data and the learner's imports (TensorFlow for tutorial 6).
LOAD_LIMIT = 120.0


def _statements(files: list[Path]) -> list[tuple[ast.stmt, str]]:
    return [(stmt, str(path)) for path in files for stmt in learner.parse(path)]


def run_checks(
    tutorial: str, files: list[Path], time_limit: float = 30.0
) -> list[Result]:
    """Checks ``tutorial``'s exercises against the learner's ``files`` (the
    tutorial, then an answers file), each in the child under ``time_limit`` s.

    Raises:
        learner.LearnerFileError: A file cannot be read or parsed (one line).
    """
    _statements(files)  # a syntax error is the learner's to fix: before any run
    names = [exercise.name for exercise in EXERCISES[tutorial]]
    results: dict[str, Result] = {}
    while len(results) < len(names):
        remaining = [name for name in names if name not in results]
        results.update(_one_child(tutorial, files, remaining, time_limit))
    return [results[name] for name in names]


def _one_child(tutorial, files, names, time_limit) -> dict[str, Result]:
    """Runs ``names`` in one child until they are done or one of them is stopped."""
    read_end, write_end = os.pipe()
    command = [sys.executable, "-m", "minigenre.course.sandbox", tutorial,
               str(write_end), ",".join(names), *map(str, files)]  # fmt: skip
    env = {**os.environ, "MPLBACKEND": "Agg"}
    child = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, pass_fds=(write_end,), env=env,
    )  # fmt: skip
    os.close(write_end)
    results, current, buffer = {}, None, b""
    deadline = time.monotonic() + LOAD_LIMIT
    try:
        while True:
            wait = deadline - time.monotonic()
            ready = (
                select.select([read_end], [], [], max(wait, 0))[0] if wait > 0 else []
            )
            if not ready:  # the time is up: stop the child, the verdict says why
                return _stopped(tutorial, names, results, current, time_limit)
            chunk = os.read(read_end, 65536)
            if not chunk:  # the child ended: done, or killed by the learner's code
                return _ended(tutorial, names, results, current, child.wait())
            # Only the child writes here; a line is short, so a long one is junk.
            *lines, buffer = (buffer + chunk).split(b"\n")
            buffer = buffer[-65536:]
            for line in lines:
                with contextlib.suppress(ValueError, TypeError, KeyError):
                    event = json.loads(line)
                    if "start" in event:
                        current = event["start"]
                        deadline = time.monotonic() + time_limit
                    elif "status" in event and event["name"] in names:
                        results[event["name"]] = Result(tutorial, **event)
                        current = None
            if len(results) == len(names):  # a thread the learner started may linger
                return results
    finally:
        os.close(read_end)
        if child.poll() is None:
            child.kill()
        child.wait()


def _stopped(tutorial, names, results, current, time_limit) -> dict[str, Result]:
    if current is None:  # still loading
        message = (
            f"loading your definitions took longer than {LOAD_LIMIT:g} s: "
            "an infinite loop at the top level?"
        )
        return {n: Result(tutorial, n, "wrong", message) for n in names}
    message = f"took longer than {time_limit:g} s: an infinite loop?"
    return {**results, current: Result(tutorial, current, "wrong", message)}


def _ended(tutorial, names, results, current, code) -> dict[str, Result]:
    if len(results) == len(names):
        return results
    message = f"your code ended the check's process (exit code {code})"
    stopped = (
        [current] if current is not None else [n for n in names if n not in results]
    )
    return {**results, **{n: Result(tutorial, n, "wrong", message) for n in stopped}}


def load_definitions(
    tutorial: str, files: list[Path], names: list[str]
) -> tuple[dict, str]:
    """The namespace the checks see, and the first error the learner's code raised."""
    wanted = set(names)
    for exercise in EXERCISES[tutorial]:
        wanted.update(exercise.uses)
    pairs = _statements(files)
    data = prepared(tutorial)
    module = learner.select([stmt for stmt, _ in pairs], wanted, frozenset(data))
    namespace = {"__name__": "__minigenre_check__", **data}
    origin = {id(stmt): filename for stmt, filename in pairs}
    first_error = ""
    for stmt in module.body:
        code = compile(
            ast.Module(body=[stmt], type_ignores=[]), origin[id(stmt)], "exec"
        )
        try:
            exec(code, namespace)
        except BaseException as err:  # the learner's: recorded, not fatal
            first_error = first_error or (
                f"your definitions raised {type(err).__name__}"
                f"{where(err, origin[id(stmt)])}: {str(err)[:200]}"
            )
    return namespace, first_error


def _child(argv: list[str]) -> None:
    tutorial, fd, names, *paths = argv
    report = os.fdopen(int(fd), "w", buffering=1)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (for the process)
    names = names.split(",")
    namespace, error = load_definitions(tutorial, [Path(p) for p in paths], names)
    for name in names:
        print(json.dumps({"start": name}), file=report, flush=True)
        fn = namespace.get(name)
        if callable(fn):
            result = judge(tutorial, name, fn, namespace)
        elif error:
            result = Result(tutorial, name, "wrong", error)
        else:
            result = Result(tutorial, name, "not yet", f"define the function {name}")
        event = {"name": name, "status": result.status, "message": result.message}
        print(json.dumps(event), file=report, flush=True)
    report.close()


if __name__ == "__main__":
    _child(sys.argv[1:])
