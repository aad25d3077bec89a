"""benchmarks/audio_features.py keeps running and prints every case it times."""

import re

import pytest

pytest.importorskip("librosa", reason='needs "minigenre[audio]"')
pytest.importorskip("soundfile", reason='needs "minigenre[audio]"')
import audio_features

pytestmark = [pytest.mark.audio, pytest.mark.slow]


def test_the_benchmark_times_warm_and_cold_runs(capsys):
    assert audio_features.main(["--seconds", "6.5", "--repeats", "1",
                                "--cold-repeats", "1"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert out.startswith("Features of a 6.5 s song (44.1 kHz, 16-bit WAV), one core")
    assert "librosa " in out
    assert "numba " in out
    for case in ["extract_features(file)", "decode + resample", "SSD (NumPy)",
                 "chroma (librosa)", "MFCC (librosa)", "cold: process",
                 "cold: import + first song"]:  # fmt: skip
        row = rf"{re.escape(case)}\s+\d+\.\d{{3}} s  \(min .*\); CPU \d+\.\d{{3}} s"
        assert re.search(row, out), case
