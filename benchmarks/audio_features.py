"""How long the 264 features of a 30-second song take, on one core, warm and cold.

Run ``python benchmarks/audio_features.py`` (about 30 s; ``--first-ever`` adds a run
that compiles librosa's numba functions from scratch, about 30 s more). The song is
synthesized (`minigenre.audio.synth`) and written as a 16-bit 44.1 kHz WAV file.

* warm: in this process, after one unrecorded call: the whole ``extract_features``
  on the file, and its parts (decoding, the SSD, chroma, MFCC) on their own.
* cold: a new Python process per run that imports minigenre.audio and extracts the
  features of the file once, timed from outside, with numba's cache as installed:
  what one ``minigenre predict RUN --audio song.wav`` pays before its first song.
* first ever: the same with an empty numba cache, as on the first call after
  installing librosa.

The process is pinned to one CPU (its children inherit that), and BLAS runs on one
thread; the machine, versions and load averages are printed with the table. Each
row gives the median wall time with its range, and the median CPU time, which other
programs on a shared core do not inflate.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import librosa
import numba
import numpy as np
import soundfile
from machine import cpu_name
from threadpoolctl import threadpool_limits

from minigenre import __version__
from minigenre.audio import extract_features, load_audio, synth
from minigenre.audio.loudness import SAMPLE_RATE
from minigenre.audio.rhythm import segments, spectrum_descriptor
from minigenre.audio.tonal import chroma, mfcc, segment_frames

COLD = (
    "import sys, time; start, cpu = time.perf_counter(), time.process_time()\n"
    "from minigenre.audio import extract_features\n"
    "extract_features(sys.argv[1])\n"
    "print(time.perf_counter() - start, time.process_time() - cpu)\n"
)


def _stats(times: list[tuple[float, float]]) -> str:
    wall = [w for w, _ in times]
    cpu = statistics.median(c for _, c in times)
    return (
        f"{statistics.median(wall):8.3f} s  (min {min(wall):.3f}, max "
        f"{max(wall):.3f}, n={len(wall)}); CPU {cpu:.3f} s"
    )


def warm(path: Path, repeats: int) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds per call of each part, one unrecorded round first,
    interleaved. CPU time counts only this process's work, so it holds steady
    when other programs share the core."""
    y = load_audio(path)
    parts = segments(y)  # chroma and MFCC are computed segment by segment
    cases = {
        "extract_features(file)": lambda: extract_features(path),
        "  decode + resample": lambda: load_audio(path),
        "  SSD (NumPy)": lambda: spectrum_descriptor(y),
        "  chroma (librosa)": lambda: segment_frames(parts, chroma),
        "  MFCC (librosa)": lambda: segment_frames(parts, mfcc),
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for rep in range(repeats + 1):
        for name, case in cases.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            case()
            if rep > 0:
                cpu = time.process_time() - start_cpu
                times[name].append((time.perf_counter() - start, cpu))
    return times


def cold(path: Path, repeats: int, numba_cache: str | None = None) -> dict:
    """Wall time of new processes, and the time they report inside themselves."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    if numba_cache is not None:
        env["NUMBA_CACHE_DIR"] = numba_cache
    process, inside = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run(
            [sys.executable, "-c", COLD, str(path)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        process.append((time.perf_counter() - start, cpu))
        wall_inside, cpu_inside = map(float, result.stdout.split())
        inside.append((wall_inside, cpu_inside))
    return {"process": process, "import + first song": inside}


def _environment() -> list[str]:
    cpu = cpu_name()
    return [
        f"machine: {cpu}, {os.cpu_count()} CPUs, running on CPUs "
        f"{sorted(os.sched_getaffinity(0))}; load average "
        f"{', '.join(f'{v:.2f}' for v in os.getloadavg())}",
        f"versions: minigenre {__version__}, python {platform.python_version()}, "
        f"numpy {np.__version__}, librosa {librosa.__version__}, numba "
        f"{numba.__version__}, soundfile {soundfile.__version__} (libsndfile "
        f"{soundfile.__libsndfile_version__})",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cold-repeats", type=int, default=3)
    parser.add_argument("--first-ever", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "song.wav"
        y = synth.song("techno", args.seconds, seed=0)
        soundfile.write(path, y, SAMPLE_RATE, subtype="PCM_16")
        with threadpool_limits(limits=1, user_api="blas"):
            rows = warm(path, args.repeats)
        rows |= {f"cold: {k}": v for k, v in cold(path, args.cold_repeats).items()}
        if args.first_ever:
            first = cold(path, 1, numba_cache=str(Path(tmp) / "numba"))
            rows |= {f"first ever: {k}": v for k, v in first.items()}
    print(f"Features of a {args.seconds:g} s song (44.1 kHz, 16-bit WAV), one core")
    for line in _environment():
        print(line)
    print()
    for name, seconds in rows.items():
        print(f"{name:<36}{_stats(seconds)}")
    return 0


if __name__ == "__main__":
    if hasattr(os, "sched_setaffinity"):  # one core, for this process and children
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    sys.exit(main())
