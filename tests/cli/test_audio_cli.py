"""`minigenre features DIR --out FILE` and `minigenre predict RUN --audio FILE`."""

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run_cli

pytest.importorskip("librosa", reason='needs "minigenre[audio]"')
pytest.importorskip("soundfile", reason='needs "minigenre[audio]"')
import soundfile

from minigenre.audio import FEATURE_NAMES, MLBP2018_NAMES, synth
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
        f"{out}: 6 songs in genres ambient (3), techno (3), 264 features each "
        "(minigenre layout)",
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
    train = ["train", "--out", run, "--epochs", "1", "--sections", "rhythm,chroma"]
    assert run_cli(capsys, *train)[0] == 0
    code, _, stderr = run_cli(capsys, "predict", run, "--audio", tmp_path / "x.wav")
    assert_one_line_error(code, stderr, "x.wav: file not found")


def test_predict_audio_warns_about_a_run_on_the_synthetic_set(capsys, tmp_path):
    run = tmp_path / "run"
    train = ["train", "--out", run, "--epochs", "1", "--sections", "rhythm,chroma"]
    assert run_cli(capsys, *train)[0] == 0
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
    assert_one_line_error(code, stderr, "2 columns are not a layout", "mlbp2018")


def test_features_has_help(capsys):
    code, out, _ = run_cli(capsys, "features", "--help")
    assert code == 0
    assert out.startswith("usage: minigenre features")
    assert "--overwrite" in out


# --- the 2018 table's layout ---------------------------------------------------------


@pytest.fixture(scope="module")
def tables(music, tmp_path_factory):
    """The music folder's features in both layouts, read back as arrays."""
    from minigenre.cli import main

    folder = tmp_path_factory.mktemp("tables")
    read = {}
    for layout in ("minigenre", "mlbp2018"):
        out = folder / f"{layout}.csv"
        assert (
            main(["features", str(music), "--out", str(out), "--layout", layout]) == 0
        )
        with pytest.warns(UserWarning, match="dropped non-numeric columns"):
            read[layout] = load_csv(out, "genre")
    return folder, read


def test_features_layout_mlbp2018_writes_the_2018_tables_columns(tables):
    ours, table = tables[1]["minigenre"], tables[1]["mlbp2018"]
    assert table.feature_names == MLBP2018_NAMES
    assert table.feature_names[180] == "chroma_var_C"
    assert table.feature_names[216] == "timbre_mean_00"
    x, base = table.x_train, ours.x_train  # (6, 264) each, the same songs
    # Rhythm: the SSD in sone x 1000, statistic-major (mean, var, skew, kurt, ...).
    flat = base[:, 72:96] == 0  # a band that never changes: no kurtosis (else >= 1)
    for s in range(7):
        block = slice(24 * s, 24 * s + 24)
        expected = 1000 * base[:, block]
        if s in (2, 3):  # skewness, kurtosis: 1 x 1000 for a never-changing band
            expected = np.where(flat, 1000.0, expected)
        np.testing.assert_allclose(x[:, block], expected, rtol=1e-12)
    assert (x[:, :24] > 1).all()  # above the floor's 1.066, in the thousands' unit
    assert (x[:, 120:144] <= x[:, 96:120]).all()  # min <= median
    assert (x[:, 96:120] <= x[:, 144:168]).all()  # median <= max
    # Chroma: mean, variance (the square of minigenre's std), min and max to 0.001.
    np.testing.assert_array_equal(x[:, 168:180], base[:, 168:180])
    np.testing.assert_allclose(x[:, 180:192], base[:, 180:192] ** 2, rtol=1e-12)
    np.testing.assert_array_equal(x[:, 192:216], np.round(base[:, 192:216], 3))
    # Timbre: not computable; the table's constant 1e6, then zeros.
    np.testing.assert_array_equal(x[:, 216:220], 1e6)
    np.testing.assert_array_equal(x[:, 220:], 0.0)


def test_a_sections_run_on_the_2018_layout_classifies_a_song(capsys, tables, music):
    folder = tables[0]
    run = folder / "rhythm_chroma"
    code, _, stderr = run_cli(
        capsys, "train", "--csv", folder / "mlbp2018.csv", "--label-column", "genre",
        "--sections", "rhythm,chroma", "--epochs", "20", "--out", run,
    )  # fmt: skip
    assert code == 0, stderr
    code, out, stderr = run_cli(
        capsys, "predict", run, "--audio", music / "techno" / "1.wav"
    )
    assert code == 0, stderr
    assert out.splitlines()[0].endswith(": techno")


def test_predict_audio_refuses_a_run_whose_layout_or_sections_do_not_match(
    capsys, tables, music
):
    folder, song = tables[0], music / "techno" / "1.wav"
    everything = folder / "all_sections"
    assert run_cli(
        capsys, "train", "--csv", folder / "mlbp2018.csv", "--label-column", "genre",
        "--epochs", "1", "--out", everything,
    )[0] == 0  # fmt: skip
    code, _, stderr = run_cli(capsys, "predict", everything, "--audio", song)
    assert_one_line_error(code, stderr, "reads the mfcc section")
    assert "--sections rhythm,chroma" in stderr
    ours = folder / "minigenre_layout"
    assert run_cli(
        capsys, "train", "--csv", folder / "minigenre.csv", "--label-column", "genre",
        "--epochs", "1", "--out", ours,
    )[0] == 0  # fmt: skip
    code, _, stderr = run_cli(
        capsys, "predict", ours, "--audio", song, "--layout", "mlbp2018"
    )
    assert_one_line_error(code, stderr, "the minigenre layout, not mlbp2018")
    embedded = folder / "embedded"  # the 2018 table's columns, timbre included
    assert run_cli(capsys, "train", "--epochs", "1", "--out", embedded)[0] == 0
    code, _, stderr = run_cli(capsys, "predict", embedded, "--audio", song)
    assert_one_line_error(code, stderr, "reads the mfcc section")
