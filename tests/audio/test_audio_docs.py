"""docs/AUDIO.md's column table says what FEATURE_NAMES holds, row by row."""

import itertools
import re
from pathlib import Path

import pytest

pytest.importorskip("librosa", reason='needs "minigenre[audio]"')
pytest.importorskip("soundfile", reason='needs "minigenre[audio]"')
from minigenre.audio import FEATURE_NAMES

pytestmark = pytest.mark.audio
DOC = Path(__file__).resolve().parents[2] / "docs" / "AUDIO.md"
ROW = re.compile(r"^\| (\d+)-(\d+) \|.*\| `(\S+)` \.\.\. `(\S+)` \|$", re.M)


def test_the_column_table_covers_every_column_once_in_order():
    rows = ROW.findall(DOC.read_text())
    assert len(rows) == 15  # 7 SSD statistics, 4 for chroma, 4 for MFCC
    stops = [(int(first), int(last)) for first, last, _, _ in rows]
    assert stops[0][0] == 0
    assert stops[-1][1] == len(FEATURE_NAMES) - 1 == 263
    for (_, last), (first, _) in itertools.pairwise(stops):
        assert first == last + 1


def test_the_column_table_names_the_first_and_last_column_of_each_row():
    for first, last, first_name, last_name in ROW.findall(DOC.read_text()):
        assert FEATURE_NAMES[int(first)] == first_name
        assert FEATURE_NAMES[int(last)] == last_name
