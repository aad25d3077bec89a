"""`minigenre check`: checks a tutorial's exercises, each in a separate process
under a time limit, and reports each; exit 0 when all passed, 1 when some did not,
2 on a usage error. Nothing the learner's code does breaks the checker."""

import json
import time
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error, run_cli

from minigenre import course

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "tutorials" / "solutions"


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch):
    monkeypatch.chdir(ROOT)  # `check 01` looks for tutorials/01_*.py from here


def _answers(tmp_path, body: str) -> Path:
    path = tmp_path / "answers.py"
    path.write_text(body)
    return path


def _verdicts(out: str) -> list[str]:
    return [line for line in out.splitlines() if not line.startswith(" ")][:-1]


def test_blanks_are_reported_not_yet_with_their_task(capsys):
    code, out, _ = run_cli(capsys, "check", "01")
    assert code == 1
    assert "not yet  majority_share: not implemented yet: majority_share(y)" in out
    assert out.strip().endswith("0 of 3 exercises passed")


def test_answers_from_a_file_pass(capsys):
    code, out, _ = run_cli(capsys, "check", "1", "--answers", SOLUTIONS / "01_data.py")
    assert code == 0, out
    assert out.startswith("passed   majority_share: majority baseline 0.")
    assert out.strip().endswith("3 of 3 exercises passed")


def test_hints_come_in_levels_and_the_last_says_so(capsys):
    _, first, _ = run_cli(capsys, "check", "04", "--hint")
    _, second, _ = run_cli(capsys, "check", "04", "--hint", "--hint")
    _, last, _ = run_cli(capsys, "check", "04", *["--hint"] * 9)
    levels = course.hints("paper_adam")
    assert f"         hint 1 of {len(levels)}: {levels[0]}" in first
    assert f"         hint 2 of {len(levels)}: {levels[1]}" in second
    assert f"hint {len(levels)} of {len(levels)} (the last hint): " in last
    assert first.count("hint 1 of") == 3  # one per unfinished exercise


def test_json_lists_each_exercise_with_its_status(capsys):
    code, out, _ = run_cli(capsys, "check", "05", "--json")
    rows = json.loads(out)
    assert code == 1
    assert [row["exercise"] for row in rows] == course.exercises("05")
    assert {row["status"] for row in rows} == {"not yet"}
    assert set(rows[0]) == {"tutorial", "exercise", "status", "hint"}


def test_a_wrong_answer_in_an_edited_copy_gets_its_hint(capsys, tmp_path):
    text = (ROOT / "tutorials" / "01_data.py").read_text()
    start = text.index("def majority_share(y):")
    end = text.index("# %%", start)
    mine = tmp_path / "01_my_copy.py"
    edited = "def majority_share(y):\n    return np.bincount(y).max()\n\n\n"
    mine.write_text(text[:start] + edited + text[end:])
    code, out, _ = run_cli(capsys, "check", mine)
    assert code == 1
    assert (
        "wrong    majority_share: majority_share([2, 2, 1]) returned the count 2" in out
    )


def test_a_notebook_downloaded_from_the_book_is_checked_too(capsys, tmp_path):
    jupytext = pytest.importorskip("jupytext")
    notebook = jupytext.read(ROOT / "tutorials" / "01_data.py")
    path = tmp_path / "01_data.ipynb"
    path.write_text(jupytext.writes(notebook, fmt="ipynb"))
    code, out, _ = run_cli(capsys, "check", path)
    assert code == 1
    assert "not yet  majority_share" in out


