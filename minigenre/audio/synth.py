"""Songs made with NumPy: tones, click tracks and three synthetic "genres".

Nothing is downloaded: the tests, the tutorial and the benchmark make their audio
here. The genres differ the way real ones do, in tempo and timbre:

* ``ambient``: 60-75 BPM, slow-swelling pads of pure tones, a bell now and then,
  no drums;
* ``folk``: 90-110 BPM, plucked strings (bright harmonics that die away) picking
  the chord's notes, a soft shaker on the beat;
* ``techno``: 124-132 BPM, a kick drum on every beat, a hi-hat between, a buzzing
  sawtooth bass in eighth notes.

Each song draws its key, tempo and details from its own seed, so no two are alike,
and the same seed always gives the same samples.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import soundfile

from minigenre.audio.loudness import SAMPLE_RATE

GENRES = ("ambient", "folk", "techno")
_PROGRESSION = (0, 7, 9, 5)  # I - V - vi - IV, in semitones above the key
_MAJOR_TRIAD = np.array([0, 4, 7])


def tone(frequency: float, seconds: float, amplitude: float = 0.5) -> np.ndarray:
    """A sine at ``frequency`` Hz, 44.1 kHz, shape ``(round(seconds * 44100),)``."""
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return amplitude * np.sin(2 * np.pi * frequency * t)


def click_track(
    bpm: float, seconds: float, frequency: float = 1600.0, amplitude: float = 0.5
) -> np.ndarray:
    """A 10 ms Hann-shaped burst of a ``frequency`` Hz tone on every beat."""
    y = np.zeros(round(seconds * SAMPLE_RATE))
    burst = tone(frequency, 0.010, amplitude) * np.hanning(round(0.010 * SAMPLE_RATE))
    for start in _beat_samples(bpm, seconds):
        _add(y, start, burst)
    return y


def _beat_samples(bpm: float, seconds: float, per_beat: int = 1) -> np.ndarray:
    step = 60.0 / bpm / per_beat
    return np.round(np.arange(0.0, seconds, step) * SAMPLE_RATE).astype(int)


def _add(y: np.ndarray, start: int, sound: np.ndarray) -> None:
    """Mixes ``sound`` into ``y`` from sample ``start``, cut at the end of ``y``."""
    end = min(len(y), start + len(sound))
    y[start:end] += sound[: end - start]


def _midi_hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def _note(frequency: float, seconds: float, harmonics, attack: float, decay: float):
    """A tone with ``harmonics`` (amplitude of partial 1, 2, ...) and an envelope:
    a linear rise over ``attack`` seconds, then ``exp(-t / decay)``."""
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    wave = sum(
        a * np.sin(2 * np.pi * frequency * k * t) for k, a in enumerate(harmonics, 1)
    )
    envelope = np.minimum(t / attack, 1.0) * np.exp(-np.maximum(t - attack, 0) / decay)
    return wave * envelope


def _chords(key: int, bpm: float, seconds: float, beats_per_chord: int):
    """(start sample, MIDI notes) of each chord of the I-V-vi-IV progression."""
    starts = _beat_samples(bpm / beats_per_chord, seconds)
    for i, start in enumerate(starts):
        root = key + _PROGRESSION[i % len(_PROGRESSION)]
        minor = _PROGRESSION[i % len(_PROGRESSION)] == 9  # vi is a minor chord
        yield start, root + _MAJOR_TRIAD - np.array([0, int(minor), 0])


def _ambient(y: np.ndarray, rng: np.random.Generator, seconds: float) -> None:
    bpm, key = rng.uniform(60, 75), int(rng.integers(48, 60))
    chord_seconds = 4 * 60 / bpm
    for start, notes in _chords(key, bpm, seconds, 4):
        for note in notes:
            pad = _note(_midi_hz(note), chord_seconds * 1.5, [1, 0.3], 1.0, 2.0)
            _add(y, start, 0.12 * pad)
    for start in _beat_samples(bpm / 2, seconds)[1::2]:
        bell = _midi_hz(key + 24 + rng.choice([0, 4, 7, 12]))
        _add(y, start, 0.08 * _note(bell, 2.0, [1, 0, 0.4], 0.005, 0.6))


def _folk(y: np.ndarray, rng: np.random.Generator, seconds: float) -> None:
    bpm, key = rng.uniform(90, 110), int(rng.integers(45, 57))
    pluck_harmonics = [1, 0.6, 0.45, 0.3, 0.2, 0.12]
    picks = _beat_samples(bpm, seconds, per_beat=2)
    chords = list(_chords(key, bpm, seconds, 4))
    for i, start in enumerate(picks):
        notes = next(n for s, n in reversed(chords) if s <= start)
        note = notes[i % 3] + 12 * (i % 2)
        pluck = _note(_midi_hz(note), 1.0, pluck_harmonics, 0.002, 0.25)
        _add(y, start, 0.15 * pluck)
    for start in _beat_samples(bpm, seconds):
        shaker = rng.standard_normal(round(0.04 * SAMPLE_RATE))
        _add(y, start, 0.03 * shaker * np.hanning(len(shaker)))


def _techno(y: np.ndarray, rng: np.random.Generator, seconds: float) -> None:
    bpm, key = rng.uniform(124, 132), int(rng.integers(33, 45))
    t = np.arange(round(0.3 * SAMPLE_RATE)) / SAMPLE_RATE
    sweep = 50 + 100 * np.exp(-t / 0.03)  # Hz: the kick's pitch falls fast
    kick = np.sin(2 * np.pi * np.cumsum(sweep) / SAMPLE_RATE) * np.exp(-t / 0.12)
    for start in _beat_samples(bpm, seconds):
        _add(y, start, 0.5 * kick)
    for start in _beat_samples(bpm, seconds, per_beat=2)[1::2]:
        hat = np.diff(rng.standard_normal(round(0.05 * SAMPLE_RATE) + 1))  # bright
        _add(y, start, 0.06 * hat * np.exp(-t[: len(hat)] / 0.015))
    saw = [1 / k for k in range(1, 16)]  # a sawtooth's partials
    for i, start in enumerate(_beat_samples(bpm, seconds, per_beat=2)):
        note = key + (12 if i % 4 == 3 else 0)
        _add(y, start, 0.1 * _note(_midi_hz(note), 0.2, saw, 0.003, 0.08))


def song(genre: str, seconds: float = 8.0, seed: int | Sequence[int] = 0) -> np.ndarray:
    """A synthetic song of ``genre``, mono float32 at 44.1 kHz, peak 0.9.

    Args:
        genre: One of `GENRES`.
        seconds: Length; the features need at least 5.94 s.
        seed: Draws key, tempo and details: an int or a sequence of ints.
    """
    if genre not in GENRES:
        raise ValueError(f"genre must be one of {GENRES}. Received: {genre!r}")
    rng = np.random.default_rng(seed)
    y = np.zeros(round(seconds * SAMPLE_RATE))
    {"ambient": _ambient, "folk": _folk, "techno": _techno}[genre](y, rng, seconds)
    return (0.9 * y / np.abs(y).max()).astype(np.float32)


def write_song_folder(
    directory: str | os.PathLike,
    songs_per_genre: int = 10,
    seconds: float = 8.0,
    seed: int = 0,
) -> list[Path]:
    """Writes ``directory/GENRE/GENRE_NN.wav`` (16-bit) for every genre.

    Args:
        directory: A new or empty directory (created if missing).

    Returns:
        The files written, genre by genre.
    """
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise ValueError(f"{directory}: not empty; give a new or empty directory.")
    written = []
    for g, genre in enumerate(GENRES):
        (directory / genre).mkdir(parents=True, exist_ok=True)
        for i in range(songs_per_genre):
            path = directory / genre / f"{genre}_{i:02d}.wav"
            y = song(genre, seconds, seed=(seed, g, i))
            soundfile.write(path, y, SAMPLE_RATE, subtype="PCM_16")
            written.append(path)
    return written
