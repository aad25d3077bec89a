"""Checks of tutorial 8, from a song to 264 numbers (the ``audio`` extra).

``minigenre.audio`` (and librosa) is imported inside the check only, so that the
course, and ``minigenre check`` for the other tutorials, never needs the extra.
"""

from __future__ import annotations

import numpy as np

from minigenre.course.verdict import Wrong, as_array, same


def check_loudest_band(fn, ns) -> str:
    from minigenre.audio import loudness, synth

    lower_edges = np.concatenate([[0], loudness.BARK_EDGES[:-1]])
    for frequency, band in [(440, 5), (1000, 9), (3000, 16)]:
        got = fn(synth.tone(frequency, 7.0))
        if np.ndim(got) != 0:
            raise Wrong(
                f"loudest_band(a {frequency} Hz tone) returned shape {np.shape(got)}: "
                "return one band number"
            )
        if got == band - 1:
            raise Wrong(
                f"a {frequency} Hz tone: band {got}, counted from 0; the bands are "
                "numbered from 1 (ssd_mean_bark01 is band 1): add 1"
            )
        if got != band:
            raise Wrong(
                f"a {frequency} Hz tone: band {got}; expected {band}, the band from "
                f"{lower_edges[band - 1]:g} to {loudness.BARK_EDGES[band - 1]:g} Hz "
                "(take the argmax of the 24 mean loudness columns)"
            )
    return "each tone is loudest in the band that holds its frequency"


def check_frame_count(fn, ns) -> str:
    cases = [(1000, 100, 50), (1024, 1024, 512), (99, 100, 50), (22050 * 30, 2048, 512)]
    for n, frame, hop in cases:
        want = 0 if n < frame else 1 + (n - frame) // hop  # whole frames only
        got = fn(n, frame, hop)
        if got == n // hop:
            raise Wrong(
                f"{n} samples, frame {frame}, hop {hop}: n // hop counts frame starts "
                "that run past the end; a frame must fit whole"
            )
        if got != want:
            raise Wrong(f"frame_count({n}, {frame}, {hop}) = {got}; expected {want}")
    return "1 + (n - frame) // hop whole frames, none past the end"


def check_power_to_db(fn, ns) -> str:
    power = np.array([1.0, 10.0, 0.5, 1e-3])
    got = as_array(fn(power.copy(), 0.5), "the levels", power.shape, "one per power")
    want = 10 * np.log10(power / 0.5)
    if same(got, 2 * want):
        raise Wrong("20 log10 is for amplitudes; a power is already squared: 10 log10")
    if same(got, 10 * np.log10(power)):
        raise Wrong("relative to the reference: divide by ref first")
    if same(got, 10 * np.log(power / 0.5)):
        raise Wrong("decibels use log base 10")
    if not same(got, want):
        raise Wrong(
            f"expected {want.round(3).tolist()} dB, got {got.round(3).tolist()}"
        )
    return "10 dB per factor of 10 in power: 3 dB is twice the power"