# --- the learner's code cannot break the checker -----------------------------------
@pytest.mark.parametrize(
    ("body", "verdict"),
    [
        ("import sys\n\ndef relu_backward(x, W, b, G):\n    sys.exit(0)\n",
         "wrong    relu_backward: your code raised SystemExit (line 4): 0"),
        ("def relu_backward(x, W, b, G):\n    raise KeyboardInterrupt\n",
         "wrong    relu_backward: your code raised KeyboardInterrupt (line 2)"),
        ("class Stop(BaseException):\n    pass\n\n\n"
         "def relu_backward(x, W, b, G):\n    raise Stop('out')\n",
         "wrong    relu_backward: your code raised Stop (line 6): out"),
        ("import os\n\ndef relu_backward(x, W, b, G):\n    os._exit(0)\n",
         "wrong    relu_backward: your code ended the check's process (exit code 0)"),
        ("def relu_backward(x, W, b, G):\n    print('x' * 10**8)\n    return 1\n",
         "wrong    relu_backward: return three arrays: (grad_W, grad_b, grad_x)"),
    ],
    ids=["sys.exit", "KeyboardInterrupt", "BaseException", "os._exit", "output"],
)  # fmt: skip
def test_learner_code_that_stops_the_process_gets_one_verdict(capsys, tmp_path, body,
                                                              verdict):  # fmt: skip
    answers = _answers(tmp_path, body)
    code, out, err = run_cli(capsys, "check", "02", "--answers", answers)
    assert code == 1
    assert _verdicts(out)[0] == verdict
    assert [line[:8] for line in _verdicts(out)[1:]] == ["not yet "] * 2
    assert "Traceback" not in out + err
    assert len(out) < 2000  # whatever the learner's code printed, it is not here


def test_an_infinite_loop_is_stopped_at_the_time_limit(capsys, tmp_path):
    answers = _answers(
        tmp_path,
        "def relu_backward(x, W, b, G):\n    while True:\n        pass\n\n\n"
        "def directional_derivative(f, w, d, h=1e-6):\n    while True:\n"
        "        try:\n            pass\n        except BaseException:\n"
        "            pass\n",
    )
    start = time.perf_counter()
    code, out, _ = run_cli(
        capsys, "check", "02", "--answers", answers, "--time-limit", "1"
    )
    seconds = time.perf_counter() - start
    assert code == 1
    assert _verdicts(out)[:2] == [
        "wrong    relu_backward: took longer than 1 s: an infinite loop?",
        "wrong    directional_derivative: took longer than 1 s: an infinite loop?",
    ]
    assert _verdicts(out)[2].startswith("not yet  elu_grad_from_output")
    assert seconds < 60  # three child processes start, on a busy machine too


def test_a_syntax_error_is_one_line_with_file_line_and_column(capsys, tmp_path):
    answers = _answers(tmp_path, "def relu_backward(x, W, b, G):\n    return (x,\n")
    code, out, err = run_cli(capsys, "check", "02", "--answers", answers)
    assert_one_line_error(code, err, f"{answers}, line 2, column 12: SyntaxError: ")
    assert out == ""


def test_a_notebook_without_cells_is_one_line_and_exit_2(capsys, tmp_path):
    path = tmp_path / "02_broken.ipynb"
    path.write_text('{"nbformat": 4}')
    code, _, err = run_cli(capsys, "check", path)
    assert_one_line_error(code, err, "02_broken.ipynb: not a notebook")


def test_an_answers_file_that_is_not_text_is_one_line_and_exit_2(capsys, tmp_path):
    answers = tmp_path / "answers.py"
    answers.write_bytes(b"\xff\xfe\x00 not utf-8")
    code, _, err = run_cli(capsys, "check", "02", "--answers", answers)
    assert_one_line_error(code, err, "answers.py: cannot be read")


def test_a_missing_answers_file_is_one_line_and_exit_2(capsys, tmp_path):
    code, _, err = run_cli(capsys, "check", "02", "--answers", tmp_path / "no.py")
    assert_one_line_error(code, err, "no.py: no such file")


def test_an_unknown_tutorial_is_one_line_and_exit_2(capsys):
    code, _, err = run_cli(capsys, "check", "42")
    assert_one_line_error(code, err, "no tutorial 42 with exercises", "Received: 42")


def test_a_tutorial_whose_definitions_fail_says_where(capsys, tmp_path):
    broken = tmp_path / "01_broken.py"
    broken.write_text(
        "import numpy as np\n\n\n@np.no_such_decorator\n"
        "def majority_share(y):\n    return 1.0\n"
    )
    code, out, _ = run_cli(capsys, "check", broken)
    assert code == 1
    assert out.startswith(
        "wrong    majority_share: your definitions raised AttributeError (line 4)"
    )


@pytest.mark.slow
def test_the_course_progress_lists_every_exercise(capsys):
    code, out, _ = run_cli(capsys, "check", "--json")
    rows = json.loads(out)
    assert code == 1
    assert len(rows) >= 27
    for number in {row["tutorial"] for row in rows}:
        assert sum(row["tutorial"] == number for row in rows) >= 3
    assert {row["status"] for row in rows} == {"not yet"}
