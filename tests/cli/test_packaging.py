"""The installed package: version, console script, and no TensorFlow on import."""

import subprocess
import sys
from pathlib import Path

import pytest

import minigenre
from minigenre.cli import main


def run_python(code):
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout


def test_import_does_not_import_tensorflow():
    out = run_python(
        "import sys, minigenre, minigenre.cli, minigenre.study.plots\n"
        "import minigenre.study.kaggle, minigenre.study.workflow\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    assert out.split() == ["False", "False"]


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"minigenre {minigenre.__version__}"


def test_console_script_and_module_agree():
    # The console script sits beside the interpreter, activated environment or not.
    command = str(Path(sys.executable).parent / "minigenre")
    script = subprocess.run(
        [command, "--help"], capture_output=True, text=True, check=True
    )
    module = subprocess.run(
        [sys.executable, "-m", "minigenre", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "compare" in script.stdout
    assert script.stdout.split("\n", 1)[1] == module.stdout.split("\n", 1)[1]


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "required: COMMAND" in capsys.readouterr().err
