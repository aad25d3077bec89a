"""The course around the tutorials: exercise checks, and what a tutorial needs to run.

Each tutorial ends with exercises: functions whose body is a blank that raises
``NotImplementedError("not implemented yet: <the task>")``. The learner replaces
the blank; ``check(fn)`` in the next cell prints the verdict, *passed*, *not yet*
or *wrong*, with a hint that says what differs, and ``minigenre check NN`` checks a
tutorial's exercises from the shell, each in a separate process under a time limit
(``run_checks``). Hints come in levels (``hints(name)``). The solutions live apart
from the learner's file, in ``tutorials/solutions/``.

>>> def majority_share(y):
...     raise NotImplementedError("not implemented yet: majority_share")
>>> verdict(majority_share).status
'not yet'
"""

from minigenre.course.learner import LearnerFileError
from minigenre.course.runner import (
    FIGURES_DIR,
    Result,
    check,
    check_tutorial,
    exercises,
    hints,
    judge,
    requires,
    show_figure,
    verdict,
    where,
)
from minigenre.course.sandbox import load_definitions, run_checks

__all__ = [
    "FIGURES_DIR",
    "LearnerFileError",
    "Result",
    "check",
    "check_tutorial",
    "exercises",
    "hints",
    "judge",
    "load_definitions",
    "requires",
    "run_checks",
    "show_figure",
    "verdict",
    "where",
]
