"""`minigenre features DIR --out FILE` and `minigenre predict RUN --audio FILE`."""

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run_cli

pytest.importorskip("librosa", reason='needs "minigenre[audio]"')
pytest.importorskip("soundfile", reason='needs "minigenre[audio]"')
import soundfile

from minigenre.audio import FEATURE_NAMES, synth
from minigenre.study.data import load_csv

pytestmark = pytest.mark.audio
SR = 44100


@pytest.fixture(scope="module")
def music(tmp_path_factory):
    """Two synthetic genres of three songs each, and a file that is not audio."""
    root = tmp_path_factory.mktemp("music")
    for genre in ("ambient", "techno"):
        (root / genre).mkdir()
        for i in range(3):
            soundfile.write(root / genre / f"{i}.wav", synth.song(genre, 6.5, i), SR)
    (root / "techno" / "notes.wav").write_text("not a song")
    return root


def features(capsys, music, out, *extra):
    return run_cli(capsys, "features", music, "--out", out, *extra)


def test_features_writes_one_row_per_song_and_lists_what_it_skipped(
    capsys, music, tmp_path
):
    out = tmp_path / "features.csv"
    code, stdout, stderr = features(capsys, music, out)
    assert code == 0, stderr
    assert stdout.splitlines() == [
        f"{out}: 6 songs in genres ambient (3), techno (3), 264 features each",
        "Skipped 1 file that could not be used (listed above)",
    ]
    assert "7/7 ━" in stderr  # the progress bar, on stderr
    assert "skipped " in stderr
    assert "notes.wav: not a readable audio file" in stderr
    with pytest.warns(UserWarning, match="dropped non-numeric columns"):
        dataset = load_csv(out, "genre")
    assert dataset.feature_names == FEATURE_NAMES
    assert dataset.genre_names == ("ambient", "techno")


def test_features_then_train_then_predict_audio(capsys, music, tmp_path):
    table, run = tmp_path / "features.csv", tmp_path / "run"
    assert features(capsys, music, table)[0] == 0
    code, _, stderr = run_cli(
        capsys, "train", "--csv", table, "--label-column", "genre", "--out", run,
        "--epochs", "20",
    )  # fmt: skip
    assert code == 0, stderr
    song = tmp_path / "new.flac"
    soundfile.write(song, synth.song("techno", 6.5, seed=99), SR)
    code, stdout, stderr = run_cli(capsys, "predict", run, "--audio", song)
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines[0] == f"{song}: techno"
    assert lines[1] == "  (argmax if its probability > 0.25, else ambient)"
    names = [line.split()[0] for line in lines[2:]]
    proba = [float(line.split()[1]) for line in lines[2:]]
    assert sorted(names) == ["ambient", "techno"]
    assert proba == sorted(proba, reverse=True)
    assert np.isclose(sum(proba), 1.0, atol=1e-3)
    assert "warning" not in stderr


def test_features_refuses_to_replace_a_file_without_overwrite(capsys, music, tmp_path):
    out = tmp_path / "features.csv"
    out.write_text("mine")
    code, _, stderr = features(capsys, music, out)
    assert_one_line_error(code, stderr, "exists", "--overwrite")
    assert out.read_text() == "mine"
    code, _, stderr = features(capsys, music, out, "--overwrite")
    assert code == 0, stderr
    assert out.read_text().startswith("file,genre,ssd_mean_bark01,")


def test_features_fails_early_for_a_missing_directory(capsys, music, tmp_path):
    code, _, stderr = features(capsys, music, tmp_path / "no" / "features.csv")
    assert_one_line_error(code, stderr, "does not exist")
    assert "[" not in stderr  # no progress: nothing was read


def test_features_of_a_folder_without_songs_writes_nothing(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    out = tmp_path / "features.csv"
    code, _, stderr = features(capsys, tmp_path / "empty", out)
    assert_one_line_error(code, stderr, "no audio")
    assert not out.exists()


def test_predict_audio_takes_no_out(capsys, tmp_path):
    code, _, stderr = run_cli(
        capsys, "predict", tmp_path, "--audio", "x.wav", "--out", tmp_path
    )
    assert_one_line_error(code, stderr, "--audio", "--out")


def test_predict_needs_out_or_audio(capsys, tmp_path):
    code, _, stderr = run_cli(capsys, "predict", tmp_path)
    assert_one_line_error(code, stderr, "--out DIR", "--audio FILE")


def test_predict_audio_of_a_missing_song(capsys, tmp_path):
    run = tmp_path / "run"
    assert run_cli(capsys, "train", "--out", run, "--epochs", "1")[0] == 0
    code, _, stderr = run_cli(capsys, "predict", run, "--audio", tmp_path / "x.wav")
    assert_one_line_error(code, stderr, "x.wav: file not found")


def test_predict_audio_warns_about_a_run_on_other_columns(capsys, tmp_path):
    run = tmp_path / "run"
    assert run_cli(capsys, "train", "--out", run, "--epochs", "1")[0] == 0
    song = tmp_path / "song.wav"
    soundfile.write(song, synth.song("folk", 6.5), SR)
    code, stdout, stderr = run_cli(capsys, "predict", run, "--audio", song)
    assert code == 0, stderr
    assert "warning: the run was trained on the embedded synthetic dataset" in stderr
    assert len(stdout.splitlines()) == 2 + 10  # label, rule, 10 genres


def test_predict_audio_needs_a_run_on_264_columns(capsys, tmp_path):
    table = tmp_path / "small.csv"
    rows = [f"{i % 2},{i},{i * i}" for i in range(20)]
    table.write_text("label,a,b\n" + "\n".join(rows) + "\n")
    run = tmp_path / "run"
    train = ["train", "--csv", table, "--label-column", "label", "--out", run]
    assert run_cli(capsys, *train, "--epochs", "1")[0] == 0
    song = tmp_path / "song.wav"
    soundfile.write(song, synth.song("folk", 6.5), SR)
    code, _, stderr = run_cli(capsys, "predict", run, "--audio", song)
    assert_one_line_error(code, stderr, "trained on 2 features", "264")


def test_features_has_help(capsys):
    code, out, _ = run_cli(capsys, "features", "--help")
    assert code == 0
    assert out.startswith("usage: minigenre features")
    assert "--overwrite" in out
