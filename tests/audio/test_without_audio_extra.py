"""Without the `audio` extra, the rest of minigenre imports and runs as before.

These tests need no librosa: each runs Python in a subprocess in which importing
librosa and soundfile fails, as on an install without ``minigenre[audio]``.
"""

import subprocess
import sys

BLOCK_AUDIO = (
    "import sys\n"
    "for name in ('librosa', 'soundfile', 'numba'):\n"
    "    sys.modules[name] = None  # import fails with ImportError, as if absent\n"
)


def run_python(code, cwd):
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_importing_minigenre_loads_no_audio_library(tmp_path):
    result = run_python(
        "import sys, minigenre, minigenre.cli, minigenre.study.workflow\n"
        "import minigenre.study.plots, minigenre.study.kaggle\n"
        "print(sorted({'librosa', 'soundfile', 'numba'} & set(sys.modules)))",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_everything_else_runs_without_the_extra(tmp_path):
    result = run_python(
        BLOCK_AUDIO + "from minigenre.cli import main\n"
        "assert main(['train', '--out', 'run', '--epochs', '1']) == 0\n"
        "assert main(['evaluate', 'run']) == 0\n",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Saved the run to run" in result.stdout
    assert "accuracy" in result.stdout
    assert (tmp_path / "run" / "weights.npz").is_file()


def test_minigenre_audio_says_which_extra_to_install(tmp_path):
    result = run_python(BLOCK_AUDIO + "import minigenre.audio\n", tmp_path)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: minigenre.audio needs librosa and soundfile")
    assert 'pip install "minigenre[audio]"' in last


def test_the_audio_commands_say_which_extra_to_install(tmp_path):
    result = run_python(
        BLOCK_AUDIO + "from minigenre.cli import main\n"
        "assert main(['features', '.', '--out', 'f.csv']) == 2\n"
        "assert main(['train', '--out', 'run', '--epochs', '1']) == 0\n"
        "assert main(['predict', 'run', '--audio', 'song.wav']) == 2\n",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [
        "minigenre features: error: features needs librosa and soundfile: pip "
        'install "minigenre[audio]".',
        "minigenre predict: error: predict --audio needs librosa and soundfile: pip "
        'install "minigenre[audio]".',
    ]
    assert not (tmp_path / "f.csv").exists()
