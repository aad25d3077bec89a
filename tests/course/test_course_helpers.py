"""What a tutorial needs to run: `requires` stops it at the top with one clear line;
`show_figure` saves a figure, in a git-ignored folder, when there is no Jupyter to
show it; `check` prints one verdict."""

import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from minigenre import course


def test_requires_names_the_missing_package_and_its_install_command():
    with pytest.raises(SystemExit, match=r"needs tensorflow_missing_xyz, which is not"):
        course.requires("numpy", "tensorflow_missing_xyz")


def test_requires_names_the_extra_that_brings_tensorflow(monkeypatch):
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(SystemExit, match=r'pip install "minigenre\[reference\]"'):
        course.requires("tensorflow")


def test_a_script_stops_at_requires_with_one_line_and_no_traceback(tmp_path):
    script = tmp_path / "01_needs.py"
    script.write_text(
        "from minigenre.course import requires\n\n"
        'requires("tensorflow_missing_xyz")\nprint("never reached")\n'
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "This tutorial needs tensorflow_missing_xyz, which is not installed: "
        "pip install tensorflow_missing_xyz"
    ]


def test_show_figure_saves_the_figure_as_a_script_would(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    fig = Figure()
    fig.subplots().plot([0, 1], [1, 0])
    assert course.show_figure(fig, "01_line") is None
    saved = tmp_path / "tutorial_figures" / "01_line.png"
    assert saved.stat().st_size > 1000
    assert capsys.readouterr().out == "figure saved: tutorial_figures/01_line.png\n"


def test_check_of_an_unknown_function_lists_the_exercises():
    def no_such_exercise():
        pass

    with pytest.raises(ValueError, match=r"No exercise is called 'no_such_exercise'"):
        course.verdict(no_such_exercise)


def test_check_prints_one_verdict_and_returns_nothing(capsys):
    def majority_share(y):
        raise NotImplementedError("not implemented yet: majority_share(y) ...")

    assert course.check(majority_share) is None  # a notebook shows no second copy
    assert capsys.readouterr().out == (
        "not yet  majority_share: not implemented yet: majority_share(y) ...\n"
    )


def test_a_git_ignored_folder_holds_the_figures():
    root = Path(__file__).resolve().parents[2]
    ignored = (root / ".gitignore").read_text().splitlines()
    assert f"{course.FIGURES_DIR}/" in ignored
