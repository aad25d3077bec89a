"""Runs minigenre in a fresh Python where TensorFlow and Keras cannot be imported."""

import subprocess
import sys
from pathlib import Path

import numpy as np

# Loads argv[1] and predicts x.npy into p.npy; prints the TensorFlow and Keras
# modules present at the end (only the two blocks, if nothing tried to load them).
PREDICT = """
import sys
sys.modules["tensorflow"] = None  # any import of TensorFlow now raises ImportError
sys.modules["keras"] = None
import numpy as np
from minigenre import load_model
np.save("p.npy", load_model(sys.argv[1]).predict(np.load("x.npy")))
print(sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras")))
"""


def predict_without_tensorflow(model_file: Path, x: np.ndarray):
    """``(probabilities, modules)``: ``load_model(model_file).predict(x)`` computed
    with TensorFlow and Keras blocked, and the TensorFlow or Keras modules loaded."""
    np.save(model_file.parent / "x.npy", x)
    result = subprocess.run(
        [sys.executable, "-c", PREDICT, str(model_file)],
        cwd=model_file.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return np.load(model_file.parent / "p.npy"), result.stdout.strip()
