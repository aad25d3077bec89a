"""Runs an idiom script as Keras code, or with only its imports swapped for
minigenre's and TensorFlow blocked, and reads the metrics it prints."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((Path(__file__).parent / "scripts").glob("i*.py"))

# Each Keras import and its minigenre twin: the only edit a script gets.
SWAPS = (
    ("from tensorflow.keras.", "from minigenre.compat.keras."),
    ("from tensorflow.keras ", "from minigenre.compat.keras "),
    ("from tensorflow import keras", "from minigenre.compat import keras"),
    ("import keras\n", "from minigenre.compat import keras\n"),
    ("from keras.", "from minigenre.compat.keras."),
    ("from keras ", "from minigenre.compat.keras "),
)

# Runs the script with any import of TensorFlow or Keras failing.
BLOCKED = (
    "import runpy, sys\n"
    "sys.modules['tensorflow'] = None\n"
    "sys.modules['keras'] = None\n"
    "runpy.run_path(sys.argv[1], run_name='__main__')\n"
    "print('LOADED', sorted(m for m, module in sys.modules.items() "
    "if m.split('.')[0] in ('tensorflow', 'keras') and module is not None))\n"
)


def swapped(source: str) -> str:
    """The script with its Keras imports replaced by minigenre's, nothing else."""
    lines = []
    for line in source.splitlines(keepends=True):
        for old, new in SWAPS:
            if line.startswith(old):
                line = new + line[len(old) :]
                break
        lines.append(line)
    return "".join(lines)


def changed_lines(source: str) -> list[str]:
    ours = swapped(source).splitlines()
    return [b for a, b in zip(source.splitlines(), ours, strict=True) if a != b]


def run(script: Path, workdir: Path, seed: int, keras: bool) -> dict:
    """The metrics the script prints, run by Keras or (swapped) by minigenre."""
    env = {
        **os.environ,
        "IDIOM_SEED": str(seed),
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "MPLBACKEND": "Agg",
    }
    workdir.mkdir(parents=True, exist_ok=True)
    if keras:
        command = [sys.executable, str(script)]
    else:
        path = workdir / script.name
        path.write_text(swapped(script.read_text()))
        command = [sys.executable, "-c", BLOCKED, str(path)]
    result = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise RuntimeError(f"{script.name} failed:\n{result.stderr[-3000:]}")
    out = result.stdout.splitlines()
    metrics = json.loads(next(x for x in out if x.startswith("METRICS "))[8:])
    if not keras:
        metrics["_loaded"] = next(x for x in out if x.startswith("LOADED "))[7:]
    metrics["_stdout"] = result.stdout
    return metrics


def compare_with_keras(script: Path, workdir: Path, seeds=(0, 1, 2)) -> list[str]:
    """Runs ``script`` with real Keras and swapped, once per seed, and compares
    every metric: the means may differ by at most three combined standard errors
    or 0.05, whichever is larger (small test sets move in steps of 1/30).

    Returns one line per metric; raises AssertionError at the first that differs.
    """
    runs = {
        side: [
            run(script, workdir / f"{side}{seed}", seed, keras=side == "keras")
            for seed in seeds
        ]
        for side in ("keras", "minigenre")
    }
    report = []
    n = len(seeds)
    for key, value in runs["keras"][0].items():
        if key.startswith("_") or not isinstance(value, float):
            if not key.startswith("_"):  # counts, names, flags: equal
                assert runs["minigenre"][0][key] == value, key
            continue
        theirs = np.array([r[key] for r in runs["keras"]])
        ours = np.array([r[key] for r in runs["minigenre"]])
        error = math.sqrt(theirs.var(ddof=1) / n + ours.var(ddof=1) / n)
        allowed = max(3 * error, 0.05)
        diff = abs(ours.mean() - theirs.mean())
        report.append(
            f"{key}: keras {theirs.mean():.4f} (sd {theirs.std(ddof=1):.4f}), "
            f"minigenre {ours.mean():.4f} (sd {ours.std(ddof=1):.4f}), "
            f"|diff| {diff:.4f} <= {allowed:.4f}"
        )
        assert diff <= allowed, report[-1]
    return report
