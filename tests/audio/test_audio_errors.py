"""Every unusable file or signal gets one clear error that says what and where."""

import re

import numpy as np
import pytest

pytest.importorskip("librosa", reason='needs "minigenre[audio]"')
pytest.importorskip("soundfile", reason='needs "minigenre[audio]"')
import soundfile

from minigenre.audio import extract_features, load_audio, synth

pytestmark = pytest.mark.audio
SR = 44100


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match=r"nothing\.wav: file not found\.$"):
        extract_features(tmp_path / "nothing.wav")


def test_a_directory_is_not_a_file(tmp_path):
    with pytest.raises(ValueError, match="not a file"):
        load_audio(tmp_path)


@pytest.mark.parametrize("content", [b"", b"title,artist\nx,y\n", bytes(range(256))])
def test_a_file_that_is_not_audio(tmp_path, content):
    path = tmp_path / "song.wav"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"song\.wav: not a readable audio file \("):
        extract_features(path)


def test_a_silent_file(tmp_path):
    path = tmp_path / "silence.flac"
    soundfile.write(path, np.zeros(7 * SR), SR)
    with pytest.raises(ValueError, match=r"silence\.flac: the audio is silent"):
        extract_features(path)


def test_quieter_than_16_bit_audio_is_silent():
    with pytest.raises(ValueError, match="silent"):
        extract_features(synth.tone(440, 7.0, amplitude=2.0**-16), sr=SR)


def test_a_too_short_file(tmp_path):
    path = tmp_path / "jingle.wav"
    soundfile.write(path, synth.tone(440, 3.0), SR)
    with pytest.raises(ValueError, match=r"jingle\.wav: too short: 3\.00 s .* 5\.94 s"):
        extract_features(path)


def test_an_empty_signal_is_too_short():
    with pytest.raises(ValueError, match=r"too short: 0\.00 s"):
        extract_features(np.zeros(0), sr=SR)


def test_nan_samples():
    y = synth.tone(440, 7.0)
    y[1000] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        extract_features(y, sr=SR)


def test_integer_samples_must_be_scaled_first():
    y = (synth.tone(440, 7.0) * 32767).astype(np.int16)
    with pytest.raises(TypeError, match=r"floating point .* Received: dtype=int16"):
        extract_features(y, sr=SR)


@pytest.mark.parametrize("shape", [(2, 2, 300000), (0, 300000), ()])
def test_wrong_shapes(shape):
    with pytest.raises(ValueError, match=re.escape(f"Received: shape={shape}")):
        extract_features(np.zeros(shape), sr=SR)


def test_a_signal_needs_its_rate_and_a_file_has_its_own(tmp_path):
    with pytest.raises(ValueError, match="needs its sample rate"):
        extract_features(synth.tone(440, 7.0))
    with pytest.raises(ValueError, match="a file has its own rate"):
        extract_features(tmp_path / "song.wav", sr=SR)


@pytest.mark.parametrize(
    ("sr", "error"),
    [
        (44100.0, TypeError),
        (True, TypeError),
        (0, ValueError),
        (1, ValueError),
        (10**6, ValueError),
    ],
)
def test_bad_sample_rates(sr, error):
    with pytest.raises(error, match=r"Received: sr="):
        extract_features(synth.tone(440, 7.0), sr=sr)


def test_synth_refuses_unknown_genres_and_full_folders(tmp_path):
    with pytest.raises(ValueError, match=r"genre must be one of .* Received: 'polka'"):
        synth.song("polka")
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not empty"):
        synth.write_song_folder(tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "keep me"
