"""Audio in: a file or a NumPy signal, checked, mixed to mono and resampled to 44.1 kHz.

Files are decoded by soundfile (libsndfile): WAV, FLAC, OGG/Vorbis, Opus, AIFF, ...
and MP3 with libsndfile 1.1 or newer (the one inside soundfile's wheels). Every way
a file or a signal can be unusable becomes one ``ValueError`` (``TypeError`` for a
wrong type) that says what and where: missing, not a regular file, unreadable, not
audio, non-finite, far beyond full scale, silent, or shorter than the 5.94 s one
rhythm segment needs. A file is decoded a block at a time and at most its first
``MAX_SECONDS``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import librosa
import numpy as np
import soundfile

from minigenre.audio.loudness import SAMPLE_RATE, SEGMENT_LENGTH
from minigenre.saving.files import check_readable_file

MIN_SECONDS = SEGMENT_LENGTH / SAMPLE_RATE  # 5.94 s
# Quieter than the smallest step of 16-bit audio everywhere: nothing to describe.
SILENCE_LEVEL = 2.0**-15
MIN_RATE, MAX_RATE = 1000, 768_000  # Hz: what any audio file or device uses
# Longer songs are analysed on their first 10 minutes: the features describe
# 5.94 s segments, and memory grows with the length analysed (about 470 MB of
# peak RSS at 10 minutes). Above 48 kHz the excerpt is MAX_FRAMES frames.
MAX_SECONDS = 600
MAX_FRAMES = MAX_SECONDS * 48_000
MAX_CHANNELS = 1024
# Float files may clip above 1.0; 2**16 is int16 data written unscaled.
MAX_AMPLITUDE = 2**16
BLOCK_VALUES = 2**18  # values decoded at a time, all channels together (1 MiB)


def load_audio(path: str | os.PathLike) -> np.ndarray:
    """Reads an audio file as the features need it: mono float32 at 44.1 kHz.

    The header is read first (rate, channels, length); then at most the first
    ``MAX_SECONDS`` (10 minutes, and at most ``MAX_FRAMES`` frames) are decoded,
    a block at a time, each block mixed to mono as it comes: memory depends on
    neither the song's length beyond that nor its number of channels.

    Args:
        path: A file soundfile can decode (WAV, FLAC, OGG, MP3, AIFF, ...).

    Returns:
        Samples in [-1, 1], shape ``(n,)``: the channels averaged, resampled to
        44 100 Hz if the file has another rate.

    Raises:
        ValueError: If the file is missing, not decodable audio, silent or shorter
            than 5.94 s; the message starts with the path.
    """
    path = Path(path)
    rate, frames = read_header(path)
    try:
        mono = decode_mono(path, frames)
    except (RuntimeError, OSError, ValueError, EOFError) as err:
        raise unreadable(path, err) from None
    return prepare_signal(mono, rate, where=str(path))


def read_header(path: Path) -> tuple[int, int]:
    """The file's rate and how many of its frames are analysed: the header's
    length, at most ``MAX_SECONDS`` and ``MAX_FRAMES``."""
    check_readable_file(path)
    try:
        info = soundfile.info(os.fsencode(path))  # the header only
        rate = info.samplerate
        if not MIN_RATE <= rate <= MAX_RATE or not 1 <= info.channels <= MAX_CHANNELS:
            raise ValueError(f"{rate} Hz, {info.channels} channels")
    except (RuntimeError, OSError, ValueError, EOFError) as err:
        raise unreadable(path, err) from None
    return rate, min(info.frames, MAX_SECONDS * rate, MAX_FRAMES)


def unreadable(path: Path, err: BaseException) -> ValueError:
    """The one line for a file soundfile cannot read."""
    # libsndfile's own words ("Format not recognised."), without the path again.
    reason = getattr(err, "error_string", None) or str(err) or type(err).__name__
    reason = reason.splitlines()[0].rstrip(".")
    return ValueError(f"{path}: not a readable audio file ({reason}).")


def decode_mono(path: Path, frames: int) -> np.ndarray:
    """The first ``frames`` frames of ``path``, channels averaged, float32 (n,)."""
    mono = np.empty(frames, np.float32)
    done = 0
    for block in mono_blocks(path, frames):
        mono[done : done + len(block)] = block
        done += len(block)
    return mono[:done]  # a header may promise more frames than the file holds


def mono_blocks(path: Path, frames: int) -> Iterator[np.ndarray]:
    """The first ``frames`` frames of ``path`` a block at a time, each mixed to
    mono float32 as it comes (at most ``BLOCK_VALUES`` values decoded at once)."""
    with soundfile.SoundFile(os.fsencode(path)) as f:
        block = max(1, BLOCK_VALUES // f.channels)  # (block, channels) <= 1 MiB
        for part in f.blocks(block, frames=frames, dtype="float32", always_2d=True):
            # (block, channels) -> (block,): the same mean prepare_signal takes.
            yield part.T.mean(axis=0)


def prepare_signal(y, sr: int, where: str = "audio") -> np.ndarray:
    """Checks a signal and returns it as mono float32 at 44.1 kHz.

    Args:
        y: Samples in [-1, 1], shape ``(n,)`` or ``(channels, n)`` (librosa's
            layout), floating point; ``int16`` data must be scaled first
            (``y / 32768``).
        sr: Its sample rate in Hz, an integer from 1000 to 768 000.
        where: What to call the signal in error messages, e.g. its file name.

    Returns:
        Shape ``(n_44k,)``, float32.

    Raises:
        TypeError: If ``y`` is not floating point or ``sr`` not an integer.
        ValueError: If the shape is wrong, a sample is NaN or infinite, or the
            signal is silent or shorter than 5.94 s.
    """
    if isinstance(sr, bool) or not isinstance(sr, int | np.integer):
        raise TypeError(f"sr must be an integer (Hz). Received: sr={sr!r}")
    if not MIN_RATE <= sr <= MAX_RATE:  # 1 Hz would "resample" to 44100x the data
        raise ValueError(
            f"{where}: the sample rate must be in [{MIN_RATE}, {MAX_RATE}] Hz. "
            f"Received: sr={sr}"
        )
    y = np.asarray(y)
    if y.dtype.kind != "f":
        raise TypeError(
            f"{where}: samples must be floating point in [-1, 1] (scale int16 data "
            f"by 1/32768). Received: dtype={y.dtype}"
        )
    if y.ndim not in (1, 2) or 0 in y.shape[:-1]:
        raise ValueError(
            f"{where}: samples must have shape (n,) or (channels, n). "
            f"Received: shape={y.shape}"
        )
    check_samples(y, where)
    check_length(y.shape[-1], sr, where)
    mono = y.astype(np.float32).mean(axis=0) if y.ndim == 2 else y.astype(np.float32)
    check_not_silent(float(np.abs(mono).max()), where)
    if sr != SAMPLE_RATE:
        mono = librosa.resample(mono, orig_sr=int(sr), target_sr=SAMPLE_RATE)
    if len(mono) < SEGMENT_LENGTH:  # rounding in the resampler: at most a sample
        mono = np.pad(mono, (0, SEGMENT_LENGTH - len(mono)))
    return mono


def check_samples(y: np.ndarray, where: str) -> float:
    """Returns the peak of ``|y|``; raises if a sample is NaN, infinite or far
    beyond full scale."""
    if not np.isfinite(y).all():
        raise ValueError(f"{where}: the samples contain NaN or infinity.")
    peak = float(np.abs(y).max(initial=0.0))
    if peak > MAX_AMPLITUDE:  # squared in the spectra, it would overflow
        raise ValueError(
            f"{where}: samples reach {peak:.3g}, far beyond full scale [-1, 1] "
            f"(at most {MAX_AMPLITUDE} is analysed)."
        )
    return peak


def check_length(n: int, sr: int, where: str) -> None:
    """Raises if ``n`` samples at ``sr`` Hz are shorter than one rhythm segment."""
    seconds = n / sr
    if seconds < MIN_SECONDS:
        raise ValueError(
            f"{where}: too short: {seconds:.2f} s of audio; the features need at "
            f"least {MIN_SECONDS:.2f} s (one 2**18-sample rhythm segment at 44.1 kHz)."
        )


def check_not_silent(peak: float, where: str) -> None:
    """Raises if the mono signal's peak ``peak`` is below `SILENCE_LEVEL`."""
    if peak < SILENCE_LEVEL:
        raise ValueError(
            f"{where}: the audio is silent (no sample reaches 1/32768 of full scale)."
        )
