"""Every idiom script of tests/idioms, run with real Keras and with minigenre.

Usage: ``python benchmarks/idioms_vs_keras.py`` (needs TensorFlow; about 40 s a
script on 2 cores). Each script runs three seeds on each side; a metric agrees when
the means differ by at most three combined standard errors or 0.05
(``tests/idioms/idioms.py``, ``compare_with_keras``). Prints one line per script and
exits 1 if any disagrees. The test suite compares the genre scripts only.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "idioms"))

from idioms import SCRIPTS, compare_with_keras


def main() -> int:
    failed = 0
    for script in SCRIPTS:
        with tempfile.TemporaryDirectory() as workdir:
            try:
                report = compare_with_keras(script, Path(workdir))
                print(f"{script.stem}: agrees: " + "; ".join(report))
            except AssertionError as err:
                failed += 1
                print(f"{script.stem}: DIFFERS: {err}")
    print(f"{len(SCRIPTS) - failed} of {len(SCRIPTS)} scripts agree with Keras")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
