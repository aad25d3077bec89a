"""The tutorials: each runs headless from a clean directory and is a valid notebook.

Each tutorial is a jupytext "percent" script, so it runs as a plain Python process
(``MPLBACKEND=Agg``: figures are built, never shown) and opens in Jupyter as a
notebook. The run times are printed at the end of this module's tests.
"""

import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from minigenre import course

TUTORIALS_DIR = Path(__file__).resolve().parents[2] / "tutorials"
TUTORIALS = sorted(path.name for path in TUTORIALS_DIR.glob("[0-9][0-9]_*.py"))
# A tutorial needs TensorFlow when it imports it, Keras, or the `reference` package.
_NEEDS_TF = re.compile(r"^(?:import|from) (?:tensorflow|keras|reference)\b", re.M)
HAS_TF = importlib.util.find_spec("tensorflow") is not None
# A tutorial needs the `audio` extra when it imports minigenre.audio or librosa.
_NEEDS_AUDIO = re.compile(r"^(?:import|from) (?:minigenre\.audio|librosa)\b", re.M)
HAS_AUDIO = all(importlib.util.find_spec(m) for m in ("librosa", "soundfile"))

_seconds: dict[str, float] = {}


def _needs_tensorflow(name: str) -> bool:
    return bool(_NEEDS_TF.search((TUTORIALS_DIR / name).read_text()))


def _needs_audio(name: str) -> bool:
    return bool(_NEEDS_AUDIO.search((TUTORIALS_DIR / name).read_text()))


def _params() -> list:
    params = []
    for name in TUTORIALS:
        marks = [pytest.mark.slow]
        if _needs_tensorflow(name):
            marks.append(pytest.mark.tensorflow)
        if _needs_audio(name):
            marks.append(pytest.mark.audio)
        params.append(pytest.param(name, marks=marks, id=name.removesuffix(".py")))
    return params


@pytest.fixture(scope="module", autouse=True)
def _report_run_times(request):
    yield
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    capture = plugins.get_plugin("capturemanager")
    if reporter is None or capture is None or not _seconds:
        return
    lines = [f"  {name:<28}{seconds:6.1f} s" for name, seconds in _seconds.items()]
    lines.append(f"  {'total':<28}{sum(_seconds.values()):6.1f} s")
    with capture.global_and_fixture_disabled():  # teardown output is captured
        reporter.write_line("")
        reporter.write_line("tutorial run times:")
        for line in lines:
            reporter.write_line(line)


def test_every_tutorial_is_listed_in_the_readme():
    readme = (TUTORIALS_DIR / "README.md").read_text()
    assert len(TUTORIALS) >= 7
    for name in TUTORIALS:
        assert f"({name})" in readme, f"tutorials/README.md does not link {name}"


@pytest.mark.parametrize("name", _params())
def test_tutorial_runs(name, tmp_path):
    if _needs_tensorflow(name) and not HAS_TF:
        pytest.skip('needs TensorFlow: pip install "minigenre[reference]"')
    if _needs_audio(name) and not HAS_AUDIO:
        pytest.skip('needs librosa and soundfile: pip install "minigenre[audio]"')
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
    }  # no thread variable: minigenre chooses its BLAS threads, as for a user
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(TUTORIALS_DIR / name)],
        cwd=tmp_path,  # a clean directory: the tutorial may not rely on the repo's
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    _seconds[name] = time.perf_counter() - start
    print(f"{name}: {_seconds[name]:.1f} s")
    assert result.returncode == 0, (
        f"{name} exited with {result.returncode}.\n--- stderr ---\n{result.stderr}"
        f"\n--- end of stdout ---\n{result.stdout[-2000:]}"
    )
    noise = re.findall(r"^[IWE]0000 .*$", result.stderr, re.M)
    assert not noise, f"TensorFlow's start-up lines reached the terminal: {noise}"
    # The exercises are blanks: each check says so, with its hint, and the run goes on.
    for exercise in course.exercises(name[:2]):
        assert f"not yet  {exercise}: not implemented yet: {exercise}(" in result.stdout
    # Run as a script, a tutorial saves each figure it shows.
    saved = sorted((tmp_path / course.FIGURES_DIR).glob("*.png"))
    shown = (TUTORIALS_DIR / name).read_text().count("show_figure(")
    assert len(saved) == shown, f"{shown} figures shown, {len(saved)} saved"
    assert all(path.stat().st_size > 5000 for path in saved)


def _strip_version(text: str) -> str:
    # Jupyter rewrites this header line with whatever jupytext version it has.
    return re.sub(r"^#\s+jupytext_version: .*\n", "", text, flags=re.M)


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_is_a_percent_notebook(name):
    jupytext = pytest.importorskip("jupytext")
    text = (TUTORIALS_DIR / name).read_text()
    notebook = jupytext.reads(text, fmt="py:percent")
    representation = notebook.metadata["jupytext"]["text_representation"]
    assert representation["format_name"] == "percent"
    assert notebook.metadata["kernelspec"]["name"] == "python3"

    cells = notebook.cells
    kinds = [cell.cell_type for cell in cells]
    assert kinds[0] == "markdown"
    assert cells[0].source.startswith("# Tutorial ")
    assert kinds.count("markdown") >= 6
    assert kinds.count("code") >= 6
    first_code = cells[kinds.index("code")]
    # jupytext turns the commented magic into a real one, so figures show inline.
    assert first_code.source.startswith("%matplotlib inline")

    # The last section is the exercise: prose, then a cell the learner edits,
    # ending in a check they can run.
    sections = [
        i
        for i, cell in enumerate(cells)
        if cell.cell_type == "markdown" and re.search(r"^## ", cell.source, re.M)
    ]
    exercise = sections[-1]
    assert re.search(r"^## Exercises?\b", cells[exercise].source, re.M)
    tail = [cell.source for cell in cells[exercise + 1 :] if cell.cell_type == "code"]
    blanks = [source for source in tail if "not implemented yet: " in source]
    registered = course.exercises(name[:2])
    assert registered, (
        f"{name}: register its exercises in minigenre/course/exercises.py, each with "
        "a check, and put the solutions in tutorials/solutions/"
    )
    assert len(blanks) == len(registered), f"{name}: one blank per exercise"
    assert re.search(r"^check\(\w+\)$", tail[-1].splitlines()[-1])

    # Opening and saving in Jupyter leaves the file as it is: reviews see real diffs.
    saved = jupytext.writes(notebook, fmt="py:percent")
    assert _strip_version(saved) == _strip_version(text)


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_calls_the_package(name):
    text = (TUTORIALS_DIR / name).read_text()
    assert re.search(r"^from minigenre\b", text, re.M)
    # Figures are returned by functions and shown by Jupyter, never by pyplot.
    assert "plt.show" not in text
    assert "matplotlib.pyplot" not in text
