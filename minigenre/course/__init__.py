"""The course around the tutorials: exercise checks, and what a tutorial needs to run.

Each tutorial ends with exercises: functions whose body is a blank that raises
``NotImplementedError("not implemented yet: <what to write, with a hint>")``. The
learner replaces the blank; ``check(fn)`` in the next cell (or ``minigenre check NN``
on the command line) reports each exercise as *passed*, *not yet* or *wrong*, with a
hint that says what differs. The solutions live apart from the learner's file, in
``tutorials/solutions/``.

>>> def majority_share(y):
...     raise NotImplementedError("not implemented yet: majority_share")
>>> check(majority_share).status
not yet  majority_share: not implemented yet: majority_share
'not yet'
"""

from minigenre.course.runner import (
    Result,
    TutorialError,
    check,
    check_tutorial,
    exercises,
    requires,
    run_tutorial,
    show_figure,
)

__all__ = [
    "Result",
    "TutorialError",
    "check",
    "check_tutorial",
    "exercises",
    "requires",
    "run_tutorial",
    "show_figure",
]
