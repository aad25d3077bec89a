"""Adam's update in NumPy with its temporaries in preallocated buffers.

``optimizers.Adam.update_step`` is the reference: three lines of operators, and
every operator returns a new array. For the study's network those are 35,210
weights, 140 KB per temporary, eight temporaries per step; allocating and freeing
them cost more than the arithmetic (measured: 79 us per step inside a study fit,
60 us with the buffers below; the tight NumPy loop of ``benchmarks/bench_peers.py``
does the latter). The function below performs the same NumPy operations on the
same operands, in the same order and dtype, writing each result into a scratch
vector instead of a new array: the same bits, which ``jit.py`` checks on a probe
before using it (so an edited ``update_step`` trains as edited) and
``tests/core/speed/test_adam_buffered.py`` checks over many settings.
"""

from __future__ import annotations

import numpy as np


def adam_update(
    w, g, m, v, alpha, one_minus_beta_1, one_minus_beta_2, epsilon, out=None
) -> None:
    """Adam's three lines on one array, in place. ``out``: two scratch arrays of
    ``w``'s shape and dtype (None: new ones). The scalars: ``update_step``'s."""
    s, r = (np.empty_like(w), np.empty_like(w)) if out is None else out
    np.subtract(g, m, out=s)  # m += (g - m) * (1 - beta_1)
    s *= one_minus_beta_1
    m += s
    np.multiply(g, g, out=s)  # v += (g * g - v) * (1 - beta_2)
    s -= v
    s *= one_minus_beta_2
    v += s
    np.multiply(m, alpha, out=s)  # w -= (m * alpha) / (np.sqrt(v) + epsilon)
    np.sqrt(v, out=r)
    r += epsilon
    s /= r
    w -= s


def scratch_for(weights: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Two scratch vectors (size,) per weight array, allocated once per choice."""
    return [(np.empty(w.size, w.dtype), np.empty(w.size, w.dtype)) for w in weights]
