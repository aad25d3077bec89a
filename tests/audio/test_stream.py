"""A song file read as segments: the same bits as the whole excerpt, in bounded memory.

`song_segments` must hand out exactly ``segments(load_audio(path))`` (the features
of every song shorter than the cap are unchanged), while holding one block and one
segment: `minigenre features` stays under 300 MB of peak memory for any song.
"""

import os
import struct
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("librosa", reason='needs "minigenre[audio]"')
pytest.importorskip("soundfile", reason='needs "minigenre[audio]"')
import soundfile

from minigenre.audio import extract_features, load_audio, signal, synth
from minigenre.audio.rhythm import segments
from minigenre.audio.stream import song_segments

pytestmark = pytest.mark.audio
SR = 44100
ROOT = Path(__file__).resolve().parents[2]


def write_song(path, rate, seconds, channels=1):
    y = synth.song("folk", seconds, seed=3)  # (n,) at 44.1 kHz
    y = np.interp(np.arange(int(seconds * rate)) * SR / rate, np.arange(len(y)), y)
    if channels == 2:
        y = np.stack([y, 0.5 * np.roll(y, 7)], axis=1)
    soundfile.write(path, y.astype(np.float32), rate, subtype="FLOAT")
    return path


def sparse_wav(path, seconds_claimed, seconds_of_sound=8.0):
    """A mono 16-bit WAV whose header claims ``seconds_claimed``: sound first, then
    a hole of zeros that takes no disk space."""
    n_bytes = 2 * int(seconds_claimed * SR)
    header = b"RIFF" + struct.pack("<I", 36 + n_bytes) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, SR, 2 * SR, 2, 16)
    header += b"data" + struct.pack("<I", n_bytes)
    sound = synth.song("techno", seconds_of_sound, seed=1)
    with open(path, "wb") as f:
        f.write(header + (10_000 * sound).astype("<i2").tobytes())
        f.truncate(len(header) + n_bytes)
    return path


@pytest.mark.parametrize(
    ("rate", "seconds", "channels"),
    [
        (44100, 12.0, 1),
        (44100, 46.0, 2),  # long enough to skip the first and last segment
        (48000, 13.0, 2),
        (22050, 46.0, 1),  # resampled and skipping
        (8000, 6.0, 1),  # just one segment: zero-padded after resampling
        (96000, 7.0, 1),
    ],
)
def test_segments_are_those_of_the_whole_excerpt(tmp_path, rate, seconds, channels):
    song = write_song(tmp_path / "song.wav", rate, seconds, channels)
    whole = segments(load_audio(song))
    streamed = [part.copy() for part in song_segments(song)]
    assert len(streamed) == len(whole) >= 1
    for a, b in zip(streamed, whole, strict=True):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_array_equal(a, b)
    features = extract_features(song)
    assert features.tobytes() == extract_features(load_audio(song), sr=SR).tobytes()


def test_streaming_holds_a_block_and_a_segment_not_the_excerpt(monkeypatch, tmp_path):
    song = sparse_wav(tmp_path / "hour.wav", seconds_claimed=3600)
    monkeypatch.setattr(signal, "MAX_SECONDS", 120)
    tracemalloc.start()
    try:
        n = sum(1 for _ in song_segments(song))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert n == 120 * SR // 2**18 - 2  # the first and the last skipped
    excerpt = 120 * SR * 4  # 21 MB of float32
    assert peak < 6 * 2**20 < excerpt / 3  # a few 1 MiB blocks and segments


# The command in a child process that reports its own peak, VmHWM: getrusage's
# ru_maxrss would also count the parent's memory at the fork, which survives exec.
MEASURE = """
import sys
from minigenre.cli import main
code = main(sys.argv[1:])
status = open("/proc/self/status").read()
print(status.split("VmHWM:")[1].split()[0])  # kB
sys.exit(code)
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux")
def test_features_of_a_4_gb_song_peak_under_300_mb(tmp_path):
    """The whole command at the real 10-minute cap (about 20 s): librosa, numba
    and SciPy take about 230 MB once loaded, so the song may add little."""
    (tmp_path / "songs").mkdir()
    sparse_wav(tmp_path / "songs" / "big.wav", seconds_claimed=(2**32 - 100) / 2 / SR)
    out = tmp_path / "songs.csv"
    command = [sys.executable, "-c", MEASURE, "features", str(tmp_path / "songs")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [*command, "--out", str(out)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    peak_kib = int(done.stdout.split()[-1])
    assert peak_kib * 1024 < 300e6, f"peak RSS {peak_kib / 1024:.0f} MiB"  # 265 MiB
