"""Checks of tutorial 8, from a song to 264 numbers (the ``audio`` extra).

``minigenre.audio`` (and librosa) is imported inside the check only, so that the
course, and ``minigenre check`` for the other tutorials, never needs the extra.
"""

from __future__ import annotations

import numpy as np

from minigenre.course.verdict import Wrong


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
