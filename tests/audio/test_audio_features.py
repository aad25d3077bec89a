"""The 264 features of synthesized signals: each section shows what it should."""

import numpy as np
import pytest

pytest.importorskip("librosa", reason='needs "minigenre[audio]"')
pytest.importorskip("soundfile", reason='needs "minigenre[audio]"')
pytest.importorskip("scipy.stats")
import librosa
import scipy.stats as scipy_stats
import soundfile

from minigenre.audio import (
    FEATURE_NAMES,
    extract_features,
    load_audio,
    loudness,
    rhythm,
    synth,
    tonal,
)
from minigenre.audio.signal import prepare_signal
from minigenre.study.data import N_FEATURES, SECTIONS

pytestmark = pytest.mark.audio
SR = 44100
SECONDS = 7.0  # one 5.94 s rhythm segment and some


def midi_hz(note):
    return 440.0 * 2 ** ((note - 69) / 12)


def section(x, name, statistic):
    """The 12 or 24 columns of one statistic, found by their names."""
    prefix = f"{name}_{statistic}_"
    return x[[i for i, n in enumerate(FEATURE_NAMES) if n.startswith(prefix)]]


def test_names_follow_the_study_s_sections():
    assert len(FEATURE_NAMES) == len(set(FEATURE_NAMES)) == N_FEATURES == 264
    for name, prefix in [("rhythm", "ssd_"), ("chroma", "chroma_"), ("mfcc", "mfcc_")]:
        assert all(n.startswith(prefix) for n in FEATURE_NAMES[SECTIONS[name]])
    assert FEATURE_NAMES[:2] == ("ssd_mean_bark01", "ssd_mean_bark02")
    assert FEATURE_NAMES[24] == "ssd_var_bark01"
    assert FEATURE_NAMES[168:170] == ("chroma_mean_C", "chroma_mean_C#")
    assert FEATURE_NAMES[180] == "chroma_std_C"
    assert FEATURE_NAMES[263] == "mfcc_max_11"


@pytest.mark.parametrize(("note", "pitch_class"), [(69, "A"), (60, "C"), (54, "F#")])
def test_a_tone_s_pitch_class_dominates_chroma(note, pitch_class):
    x = extract_features(synth.tone(midi_hz(note), SECONDS), sr=SR)
    mean = section(x, "chroma", "mean")
    order = np.argsort(mean)[::-1]
    assert tonal.PITCH_CLASSES[order[0]] == pitch_class
    assert mean[order[0]] > 2 * mean[order[1]]


def test_a_chord_s_three_notes_lead_chroma():
    c_major = sum(synth.tone(midi_hz(n), SECONDS, 0.2) for n in (60, 64, 67))
    mean = section(extract_features(c_major, sr=SR), "chroma", "mean")
    top = {tonal.PITCH_CLASSES[k] for k in np.argsort(mean)[-3:]}
    assert top == {"C", "E", "G"}


def test_click_track_energy_sits_in_the_click_s_bark_band():
    clicks = synth.click_track(bpm=120, seconds=SECONDS, frequency=1600.0)
    peak = section(extract_features(clicks, sr=SR), "ssd", "max")
    assert np.argmax(peak) == 11  # band 12 spans 1480-1720 Hz
    far = np.r_[0:7, 16:24]  # bands below 770 Hz or above 3150 Hz
    assert (peak[far] < 0.01 * peak[11]).all()


def test_click_track_beats_at_its_tempo_in_the_band_loudness():
    clicks = synth.click_track(bpm=120, seconds=SECONDS, frequency=1600.0)
    band = loudness.sonogram(clicks[: loudness.SEGMENT_LENGTH])[11]
    band = band - band.mean()
    autocorrelation = np.correlate(band, band, "full")[len(band) - 1 :]
    lag = 10 + np.argmax(autocorrelation[10:150])  # frames of 512 samples
    assert lag == round(0.5 * SR / loudness.HOP_LENGTH)  # 0.5 s: 43 frames


