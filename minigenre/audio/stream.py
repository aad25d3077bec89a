"""A song file as 5.94 s segments at 44.1 kHz, read a block at a time.

`load_audio` returns a song's whole excerpt, up to 10 minutes: 106 MB of float32 at
44.1 kHz, on top of the 230 MB librosa, numba and SciPy take once loaded. The
features only ever look at one 5.94 s segment at a time, so `song_segments` hands
them out one by one instead: memory is one decoded block, the resampler's state and
one segment, for a 30-second song as for the first 10 minutes of a 4 GB file.

The samples are the same bits as `load_audio`'s: each block is mixed to mono by the
same mean, and soxr's streaming resampler, fed block by block, gives the same output
as ``librosa.resample`` (soxr_hq, the one librosa calls) on the whole signal,
trimmed or zero-padded to the same length (tests/audio/test_stream.py compares them).

The file is read twice: once to check it (finite, not far beyond full scale, long
enough, not silent; the same one-line errors as `load_audio`) before any analysis,
then once more for the segments.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soxr

from minigenre.audio.loudness import SAMPLE_RATE, SEGMENT_LENGTH
from minigenre.audio.rhythm import segment_starts
from minigenre.audio.signal import (
    check_length,
    check_not_silent,
    check_samples,
    mono_blocks,
    read_header,
    unreadable,
)


def song_segments(path: str | os.PathLike) -> Iterator[np.ndarray]:
    """The segments of a song file the features describe, one at a time.

    The same segments as ``rhythm.segments(load_audio(path))``, in order.

    Args:
        path: A file soundfile can decode (WAV, FLAC, OGG, MP3, AIFF, ...).

    Yields:
        Mono float32 samples at 44.1 kHz, shape ``(SEGMENT_LENGTH,)`` each.

    Raises:
        ValueError: As `load_audio`, before the first segment is yielded.
    """
    path = Path(path)
    rate, frames = read_header(path)
    frames = checked_frames(path, rate, frames)
    if rate == SAMPLE_RATE:
        n_samples = frames
        samples = mono_blocks(path, frames)
    else:  # librosa.resample's length: ceil(frames * ratio), zero-padded if short
        n_samples = int(np.ceil(frames * (float(SAMPLE_RATE) / rate)))
        samples = resampled(mono_blocks(path, frames), rate)
    n_samples = max(n_samples, SEGMENT_LENGTH)  # as prepare_signal pads
    starts = segment_starts(n_samples)
    if len(starts):
        yield from cut(samples, int(starts[0]), len(starts))


def checked_frames(path: Path, rate: int, frames: int) -> int:
    """Reads the first ``frames`` frames once, checking every block as
    `prepare_signal` checks a whole signal; returns how many the file held."""
    where, done, peak = str(path), 0, 0.0
    try:
        for block in mono_blocks(path, frames):
            peak = max(peak, check_samples(block, where))
            done += len(block)
    except (RuntimeError, OSError, EOFError) as err:  # soundfile's, not a check's
        raise unreadable(path, err) from None
    check_length(done, rate, where)
    check_not_silent(peak, where)
    return done


def resampled(blocks: Iterator[np.ndarray], rate: int) -> Iterator[np.ndarray]:
    """``blocks`` at ``rate`` Hz resampled to 44.1 kHz as they come (soxr_hq)."""
    stream = soxr.ResampleStream(rate, SAMPLE_RATE, 1, dtype="float32", quality="HQ")
    for block in blocks:
        yield stream.resample_chunk(block, last=False)
    yield stream.resample_chunk(np.zeros(0, np.float32), last=True)


def cut(samples: Iterator[np.ndarray], first: int, count: int) -> Iterator[np.ndarray]:
    """``count`` consecutive segments from sample ``first`` on; zeros after the end
    of ``samples`` (as ``librosa.util.fix_length`` pads)."""
    buffer, skip = np.zeros(0, np.float32), first
    for block in samples:
        if skip:
            block, skip = block[skip:], max(skip - len(block), 0)
        buffer = np.concatenate([buffer, block]) if len(buffer) else block
        whole = min(len(buffer) // SEGMENT_LENGTH, count)
        for i in range(whole):  # views of the buffer, not copies
            yield buffer[i * SEGMENT_LENGTH : (i + 1) * SEGMENT_LENGTH]
        buffer, count = buffer[whole * SEGMENT_LENGTH :], count - whole
        if not count:
            return
    tail = np.zeros(count * SEGMENT_LENGTH, np.float32)  # fix_length's zeros
    tail[: len(buffer)] = buffer
    for i in range(count):
        yield tail[i * SEGMENT_LENGTH : (i + 1) * SEGMENT_LENGTH]
