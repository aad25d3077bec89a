"""Reading a learner's file without running it: what `minigenre check` takes from a
tutorial, and one line for a file it cannot read."""

import ast
import json

import pytest

from minigenre.course import learner

TUTORIAL = """
import numpy as np
import tensorflow_never_imported_here as tf
from math import tau

SCALE = 2.0
TAU = tau
data = np.arange(10**9)  # an expensive cell: never run by a check
print("training...")


def helper(x):
    return SCALE * x


def exercise(x):
    return np.asarray(helper(x))


def unrelated():
    return tf.constant(1)
"""


def _kept(source: str, wanted: set[str], given=frozenset()) -> str:
    module = learner.select(ast.parse(source).body, wanted, frozenset(given))
    return ast.unparse(module)


def test_select_keeps_the_exercise_and_what_it_reaches_by_name():
    kept = _kept(TUTORIAL, {"exercise"})
    assert "def exercise" in kept
    assert "def helper" in kept
    assert "SCALE = 2.0" in kept
    assert "import numpy as np" in kept
    assert "tensorflow" not in kept  # only `unrelated` uses it
    assert "arange" not in kept
    assert "print" not in kept


def test_a_later_definition_replaces_an_earlier_one_and_given_names_stay():
    source = "x_train = 1\n\ndef f():\n    return 1\n\ndef f():\n    return x_train\n"
    kept = _kept(source, {"f"}, given={"x_train"})
    assert kept == "def f():\n    return x_train"


def test_a_syntax_error_names_file_line_and_column(tmp_path):
    path = tmp_path / "answers.py"
    path.write_text("def f(:\n    pass\n")
    with pytest.raises(learner.LearnerFileError, match=r"answers.py, line 1, column "):
        learner.parse(path)


def test_a_notebook_s_syntax_error_names_its_cell(tmp_path):
    cell = {"cell_type": "code", "source": ["x = 1\n"], "metadata": {}}
    broken = {"cell_type": "code", "source": "def f(\n", "metadata": {}}
    path = tmp_path / "02_mine.ipynb"
    path.write_text(json.dumps({"cells": [cell, broken]}))
    with pytest.raises(learner.LearnerFileError, match=r"02_mine.ipynb, cell 2, line"):
        learner.parse(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [('{"nbformat": 4}', "not a notebook"), ("[1, 2", "not a notebook"),
     (b"\xff\xfe\x00", "cannot be read"),
     ('{"cells": [{"cell_type": "code", "source": 7}]}', "source is int, not text"),
     ('{"cells": [{"cell_type": "code", "source": [1]}]}', "source holds int"),
     ('{"cells": [5]}', "not a notebook"),
     ("[" * 100_000 + "]" * 100_000, "RecursionError")],
)  # fmt: skip
def test_a_damaged_notebook_is_one_line(tmp_path, content, message):
    path = tmp_path / "02_mine.ipynb"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(learner.LearnerFileError, match=message) as caught:
        learner.parse(path)
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(f"{path}: ")  # the file, named first


def test_code_nested_beyond_the_parser_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "answers.py"
    path.write_text("x = " + "-" * 200_000 + "1\n")  # RecursionError in ast.parse
    with pytest.raises(learner.LearnerFileError, match=rf"^{path}: too deeply"):
        learner.parse(path)
