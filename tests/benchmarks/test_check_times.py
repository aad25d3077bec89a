"""benchmarks/check_times.py: the table of tutorials/README.md, on one tutorial."""

import re

import check_times
import pytest


@pytest.mark.slow  # six checks, about 8 s
def test_one_tutorial_gives_one_row_of_five_times(capsys):
    assert check_times.main(["--reps", "1", "--tutorials", "09"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("load average before: (")
    (row,) = [line for line in out.splitlines() if line.startswith("| 09 |")]
    assert len(re.findall(r"\| \d+\.\d s ", row + " ")) == 5
