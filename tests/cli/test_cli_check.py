"""`minigenre check`: runs a tutorial with the learner's answers and reports each
exercise; exit 0 when all passed, 1 when some did not, 2 when it could not run."""

import json
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error, run_cli

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch):
    monkeypatch.chdir(ROOT)  # `check 01` looks for tutorials/01_*.py from here


def test_blanks_are_reported_not_yet_with_their_hint(capsys):
    code, out, err = run_cli(capsys, "check", "01")
    assert code == 1
    assert "not yet  majority_share: not implemented yet: majority_share(y)" in out
    assert out.strip().endswith("0 of 1 exercises passed")
    assert "running tutorials/01_data.py" in err


def test_answers_from_a_file_pass(capsys):
    answers = ROOT / "tutorials" / "solutions" / "01_data.py"
    code, out, _ = run_cli(capsys, "check", "1", "--answers", answers)
    assert code == 0, out
    assert out.startswith("passed   majority_share: majority baseline 0.49")
    assert out.strip().endswith("1 of 1 exercises passed")


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
    assert json.loads(path.read_text())["cells"][0]["cell_type"] == "markdown"
    code, out, _ = run_cli(capsys, "check", path)
    assert code == 1
    assert "not yet  majority_share" in out


def test_an_unknown_tutorial_is_one_line_and_exit_2(capsys):
    code, _, err = run_cli(capsys, "check", "42")
    assert_one_line_error(code, err, "no tutorial 42 here", "Received: 42")


def test_a_tutorial_that_fails_says_where(capsys, tmp_path):
    broken = tmp_path / "01_broken.py"
    broken.write_text("import numpy as np\n\nx = 1\nnp.no_such_function()\n")
    code, _, err = run_cli(capsys, "check", broken)
    assert code == 2
    assert (
        "01_broken.py stopped (line 4): AttributeError" in err.strip().splitlines()[-1]
    )
