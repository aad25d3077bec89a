"""Running a tutorial and checking its exercises: passed, not yet, or wrong."""

from __future__ import annotations

import importlib.util
import sys
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from minigenre.course.exercises import EXERCISES, Exercise
from minigenre.course.prepared import prepared
from minigenre.course.verdict import Wrong

# Which extra of minigenre brings a package a tutorial may need.
_EXTRAS = {
    "tensorflow": "reference", "keras": "reference", "reference": "reference",
    "librosa": "audio", "soundfile": "audio",
}  # fmt: skip
# Where a tutorial run as a script saves its figures (in .gitignore).
FIGURES_DIR = "tutorial_figures"
# A verdict's message is cut at this length: the learner's error may be any size.
_MAX_MESSAGE = 400


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


def _find(name: str) -> tuple[str, Exercise]:
    for tutorial, entries in EXERCISES.items():
        for exercise in entries:
            if exercise.name == name:
                return tutorial, exercise
    names = ", ".join(e.name for entries in EXERCISES.values() for e in entries)
    raise ValueError(f"No exercise is called {name!r}. Exercises: {names}.")


def exercises(tutorial: str) -> list[str]:
    """The names of the functions a tutorial's exercises ask for, in order.

    >>> exercises("02")
    ['relu_backward', 'directional_derivative', 'elu_grad_from_output']
    """
    return [exercise.name for exercise in EXERCISES.get(tutorial, [])]


def hints(name: str) -> tuple[str, ...]:
    """An exercise's hints, from a nudge to the answer's shape."""
    return _find(name)[1].hints


def where(err: BaseException, code_file: str) -> str:
    """`` (line N)`` of the learner's code where the error was raised, if there."""
    frames = [
        f for f in traceback.extract_tb(err.__traceback__) if f.filename == code_file
    ]
    return f" (line {frames[-1].lineno})" if frames else ""


def _short(text: str) -> str:
    text = " ".join(text.split())  # one line
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def judge(tutorial: str, name: str, fn: Callable, namespace: dict) -> Result:
    """Runs one exercise's check on the learner's ``fn``: every outcome, even a
    ``SystemExit`` or ``KeyboardInterrupt`` from the learner's code, is a verdict."""
    _, exercise = _find(name)
    code_file = getattr(getattr(fn, "__code__", None), "co_filename", "")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the verdict says what went wrong
            message = exercise.check(fn, namespace)
    except NotImplementedError as err:
        status, message = "not yet", str(err) or f"{name} is still blank"
    except Wrong as err:
        status, message = "wrong", str(err)
    except BaseException as err:  # the learner's code failed: say where and how
        what = f"{type(err).__name__}{where(err, code_file)}"
        detail = f": {err}" if str(err) else ""
        status, message = "wrong", f"your code raised {what}{detail}"
    else:
        status = "passed"
    return Result(tutorial, name, status, _short(message))


def verdict(fn: Callable) -> Result:
    """The verdict on one exercise's function, found by its name, without printing.

    The checks read the tutorial's prepared data, and the tutorial's own definitions
    (``Tensor`` in tutorial 9) from the function's module, the notebook.
    """
    tutorial, _ = _find(fn.__name__)
    namespace = {**fn.__globals__, **prepared(tutorial)}
    return judge(tutorial, fn.__name__, fn, namespace)


def check(fn: Callable) -> None:
    """Checks one exercise's function and prints its verdict, once, whole."""
    print(verdict(fn))


def check_tutorial(tutorial: str, namespace: dict) -> list[Result]:
    """Checks every exercise of ``tutorial`` ("02") against the variables of a run."""
    if tutorial not in EXERCISES:
        raise ValueError(
            f"Tutorial {tutorial} has no exercises. Tutorials with exercises: "
            f"{', '.join(sorted(EXERCISES))}."
        )
    data = {**namespace, **prepared(tutorial)}
    results = []
    for name in exercises(tutorial):
        fn = namespace.get(name)
        if not callable(fn):
            message = f"define the function {name} in the exercise cell"
            results.append(Result(tutorial, name, "not yet", message))
        else:
            results.append(judge(tutorial, name, fn, data))
    return results


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

    As a script the figure is written to ``tutorial_figures/<name>.png`` in the
    current folder (a folder git ignores) and its path printed, so a learner
    without Jupyter sees it too.

    Returns:
        The figure in Jupyter (the cell displays it), otherwise ``None``.
    """
    if _in_jupyter():
        return fig
    path = Path(FIGURES_DIR) / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    fig.savefig(path, dpi=100)
    print(f"figure saved: {path}")
    return None