def test_noise_reaches_every_band_and_every_pitch_class():
    noise = 0.1 * np.random.default_rng(0).standard_normal(round(SECONDS * SR))
    x = extract_features(noise, sr=SR)
    silence_floor = (3 / 40) ** 2.642  # 3 phon in sone
    assert (section(x, "ssd", "mean") > 100 * silence_floor).all()
    chroma = section(x, "chroma", "mean")
    assert chroma.min() > 0.8 * chroma.max()  # no pitch stands out


def test_ten_times_the_amplitude_sounds_four_times_as_loud():
    # +20 dB is +20 phon near 1 kHz (band 9's contours are 20 dB apart), and
    # above 40 phon every 10 phon double the sone value: x4.
    quiet, loud = (
        section(extract_features(synth.tone(1000, SECONDS, a), sr=SR), "ssd", "mean")
        for a in (0.05, 0.5)
    )
    # Exactly 4 up to the rounding of the samples to float32 (eps 1.2e-7).
    np.testing.assert_allclose(loud[8] / quiet[8], 4.0, rtol=1e-6)


def librosa_on_each_segment(y, feature, **options):
    """librosa's ``feature`` of each 5.94 s segment, frames side by side."""
    seg = loudness.SEGMENT_LENGTH
    parts = [y[start : start + seg] for start in range(0, len(y) - seg + 1, seg)]
    frames = [
        feature(y=part, sr=SR, n_fft=4096, hop_length=1024, **options) for part in parts
    ]
    return np.concatenate(frames, axis=1).astype(np.float64)


def test_mfcc_statistics_equal_librosa_s():
    y = synth.song("folk", 13.0, seed=1)  # two segments
    x = extract_features(y, sr=SR)
    coefficients = librosa_on_each_segment(y, librosa.feature.mfcc, n_mfcc=12)
    assert coefficients.shape == (12, 2 * 257)
    for statistic, f in [("mean", np.mean), ("std", np.std),
                         ("min", np.min), ("max", np.max)]:  # fmt: skip
        np.testing.assert_allclose(
            section(x, "mfcc", statistic), f(coefficients, axis=1), rtol=1e-12
        )


def test_chroma_statistics_equal_librosa_s():
    y = synth.song("techno", 13.0, seed=1)
    x = extract_features(y, sr=SR)
    chroma = librosa_on_each_segment(y, librosa.feature.chroma_stft)
    for statistic, f in [("mean", np.mean), ("std", np.std),
                         ("min", np.min), ("max", np.max)]:  # fmt: skip
        np.testing.assert_allclose(
            section(x, "chroma", statistic), f(chroma, axis=1), rtol=1e-12
        )


def test_ssd_statistics_equal_numpy_and_scipy_on_the_band_loudness():
    rng = np.random.default_rng(3)
    n = 2 * loudness.SEGMENT_LENGTH + 1000  # two segments, a remainder unused
    y = (0.3 * rng.standard_normal(n) * np.sin(np.arange(n) / 5000) ** 2).astype(
        np.float32
    )
    per_segment = []
    for start in (0, loudness.SEGMENT_LENGTH):
        bands = loudness.sonogram(y[start : start + loudness.SEGMENT_LENGTH])
        stats = np.stack([
            np.mean(bands, axis=1),
            np.var(bands, axis=1, ddof=1),
            scipy_stats.skew(bands, axis=1),
            scipy_stats.kurtosis(bands, axis=1, fisher=False),
            np.median(bands, axis=1),
            np.min(bands, axis=1),
            np.max(bands, axis=1),
        ])  # fmt: skip
        per_segment.append(np.nan_to_num(stats, nan=0.0))  # flat bands: 0
    expected = np.mean(per_segment, axis=0)  # (7, 24)
    x = extract_features(y, sr=SR)
    np.testing.assert_allclose(x[:168].reshape(7, 24), expected, rtol=1e-10)
    for s, statistic in enumerate(rhythm.SSD_STATISTICS):
        np.testing.assert_array_equal(section(x, "ssd", statistic), x[24 * s :][:24])


