"""A folder of songs to a features table: genres from sub-folders, bad files listed."""

import csv

import numpy as np
import pytest

pytest.importorskip("librosa", reason='needs "minigenre[audio]"')
pytest.importorskip("soundfile", reason='needs "minigenre[audio]"')
import soundfile

from minigenre.audio import (
    FEATURE_NAMES,
    extract_features,
    folder_features,
    synth,
    write_features_csv,
)
from minigenre.study.data import load_csv

pytestmark = pytest.mark.audio
SR = 44100


@pytest.fixture(scope="module")
def music(tmp_path_factory):
    """Two genres of two songs, plus what a real music folder also holds."""
    root = tmp_path_factory.mktemp("music")
    for genre in ("folk", "techno"):
        (root / genre / "live").mkdir(parents=True)
        for i in range(2):
            y = synth.song(genre, 6.5, seed=i)
            soundfile.write(root / genre / f"{genre}{i}.wav", y, SR)
    soundfile.write(root / "techno" / "live" / "encore.flac", synth.song("techno"), SR)
    (root / "folk" / "broken.wav").write_text("not audio")
    soundfile.write(root / "folk" / "jingle.wav", synth.tone(440, 2.0), SR)
    soundfile.write(root / "loose.wav", synth.song("folk", 6.5), SR)
    (root / "folk" / "cover.jpg").write_bytes(b"\xff\xd8")
    (root / "techno" / ".hidden.wav").write_bytes(b"")
    return root


@pytest.fixture(scope="module")
def result(music):
    calls = []
    found = folder_features(music, progress=lambda done, total: calls.append(done))
    return found, calls


def test_each_readable_song_is_a_row_labelled_by_its_top_sub_folder(result):
    found, _ = result
    assert found.files == (
        "folk/folk0.wav", "folk/folk1.wav",
        "techno/live/encore.flac", "techno/techno0.wav", "techno/techno1.wav",
    )  # fmt: skip
    assert found.genres == ("folk", "folk", "techno", "techno", "techno")
    assert found.features.shape == (5, 264)


def test_rows_are_the_songs_own_features(music, result):
    found, _ = result
    row = found.files.index("techno/techno1.wav")
    expected = extract_features(music / "techno" / "techno1.wav")
    np.testing.assert_array_equal(found.features[row], expected)


def test_unusable_files_are_skipped_and_listed_with_the_reason(result):
    found, _ = result
    reasons = dict(found.skipped)
    assert sorted(reasons) == ["folk/broken.wav", "folk/jingle.wav", "loose.wav"]
    assert "not a readable audio file" in reasons["folk/broken.wav"]
    assert "too short" in reasons["folk/jingle.wav"]
    assert "not in a genre sub-folder" in reasons["loose.wav"]


def test_files_that_are_not_audio_or_hidden_are_only_counted(result):
    found, _ = result
    assert found.n_ignored == 2  # cover.jpg and .hidden.wav


def test_progress_is_reported_after_every_audio_file(result):
    _, calls = result
    assert calls == [1, 2, 3, 4, 5, 6, 7, 8]


def test_the_csv_trains_as_a_labelled_table(result, tmp_path):
    found, _ = result
    path = tmp_path / "features.csv"
    write_features_csv(found, path)
    with path.open(newline="") as f:
        header = next(csv.reader(f))
    assert header == ["file", "genre", *FEATURE_NAMES]
    with pytest.warns(UserWarning, match=r"dropped non-numeric columns \['file'\]"):
        dataset = load_csv(path, "genre")
    assert dataset.genre_names == ("folk", "techno")
    assert dataset.feature_names == FEATURE_NAMES
    np.testing.assert_array_equal(dataset.x_train, found.features)  # repr round trip
    np.testing.assert_array_equal(dataset.y_train, [0, 0, 1, 1, 1])


def test_a_folder_without_sub_folders_gives_no_genre_column(tmp_path):
    soundfile.write(tmp_path / "a.wav", synth.song("ambient", 6.5), SR)
    found = folder_features(tmp_path)
    assert found.genres is None
    out = tmp_path / "out.csv"
    write_features_csv(found, out)
    assert out.read_text().splitlines()[0].startswith("file,ssd_mean_bark01,")


def test_no_readable_file_is_an_error(tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.wav").write_text("no")
    with pytest.raises(ValueError, match="none of 1 audio files readable"):
        folder_features(tmp_path / "bad")
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cover.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(ValueError, match="no audio"):
        folder_features(tmp_path / "photos")


def test_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="directory not found"):
        folder_features(tmp_path / "nowhere")


def test_the_csv_is_not_written_into_a_missing_directory(result, tmp_path):
    found, _ = result
    with pytest.raises(ValueError, match="does not exist"):
        write_features_csv(found, tmp_path / "missing" / "features.csv")
    assert list(tmp_path.iterdir()) == []
