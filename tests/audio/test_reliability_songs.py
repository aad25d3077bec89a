"""Songs are bounded and one bad song never stops a batch.

A song that fails anywhere (decoding, analysis, an error of a library) is skipped
with one line naming it; a song longer than the cap is analysed on its first
``MAX_SECONDS``, decoded a block at a time, its header read first; names that are
not UTF-8, or hold line breaks and escape sequences, keep the CSV readable and the
terminal clean.
"""

import csv
import os
import re
import sys
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from cli_helpers import run_cli
from hypothesis import given
from hypothesis import strategies as st
from reliability import examples, record

pytest.importorskip("librosa", reason='needs "minigenre[audio]"')
pytest.importorskip("soundfile", reason='needs "minigenre[audio]"')
import soundfile

import minigenre
from minigenre.audio import folder_features, signal, synth, write_features_csv
from minigenre.study.data import load_csv

pytestmark = pytest.mark.audio
SECTION = "Songs"
SR = 44100


def write_song(path, seconds=6.5, seed=0, genre="techno"):
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, synth.song(genre, seconds, seed=seed), SR)
    return path


@pytest.mark.parametrize("peak", [1e18, 3e38, 7e4])
def test_a_loud_float_song_is_skipped_and_the_batch_goes_on(tmp_path, peak):
    write_song(tmp_path / "rock" / "fine.wav")
    loud = synth.song("techno", 6.5).astype(np.float32)
    loud *= np.float32(peak / np.abs(loud).max())
    soundfile.write(tmp_path / "rock" / "loud.wav", loud, SR, subtype="FLOAT")
    result = folder_features(tmp_path)
    assert result.files == ("rock/fine.wav",)
    ((name, reason),) = result.skipped
    assert name == "rock/loud.wav"
    assert reason.startswith(f"{tmp_path / 'rock' / 'loud.wav'}: samples reach ")
    assert "far beyond full scale" in reason
    record(SECTION, "Float WAV with finite samples far beyond full scale", "skipped")


def test_predict_audio_of_a_loud_song_is_one_line(capsys, tmp_path):
    loud = synth.song("techno", 6.5).astype(np.float32) * np.float32(1e18)
    song = tmp_path / "loud.wav"
    soundfile.write(song, loud, SR, subtype="FLOAT")
    run = tmp_path / "run"
    code, _, stderr = run_cli(
        capsys, "train", "--out", run, "--epochs", "1", "--sections", "rhythm,chroma"
    )
    assert code == 0, stderr
    code, stdout, stderr = run_cli(capsys, "predict", run, "--audio", song)
    assert code == 2
    assert stdout == ""
    assert stderr.count("\n") == 1
    assert re.search(
        r"loud.wav: samples reach [0-9.e+]+, far beyond full scale", stderr
    )


EXCEPTIONS = [RuntimeError, MemoryError, ZeroDivisionError, KeyError, OSError,
              FloatingPointError, AssertionError, IndexError]  # fmt: skip


@examples(10, function_fixtures=True)
@given(error=st.sampled_from(EXCEPTIONS), bad=st.integers(0, 2))
def test_any_exception_of_one_song_skips_that_song(
    monkeypatch, tmp_path_factory, error, bad
):
    root = tmp_path_factory.mktemp("music")
    paths = [write_song(root / "pop" / f"{i}.wav", seed=i) for i in range(3)]
    from minigenre.audio import folder

    real = folder.extract_features

    def flaky(path, layout="minigenre"):
        if path == paths[bad]:
            raise error("deep inside a library\nsecond line")
        return np.zeros(264)

    with monkeypatch.context() as patch:
        patch.setattr(folder, "extract_features", flaky)
        result = folder_features(root)
    assert real is folder.extract_features
    assert len(result.files) == 2
    ((name, reason),) = result.skipped
    assert name == f"pop/{bad}.wav"
    assert reason.startswith(str(paths[bad]))
    assert "\n" not in reason
    record(SECTION, "Any exception while analysing one song", "that song skipped")


def test_a_long_song_is_analysed_on_its_first_minutes(monkeypatch, tmp_path):
    song = write_song(tmp_path / "long.wav", seconds=30)
    monkeypatch.setattr(signal, "MAX_SECONDS", 8)
    y = signal.load_audio(song)
    assert len(y) == 8 * SR
    whole, _ = soundfile.read(song, dtype="float32")
    np.testing.assert_array_equal(y, whole[: 8 * SR])
    record(SECTION, "A song longer than the cap", "its first MAX_SECONDS analysed")


def test_decoding_memory_does_not_grow_with_the_song(monkeypatch, tmp_path):
    song = tmp_path / "long.wav"
    stereo = np.tile(synth.song("folk", 10.0)[:, None], (1, 2))
    soundfile.write(song, np.tile(stereo, (12, 1)), SR)  # 2 minutes, stereo
    monkeypatch.setattr(signal, "MAX_SECONDS", 10)
    monkeypatch.setattr(signal, "BLOCK_VALUES", 2**16)
    tracemalloc.start()
    try:
        y = signal.load_audio(song)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(y) == 10 * SR
    whole = 120 * SR * 2 * 4  # the whole file decoded, float32: 42 MB
    assert peak < 4 * y.nbytes < whole / 5  # the excerpt, a copy, its absolute value