def test_a_band_that_never_changes_has_zero_skewness_and_kurtosis():
    flat = np.full((24, 511), 0.25)
    stats = rhythm.band_statistics(flat)
    np.testing.assert_array_equal(stats[2:4], 0.0)
    np.testing.assert_allclose(stats[[0, 4, 5, 6]], 0.25)


def test_segments_skip_intro_and_fade_out_from_45_seconds():
    seg = loudness.SEGMENT_LENGTH
    assert list(rhythm.segment_starts(seg - 1)) == []
    assert list(rhythm.segment_starts(3 * seg + 5)) == [0, seg, 2 * seg]
    assert list(rhythm.segment_starts(44 * SR)) == [k * seg for k in range(7)]
    # 45 s hold 7 whole segments: the first and the last are left out.
    assert list(rhythm.segment_starts(45 * SR)) == [k * seg for k in range(1, 6)]


def test_wav_round_trip_gives_the_same_features(tmp_path):
    y = synth.song("ambient", SECONDS, seed=2)  # float32, as files decode
    path = tmp_path / "song.wav"
    soundfile.write(path, y, SR, subtype="FLOAT")
    np.testing.assert_array_equal(extract_features(path), extract_features(y, sr=SR))
    np.testing.assert_array_equal(extract_features(str(path)), extract_features(path))


@pytest.mark.parametrize(("fmt", "suffix"), [("FLAC", ".flac"), ("OGG", ".ogg")])
def test_compressed_files_decode_to_264_finite_features(tmp_path, fmt, suffix):
    path = tmp_path / f"song{suffix}"
    soundfile.write(path, synth.song("folk", SECONDS, seed=4), SR, format=fmt)
    x = extract_features(path)
    assert x.shape == (264,)
    assert np.isfinite(x).all()


def test_stereo_is_mixed_to_mono():
    y = synth.song("techno", SECONDS, seed=5)
    np.testing.assert_array_equal(
        extract_features(np.stack([y, y]), sr=SR), extract_features(y, sr=SR)
    )


def test_other_sample_rates_are_resampled():
    y = synth.tone(440.0, SECONDS)[::2]  # the same tone at 22 050 Hz
    assert len(prepare_signal(y, 22050)) == round(SECONDS * SR)
    mean = section(extract_features(y, sr=22050), "chroma", "mean")
    assert tonal.PITCH_CLASSES[int(np.argmax(mean))] == "A"


def test_load_audio_returns_mono_float32_at_44k(tmp_path):
    path = tmp_path / "stereo.wav"
    y = synth.tone(440.0, SECONDS, 0.25)[::2]
    soundfile.write(path, np.stack([y, y]).T, 22050, subtype="PCM_16")
    audio = load_audio(path)
    assert audio.dtype == np.float32
    assert audio.ndim == 1
    assert len(audio) == round(SECONDS * SR)


def test_the_2018_layout_is_the_same_song_on_the_2018_tables_scale():
    y = synth.tone(midi_hz(69), SECONDS)  # a steady A: its top bands never change
    ours = extract_features(y, sr=SR)
    table = extract_features(y, sr=SR, layout="mlbp2018")
    flat = ours[72:96] == 0  # kurtosis 0 only for a band that never changes
    assert flat.any()
    np.testing.assert_array_equal(table[48:72][flat], 1000.0)  # skewness: 1 x 1000
    np.testing.assert_array_equal(table[72:96][flat], 1000.0)  # kurtosis: 1 x 1000
    np.testing.assert_allclose(table[:48], 1000 * ours[:48], rtol=1e-12)
    np.testing.assert_allclose(table[180:192], ours[180:192] ** 2, rtol=1e-12)
    np.testing.assert_array_equal(table[216:220], 1e6)


def test_an_unknown_layout_is_named():
    with pytest.raises(ValueError, match=r"layout must be one of .*Received: 'keras'"):
        extract_features(np.zeros(10), sr=SR, layout="keras")
