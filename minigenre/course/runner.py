"""Running a tutorial and checking its exercises: passed, not yet, or wrong."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import re
import sys
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from minigenre.course.exercises import EXERCISES
from minigenre.course.verdict import Wrong

# True while `run_tutorial` executes a tutorial for `minigenre check`: the tutorial's
# own `check(...)` cells and figures then do nothing; the checks run afterwards.
_running_for_check: ContextVar[bool] = ContextVar("_running_for_check", default=False)

# Which extra of minigenre brings a package a tutorial may need.
_EXTRAS = {
    "tensorflow": "reference", "keras": "reference", "reference": "reference",
    "librosa": "audio", "soundfile": "audio",
}  # fmt: skip


@dataclass(frozen=True)
class Result:
    """One exercise's outcome: ``status`` is "passed", "not yet" or "wrong"."""

    tutorial: str
    name: str
    status: str
    message: str

    def __str__(self) -> str:
        return f"{self.status:<8} {self.name}: {self.message}"

    def __repr__(self) -> str:  # a result printed in Jupyter reads like the check
        return str(self)


class TutorialError(Exception):
    """A tutorial could not be run to its end (a missing package, an error)."""


def exercises(tutorial: str) -> list[str]:
    """The names of the functions a tutorial's exercises ask for, in order.

    >>> exercises("02")
    ['relu_backward', 'directional_derivative']
    """
    return [name for name, _ in EXERCISES.get(tutorial, [])]


def _find(name: str) -> tuple[str, Callable]:
    for tutorial, entries in EXERCISES.items():
        for exercise, check_fn in entries:
            if exercise == name:
                return tutorial, check_fn
    names = ", ".join(name for entries in EXERCISES.values() for name, _ in entries)
    raise ValueError(f"No exercise is called {name!r}. Exercises: {names}.")


def _where(err: BaseException, code_file: str) -> str:
    """`` (line N)`` of the learner's code where the error was raised, if there."""
    frames = [
        f for f in traceback.extract_tb(err.__traceback__) if f.filename == code_file
    ]
    return f" (line {frames[-1].lineno})" if frames else ""


def _check_one(tutorial: str, name: str, fn: Callable, namespace: dict) -> Result:
    _, check_fn = _find(name)
    code_file = getattr(getattr(fn, "__code__", None), "co_filename", "")
    try:
        message = check_fn(fn, namespace)
    except NotImplementedError as err:
        return Result(tutorial, name, "not yet", str(err) or f"{name} is still blank")
    except Wrong as err:
        return Result(tutorial, name, "wrong", str(err))
    except Exception as err:  # the learner's code failed: say where and how
        where = _where(err, code_file)
        return Result(
            tutorial,
            name,
            "wrong",
            f"your code raised {type(err).__name__}{where}: {err}",
        )
    return Result(tutorial, name, "passed", message)


def check(fn: Callable) -> Result | None:
    """Checks one exercise's function and prints the verdict with its hint.

    The exercise is found by the function's name; the tutorial's variables (the
    data, the trained model) are read from the function's module, the notebook.

    Returns:
        The ``Result`` (``None`` while ``minigenre check`` runs the tutorial: it
        checks every exercise itself once the tutorial has run).
    """
    if _running_for_check.get():
        return None
    tutorial, _ = _find(fn.__name__)
    result = _check_one(tutorial, fn.__name__, fn, fn.__globals__)
    print(result)
    return result


def check_tutorial(tutorial: str, namespace: dict) -> list[Result]:
    """Checks every exercise of ``tutorial`` ("02") against a run's variables."""
    if tutorial not in EXERCISES:
        raise ValueError(
            f"Tutorial {tutorial} has no exercises. Tutorials with exercises: "
            f"{', '.join(sorted(EXERCISES))}."
        )
    results = []
    for name, _ in EXERCISES[tutorial]:
        fn = namespace.get(name)
        if not callable(fn):
            message = f"define the function {name} in the exercise cell"
            results.append(Result(tutorial, name, "not yet", message))
        else:
            results.append(_check_one(tutorial, name, fn, namespace))
    return results


def _source(path: Path) -> str:
    """A tutorial's code: the script itself, or a notebook's code cells."""
    if path.suffix != ".ipynb":
        return path.read_text(encoding="utf-8")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    lines = []
    for cell in cells:
        if cell["cell_type"] == "code":
            source = cell["source"]
            text = "".join(source) if isinstance(source, list) else source
            # Jupyter's magics and shell escapes are not Python: keep them as comments.
            lines.append(re.sub(r"^(\s*)([%!])", r"\1# \2", text, flags=re.M))
    return "\n\n".join(lines) + "\n"


def run_tutorial(path: Path, answers: Path | None = None) -> dict:
    """Runs a tutorial (``.py`` or ``.ipynb``) quietly and returns its variables.

    Args:
        path: The tutorial, as the learner edited it.
        answers: An optional file of answers, run after the tutorial, in its
            variables (its functions replace the tutorial's blanks).

    Raises:
        TutorialError: If the tutorial stops before its end (a missing package, an
            error in a cell); the message says where.
    """
    namespace = {"__name__": "__main__", "__file__": str(path)}
    token = _running_for_check.set(True)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for file in [path] if answers is None else [path, answers]:
                code = compile(_source(file), str(file), "exec")
                try:
                    exec(code, namespace)
                except SystemExit as err:  # `requires` stops a tutorial this way
                    raise TutorialError(f"{file}: {err}") from None
                except Exception as err:
                    where = _where(err, str(file))
                    raise TutorialError(
                        f"{file} stopped{where}: {type(err).__name__}: {err}"
                    ) from err
    finally:
        _running_for_check.reset(token)
    return namespace


def requires(*packages: str) -> None:
    """Stops a tutorial at its top, with one clear line, if a package is missing."""
    missing = [name for name in packages if importlib.util.find_spec(name) is None]
    if missing:
        extras = sorted({_EXTRAS[name] for name in missing if name in _EXTRAS})
        others = [name for name in missing if name not in _EXTRAS]
        how = [f'pip install "minigenre[{extra}]"' for extra in extras] + [
            f"pip install {name}" for name in others
        ]
        raise SystemExit(
            f"This tutorial needs {', '.join(missing)}, which is not installed: "
            f"{'; '.join(how)}"
        )


def _in_jupyter() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and "IPKernelApp" in shell.config


def show_figure(fig, name: str):
    """Shows a figure below its cell in Jupyter; run as a script, saves it.

    As a script the figure is written to ``figures/<name>.png`` in the current
    folder and its path printed, so a learner without Jupyter sees it too.

    Returns:
        The figure in Jupyter (the cell displays it), otherwise ``None``.
    """
    if _running_for_check.get():
        return None
    if _in_jupyter():
        return fig
    path = Path("figures") / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    fig.savefig(path, dpi=100)
    print(f"figure saved: {path}")
    return None