def test_a_sparse_header_claiming_gigabytes_is_read_only_to_the_cap(
    monkeypatch, tmp_path
):
    song = write_song(tmp_path / "huge.wav", seconds=7)
    with open(song, "r+b") as f:  # RIFF and data sizes set to about 4 GB
        data = f.read()
        at = data.index(b"data") + 4
        f.seek(4)
        f.write((2**32 - 64).to_bytes(4, "little"))
        f.seek(at)
        f.write((2**32 - 64 - at).to_bytes(4, "little"))
        f.truncate(2**32 - 56)  # sparse: nothing stored on disk
    assert soundfile.info(song).frames > 2**30
    monkeypatch.setattr(signal, "MAX_SECONDS", 7)
    assert len(signal.load_audio(song)) == 7 * SR
    song.unlink()
    record(SECTION, "Sparse WAV whose header claims 4 GB", "first MAX_SECONDS read")


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses such names")
def test_names_that_are_not_utf8_are_kept_and_escaped(tmp_path):
    root = os.fsencode(tmp_path)
    os.makedirs(os.path.join(root, b"Caf\xe9"))
    os.makedirs(os.path.join(root, b"pop"))
    name = os.path.join(root, b"Caf\xe9", b"ni\xf1o.wav")  # bytes: not UTF-8
    soundfile.write(name, synth.song("folk", 6.5), SR)
    write_song(tmp_path / "pop" / "a.wav")
    result = folder_features(tmp_path)
    assert result.skipped == ()
    assert result.files == ("Caf\\xe9/ni\\xf1o.wav", "pop/a.wav")
    assert result.genres == ("Caf\\xe9", "pop")
    out = tmp_path / "f.csv"
    write_features_csv(result, out)
    assert list(pd.read_csv(out)["genre"]) == ["Caf\\xe9", "pop"]
    record(SECTION, "Latin-1 file and folder names", "analysed, names escaped")


@pytest.mark.parametrize("odd", ["a\rb", "a\nb", 'say "hi", ok', "x\x1b[31my"])
def test_every_name_is_quoted_so_the_csv_reads_back(tmp_path, odd):
    music = tmp_path / "music"
    write_song(music / "pop" / f"{odd}.wav")
    write_song(music / "rock" / "b.wav", genre="folk")
    result = folder_features(music)
    out = tmp_path / "f.csv"
    write_features_csv(result, out)
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert [row[0] for row in rows[1:]] == [f"pop/{odd}.wav", "rock/b.wav"]
    assert list(pd.read_csv(out)["file"]) == [f"pop/{odd}.wav", "rock/b.wav"]
    with pytest.warns(UserWarning, match=r"dropped non-numeric columns \['file'\]"):
        dataset = load_csv(out, label_column="genre")
    assert dataset.genre_names == ("pop", "rock")
    record(SECTION, "Names with CR, LF, quotes, commas, escapes", "CSV reads back")


def test_fifos_and_broken_links_are_skipped_with_a_reason(tmp_path):
    write_song(tmp_path / "pop" / "a.wav")
    os.mkfifo(tmp_path / "pop" / "pipe.wav")
    (tmp_path / "pop" / "loop.wav").symlink_to(tmp_path / "pop" / "loop.wav")
    result = folder_features(tmp_path)
    reasons = dict(result.skipped)
    assert reasons["pop/pipe.wav"].endswith("not a regular file (a FIFO or device?).")
    assert reasons["pop/loop.wav"].endswith(
        "a symbolic link to nothing (broken, or a loop)."
    )
    record(SECTION, "FIFO and link loop named like songs", "skipped with a reason")


def test_control_characters_reach_the_terminal_escaped(capsys, tmp_path):
    music = tmp_path / "music"
    write_song(music / "\x1b[31mred" / "a.wav")
    write_song(music / "pop" / "b\rc.wav", genre="folk")
    (music / "pop" / "d\x1b]0;title\x07.wav").write_text("not audio")
    code, stdout, stderr = run_cli(capsys, "features", music, "--out", tmp_path / "f")
    assert code == 0, stderr
    assert "\x1b" not in stdout + stderr
    assert "\r" not in stdout + stderr
    assert "\\x1b[31mred (1)" in stdout
    assert "d\\x1b]0;title\\x07.wav" in stderr
    record(SECTION, "Escape sequences in folder and file names", "escaped on screen")


def test_features_overwrite_of_a_directory_fails_before_the_songs(
    capsys, monkeypatch, tmp_path
):
    write_song(tmp_path / "music" / "pop" / "a.wav")
    (tmp_path / "out").mkdir()
    from minigenre.audio import folder

    monkeypatch.setattr(folder, "extract_features", pytest.fail)
    code, _, stderr = run_cli(
        capsys, "features", tmp_path / "music", "--out", tmp_path / "out",
        "--overwrite",
    )  # fmt: skip
    assert code == 2
    assert "it is not a regular file" in stderr


def test_a_librosa_that_cannot_start_is_one_line(capsys, monkeypatch, tmp_path):
    class Refuse:
        def find_spec(self, name, path=None, target=None):
            if name == "minigenre.audio":
                raise RuntimeError("cannot cache function '__shear_dense': no locator")

    monkeypatch.delitem(sys.modules, "minigenre.audio")
    monkeypatch.delattr(minigenre, "audio")
    monkeypatch.setattr(sys, "meta_path", [Refuse(), *sys.meta_path])
    code, _, stderr = run_cli(capsys, "features", tmp_path, "--out", tmp_path / "f")
    assert code == 2
    assert stderr.count("\n") == 1
    assert "set NUMBA_CACHE_DIR to a writable folder" in stderr
