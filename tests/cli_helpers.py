"""Shared by the command-line tests: a small dataset and an in-process runner."""

from pathlib import Path

import numpy as np

from minigenre.cli import main
from minigenre.study.data import Dataset
from minigenre.study.synthetic import make_synthetic

RUN_FILES = ["config.json", "history.json", "scaler.npz", "weights.npz"]


def small_dataset(per_class: int = 30, n_test: int = 60) -> Dataset:
    """The first ``per_class`` songs of each genre of the embedded set, and test rows.

    Small enough for a one-epoch run in a few milliseconds; 30 per genre leaves 6 of
    each in the stratified 20% validation part.
    """
    full = make_synthetic(seed=0)
    rows = np.concatenate(
        [np.flatnonzero(full.y_train == k)[:per_class] for k in range(10)]
    )
    rows = np.sort(rows)  # keep the embedded order, genres interleaved
    return Dataset(
        full.x_train[rows],
        full.y_train[rows],
        full.x_test[:n_test],
        genre_names=full.genre_names,
        y_test=full.y_test[:n_test],
    )


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """``main(argv)`` in this process: (exit code, stdout, stderr)."""
    try:
        code = main([str(arg) for arg in argv])
    except SystemExit as exit_info:  # argparse's usage errors and --help
        code = exit_info.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    """Exit 2, a one-line message last on stderr (after any progress lines), no
    traceback, and the message says what is wrong."""
    assert code == 2, err
    lines = err.strip().splitlines()
    assert [line for line in lines if ": error: " in line] == lines[-1:], err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[-1]


def staging_leftovers(directory: Path) -> list[Path]:
    """Hidden ``.NAME.*.partial`` or ``.old`` directories a failed write left."""
    return [p for p in directory.rglob(".*") if p.suffix in (".partial", ".old")]
