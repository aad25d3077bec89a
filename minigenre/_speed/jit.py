"""When Adam uses its compiled update (``_adam_compiled.py``, the ``fast`` extra).

The compiled loop gives the same bits as the NumPy update in ``optimizers.py``, in
a fifth of the time, but loading it is not free: importing numba and loading the
loop from its cache take about 0.4 s per process (0.6 s the first time on a
machine, when numba compiles it). ``compile(jit_compile="auto")`` decides as
in the ski-rental problem: keep paying for the NumPy update ("renting") until the
time the compiled one would have saved in this process equals what loading costs,
then load it ("buying"). That never costs more than twice the better choice made
in hindsight: a single study fit (440 steps) never loads it; a long run, or a
process that fits many models, soon does. ``True`` loads it at the first step,
``False`` never. Which one runs never changes a result, only the time.
"""

from __future__ import annotations

import functools
import importlib.util

import numpy as np
from numpy.typing import NDArray

# Loading costs 0.4-0.6 s (importing numba, then loading the loop from its cache, or
# compiling it the first time); the compiled update saves 1.0-1.25 ns per weight per
# step (a 4-epoch study fit, 440 steps of 35,210 weights: 78.2 -> 63.3 ms and
# 83.9 -> 64.6 ms in two runs of benchmarks/bench.py on the 2-core development
# machine). So rent for about 0.45 s / 1.1 ns weight-updates: 26 study fits.
LOAD_COST_UPDATES = 4 * 10**8

_kernels = None  # the module _adam_compiled, once loaded
_unloadable: str | None = None  # why loading it failed, if it did
_rented = 0  # weight-updates done by NumPy in this process while "auto" waited


@functools.cache  # asked once per process: find_spec searches sys.path
def installed() -> bool:
    """Whether numba (the ``fast`` extra) can be imported, without importing it."""
    return importlib.util.find_spec("numba") is not None


def check_jit_compile(jit_compile) -> bool | str:
    """Validates ``compile``'s ``jit_compile``: ``True``, ``False`` or ``"auto"``."""
    if not (isinstance(jit_compile, bool) or jit_compile == "auto"):
        raise ValueError(
            'jit_compile must be True, False or "auto". '
            f"Received: jit_compile={jit_compile!r}"
        )
    if jit_compile is True and not installed():
        raise ValueError(
            'jit_compile=True needs numba: pip install "minigenre[fast]" (or use '
            '"auto", which runs the NumPy update without it).'
        )
    return jit_compile


def adam_kernels(jit_compile, *arrays: list[NDArray]):
    """The module of compiled kernels, or None for the NumPy update.

    ``arrays`` are Adam's lists: weights, gradients, momentums, velocities. The
    compiled loop takes C-contiguous float32 or float64 arrays, all of the weights'
    dtype (``Sequential``'s flat vectors always are); anything else gets the NumPy
    update. While ``jit_compile`` is ``"auto"``, every weight updated counts as rent.
    """
    global _rented
    if jit_compile is False:
        return None
    if _kernels is None:
        if jit_compile == "auto":
            for w in arrays[0]:
                _rented += w.size
            if _rented < LOAD_COST_UPDATES or not installed() or _unloadable:
                return None
        if not _compilable(arrays):
            return None
        _load(jit_compile)
    return _kernels if _kernels is not None and _compilable(arrays) else None


def _load(jit_compile) -> None:
    """Imports the compiled loop. If numba cannot load it (no writable cache
    directory, for one), "auto" keeps the NumPy update for the rest of the process
    and ``True`` says why."""
    global _kernels, _unloadable
    try:
        from minigenre import _adam_compiled
    except Exception as err:  # numba raises RuntimeError, OSError and its own
        _unloadable = f"{type(err).__name__}: {err}"
        if jit_compile is True:
            raise ValueError(
                f"jit_compile=True: numba could not load Adam's compiled update "
                f'({_unloadable}); jit_compile="auto" or False runs the NumPy '
                "update."
            ) from None
        return
    _kernels = _adam_compiled


def _compilable(arrays: tuple[list[NDArray], ...]) -> bool:
    dtype = arrays[0][0].dtype
    return dtype in (np.float32, np.float64) and all(
        a.dtype == dtype and a.flags.c_contiguous for group in arrays for a in group
    )
