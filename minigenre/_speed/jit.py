"""Which form of Adam's update runs: ``update_step`` itself, or the compiled loop
(``adam_compiled.py``, the ``fast`` extra) with its bits.

``Adam.update_step`` (``minigenre/optimizers/adam.py``) is the reference: three lines of
NumPy, twelve passes over the weights per step. The compiled loop does the same
operations in the same order and dtype in one pass: the same bits, in a fifth of
the time. Loading it is not free: importing numba and loading the loop from its
cache take about 0.4 s per process (0.6 s the first time on a machine, when numba
compiles it). So ``jit_compile`` chooses, once per fit (``fit`` and
``train_on_batch`` call ``choose_for_fit`` before their first step) or at an
optimizer's first step, never in between:

* ``False``: ``update_step``, always;
* ``True``: the compiled loop from the first step;
* ``"auto"``: ``update_step`` until the training of this process, the coming fit
  included (its steps are known in advance), reaches ``LOAD_COST_UPDATES``
  weight-updates, what loading costs; then the compiled loop. A single study fit
  (440 steps) never loads it; a long fit, or a process that fits many models,
  soon does.

Before the compiled loop is used, ``agrees`` runs it and ``update_step`` on a
probe and compares the bits: a learner who edits ``update_step`` trains with the
edit (``False`` and ``"auto"`` run it; ``True`` says in one line that the compiled
loop differs). (``update_step``'s operations with their temporaries in buffers
allocated once took 60 instead of 79 us per study step, but no fit measurably
faster; the readable update is what runs without the compiled loop.)
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

_state = {"kernels": None, "unloadable": None, "rented": 0}


@functools.cache  # asked once per process: find_spec searches sys.path
def installed() -> bool:
    """Whether numba (the ``fast`` extra) can be imported, without importing it."""
    return importlib.util.find_spec("numba") is not None


def check_jit_compile(jit_compile) -> bool | str:
    """Validates ``compile``'s ``jit_compile``: ``True``, ``False`` or ``"auto"``
    (NumPy's ``True`` and ``False`` too, returned as Python's)."""
    if isinstance(jit_compile, np.bool_):
        jit_compile = bool(jit_compile)
    if not (
        isinstance(jit_compile, bool)
        or (isinstance(jit_compile, str) and jit_compile == "auto")
    ):
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


def may_compile(jit_compile) -> bool:
    """Whether compiled code may run now: ``True``, or ``"auto"`` once paid for."""
    if jit_compile is True:
        return True
    paid = _state["rented"] >= LOAD_COST_UPDATES and not _state["unloadable"]
    return jit_compile == "auto" and paid and installed()


def choose_for_fit(optimizer, weights: list[NDArray], steps: int) -> None:
    """Chooses the optimizer's update for a fit of ``steps`` steps on ``weights``.

    Under ``"auto"`` the fit's weight-updates count as rent; the compiled loop is
    chosen once the rent, this fit included, reaches the cost of loading it.
    """
    if optimizer.jit_compile == "auto" and _state["kernels"] is None:
        _state["rented"] += steps * sum(w.size for w in weights)
    if not hasattr(optimizer, "fast_update"):
        return  # SGD: no faster form
    if optimizer.momentums:
        optimizer.fast_update = faster_adam_update(optimizer, weights)
    else:
        optimizer.build(weights)  # the first step's zeros, and the choice, now


def faster_adam_update(optimizer, weights: list[NDArray]):
    """The compiled loop for ``optimizer.update_step`` on ``weights`` when
    ``jit_compile`` asks for it and ``agrees`` finds its bits on a probe equal to
    ``update_step``'s; else None (``update_step`` runs), also for arrays it cannot
    take (not C-contiguous, not float32/64, mixed dtypes)."""
    if not _compilable(weights):
        return None
    return _compiled_update(optimizer, weights)


def _compiled_update(optimizer, weights: list[NDArray]):
    """The compiled loop for ``weights``, or None: for ``False``, for ``"auto"``
    before the rent is paid, and when ``agrees`` finds the compiled loop's bits
    differ (``True`` then says so)."""
    mode = optimizer.jit_compile
    if mode is False:
        return None
    if mode == "auto" and (
        _state["rented"] < LOAD_COST_UPDATES or not installed() or _state["unloadable"]
    ):
        return None
    kernels = _load(mode)
    if kernels is None:
        return None
    if not agrees(optimizer, kernels.adam_update, weights[0].dtype):
        if mode is True:
            raise ValueError(
                "jit_compile=True: Adam's compiled update does not give the bits of "
                f"{type(optimizer).__name__}.update_step (was it edited?); "
                "jit_compile=False runs update_step itself."
            )
        return None

    return _per_array(optimizer, kernels.adam_update)


def dtype_scalars(optimizer, dtype) -> tuple:
    """The compiled loop's scalars: ``1 - beta_1``, ``1 - beta_2``, ``epsilon``
    in the weights' dtype (numba types a loop by its arguments)."""
    t = dtype.type
    return t(1 - optimizer.beta_1), t(1 - optimizer.beta_2), t(optimizer.epsilon)


