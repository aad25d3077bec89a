"""benchmarks/fit_side_by_side.py: it says "bit-identical" only when the numbers are.

Each case runs the script in its own process: it swaps minigenre in sys.modules.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "benchmarks" / "fit_side_by_side.py"


def run(old: Path, new: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(old), str(new), "--reps", "1", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("args", [(), ("--jit-compile",)], ids=["numpy", "jit"])
def test_the_same_tree_twice_is_bit_identical_and_timed(args):
    if args:
        pytest.importorskip("numba")
    result = run(ROOT, ROOT, *args)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "weights and history bit-identical: True"
    assert lines[1].startswith("load average before: (")
    assert [line.split(":")[0] for line in lines[3:]] == [
        "wall old", "wall new", "wall new/old median",
        "CPU old", "CPU new", "CPU new/old median",
    ]  # fmt: skip


def test_a_tree_that_trains_differently_is_caught(tmp_path):
    changed = tmp_path / "changed"
    shutil.copytree(ROOT / "minigenre", changed / "minigenre")
    optimizers = changed / "minigenre" / "optimizers" / "adam.py"
    text = optimizers.read_text()
    assert "learning_rate: float = 0.001," in text
    optimizers.write_text(
        text.replace(
            "learning_rate: float = 0.001,", "learning_rate: float = 0.002,", 1
        )
    )
    result = run(ROOT, changed)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == "weights and history bit-identical: False"