class LoopScalars:
    """``dtype_scalars(optimizer, dtype)``, computed again only when the dtype or
    the settings they come from change (every step asks for them)."""

    def __init__(self, optimizer) -> None:
        self.optimizer = optimizer
        self.key: tuple | None = None  # (dtype, beta_1, beta_2, epsilon)
        self.values: tuple = ()

    def __call__(self, dtype) -> tuple:
        opt = self.optimizer
        key = (dtype, opt.beta_1, opt.beta_2, opt.epsilon)
        if key != self.key:
            self.key, self.values = key, dtype_scalars(opt, dtype)
        return self.values


def _per_array(optimizer, update):
    """``fast_update(ws, gs, alpha)``: ``update(w, g, m, v, alpha, *scalars)`` on
    the (size,) views of each array it can take; ``update_step`` on any other
    (e.g. gradients of another dtype).

    ``fit`` passes the same flat vectors every step: each array's check and views
    are kept from the last call while its arrays stay the same objects, and the
    scalars while the dtype and the settings they come from stay the same.
    """
    last: dict[int, tuple] = {}  # i -> ((w, g, m, v), their views or None)
    loop_scalars = LoopScalars(optimizer)

    def fast_update(ws, gs, alpha) -> None:
        scalars = loop_scalars(ws[0].dtype)
        arrays = zip(ws, gs, optimizer.momentums, optimizer.velocities, strict=True)
        for i, (w, g, m, v) in enumerate(arrays):
            seen = last.get(i)
            if seen is None or not _same((w, g, m, v), seen[0]):
                seen = last[i] = ((w, g, m, v), _flat_views((w, g, m, v)))
            if seen[1] is None:
                optimizer.update_step(w, g, m, v, alpha)
            else:
                update(*seen[1], alpha, *scalars)

    return fast_update


def _flat_views(arrays: tuple) -> list[NDArray] | None:
    """(size,) views of ``(w, g, m, v)`` if the compiled loop takes them, else
    None."""
    if not _compilable(list(arrays)):
        return None
    return [a.reshape(-1) for a in arrays]  # views of C-contiguous arrays, no copy


def _same(arrays: tuple, others: tuple) -> bool:
    w, g, m, v = arrays
    return w is others[0] and g is others[1] and m is others[2] and v is others[3]


def probe_arrays(dtype: np.dtype) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """``(w, g, m, v)`` of the probes of Adam's faster forms: 257 weights, their
    gradients tiny, huge, negative and one zero, the state as after some steps;
    the same every time."""
    rng = np.random.default_rng(0)
    g = (rng.standard_normal(257) * np.logspace(-8, 8, 257)).astype(dtype)
    g[0] = 0
    w = rng.standard_normal(257).astype(dtype)
    return w, g, (g * dtype.type(0.3)).astype(dtype), (g * g).astype(dtype)


def agrees(optimizer, update, dtype: np.dtype) -> bool:
    """Whether ``update(w, g, m, v, alpha, *dtype_scalars(optimizer, dtype))``
    gives ``optimizer.update_step``'s bits on ``probe_arrays`` at step 3."""
    w0, g, m0, v0 = probe_arrays(dtype)
    alpha = dtype.type(optimizer.learning_rate) * dtype.type(0.7)
    mine = [w0.copy(), g, m0.copy(), v0.copy()]
    theirs = [w0.copy(), g, m0.copy(), v0.copy()]
    with np.errstate(all="ignore"):
        optimizer.update_step(*mine, alpha)
        update(*theirs, alpha, *dtype_scalars(optimizer, dtype))
    return all(
        a.dtype == b.dtype and a.tobytes() == b.tobytes()
        for a, b in zip(mine, theirs, strict=True)
    )


def loaded_kernels():
    """``adam_compiled``'s module if this process loaded it, else None."""
    return _state["kernels"]


def _load(jit_compile):
    """The compiled loop's module. If numba cannot load it (no writable cache
    directory, for one), "auto" keeps the NumPy update for the rest of the process
    and ``True`` says why."""
    if _state["kernels"] is not None:
        return _state["kernels"]
    try:
        from minigenre._speed import adam_compiled
    except Exception as err:  # numba raises RuntimeError, OSError and its own
        _state["unloadable"] = f"{type(err).__name__}: {err}"
        if jit_compile is True:
            raise ValueError(
                f"jit_compile=True: numba could not load Adam's compiled update "
                f'({_state["unloadable"]}); jit_compile="auto" or False runs the '
                "NumPy update."
            ) from None
        return None
    _state["kernels"] = adam_compiled
    return adam_compiled


def _compilable(arrays: list[NDArray]) -> bool:
    dtype = arrays[0].dtype
    return dtype in (np.float32, np.float64) and all(
        a.dtype == dtype and a.flags.c_contiguous for a in arrays
    )
