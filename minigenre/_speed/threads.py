"""How many threads NumPy's BLAS gets while ``fit``, ``evaluate`` or ``predict`` runs.

NumPy's BLAS (OpenBLAS in NumPy's wheels) starts one thread per core and splits
every matrix product between them. For the study's network that is a loss: a batch
of 32 makes products of ~1 million multiply-adds, too small to share, and when
another process holds a core, each product waits for a descheduled thread (measured
on 2 cores with one busy: a 4-epoch fit 0.25 s on one thread, 3.2 s on two). A
large product can pay for a second thread, so the count follows the size of the
largest matrix product of the call::

    threads = clamp(multiply_adds // PARALLEL_WORK, 1, the pool's current size)

Measured on the 2-core development machine (``benchmarks/thread_rule.py``, predicts
through ``Dense(1024)`` and ``Dense(4096)``; medians of interleaved runs, with other
jobs on the machine): products of 2**28 to 2**30 multiply-adds ran 1.8x faster on
two threads when the machine was idle, but 1.3-2.5x slower with the other core
busy; from 2**31 (~50 ms on one thread) two threads were 1.7-1.9x faster idle (in
three sizes of four; 0.8x in one) and 0.8-1.05x busy. Smaller products lose more:
4x slower at 2**25 with a core busy. So one thread per 2**30 multiply-adds: the
second from 2**31.

Re-measured for ``predict``'s products (``benchmarks/thread_rule.py``, two threads
fixed with ``set_blas_threads``): the study's network predicting 6544 rows in chunks
of 1024 to 6544 rows (2**25 to 2**27.7), readable or compiled, ran 1.4-1.5x faster
on two threads idle and 0.6-1.3x (four of six slower) with one core busy; products of
2**28 to 2**30 1.5x idle, 0.5-0.7x busy; 2**32 and 2**34 1.8x idle, 0.8-0.9x busy.
So from ``SHARE_WORK`` (2**24) multiply-adds a call takes a second thread when a
core is free at that moment (``free_cores``: the CPUs this process may use minus
the other processes' tasks the kernel has runnable right now, from ``/proc``); a
busy machine keeps the rule above. For the study's network that
is ``predict`` and ``evaluate`` in chunks of 1024 rows (2**25); a training batch
of 32 rows (2**20) never shares. Where ``/proc/loadavg`` cannot be read (not
Linux), the rule above alone decides. (Until the free cores were read first and
the process's threads only when none was free, a process of more than 16 threads,
TensorFlow or JAX loaded, was not looked at and kept one thread: with JAX loaded,
the study's compiled predict of 6544 rows took 7.2 ms where PyTorch's forward took
5.9; now 5.9 ms against 7.0, medians of 30 calls, one process, load 0.7.)

The user's choice wins: if they set one of ``USER_VARIABLES`` (read by the BLAS when
NumPy loads it) the pool is left alone, and ``set_blas_threads(n)`` fixes the count
for every call. The pool never grows beyond its size at the call (a caller's own
``threadpoolctl`` limit stays in force), and gets its previous size back after the
call. Nothing happens at import: the BLAS libraries are looked up at the first call.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from collections.abc import Iterator

import numpy as np
from threadpoolctl import ThreadpoolController

PARALLEL_WORK = 2**30  # multiply-adds of one product worth one more thread (above)
SHARE_WORK = 2**24  # multiply-adds from which a free core is worth taking (above)
MAX_TASKS = 32  # threads of this process free_cores looks through, at most
USER_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
)

_fixed: int | None = None  # set by set_blas_threads
_blas: ThreadpoolController | None = None  # the loaded BLAS libraries, found once
_spinning: set[str] = set()  # this process's threads free_cores last found running


def set_blas_threads(threads: int | None) -> None:
    """Fixes the BLAS thread count of every ``fit``, ``evaluate`` and ``predict``.

    Args:
        threads: A positive number of threads, or ``None`` for the default: one
            thread for products too small to share, more for large ones (see the
            README's Speed section). Setting ``OMP_NUM_THREADS`` or
            ``OPENBLAS_NUM_THREADS`` before starting Python also leaves the choice
            to you.
    """
    global _fixed
    if threads is not None:
        if isinstance(threads, bool) or not isinstance(threads, int | np.integer):
            raise TypeError(f"threads must be an integer. Received: {threads!r}")
        if threads < 1:
            raise ValueError(f"threads must be >= 1 or None. Received: {threads}")
        threads = int(threads)  # a NumPy integer too, as threadpoolctl takes it
    _fixed = threads


def get_blas_threads() -> int | None:
    """The count fixed by ``set_blas_threads``, or ``None`` for the default rule."""
    return _fixed


def current() -> int | None:
    """The BLAS pool's thread count now (the largest over the loaded BLAS
    libraries), or None where NumPy has no BLAS."""
    return max((lib.num_threads for lib in _controller().lib_controllers), default=None)


def _controller() -> ThreadpoolController:
    global _blas
    if _blas is None:
        # Scanning the loaded libraries costs ~0.5 ms: once per process, not per call.
        _blas = ThreadpoolController().select(user_api="blas")
    return _blas


def choose(multiply_adds: int, current: int, free: int | None = None) -> int:
    """The thread count for products of ``multiply_adds``, with ``current`` now
    and ``free`` cores idle (None: unknown).

    >>> choose(32 * 264 * 128, current=2, free=1)  # one batch of the study's network
    1
    >>> choose(1024 * 264 * 128, current=2, free=1)  # a predict chunk, a core free
    2
    >>> choose(1024 * 264 * 128, current=2, free=0)  # ... every core busy
    1
    >>> choose(2**31, current=8)
    2
    """
    threads = max(1, min(current, multiply_adds // PARALLEL_WORK))
    if free and multiply_adds >= SHARE_WORK:
        threads = max(threads, min(current, 1 + free))
    return threads


def free_cores(wanted: int | None = None) -> int | None:
    """How many of this process's CPUs no other process needs at this moment:
    their count minus the tasks the kernel has runnable (``/proc/loadavg``'s
    fourth field) that are not this process's own. The calling thread is one of
    them; only while that leaves fewer than ``wanted`` cores free (None: all of
    them) are the process's other threads looked through, those found running
    last time first (its BLAS threads may still be spinning after the last
    product), at most ``MAX_TASKS``: a process with TensorFlow or JAX loaded has
    dozens, each read costs 5-20 us, and one left unread counts as another
    process's (fewer threads, never more). None where ``/proc`` cannot be read.

    >>> free = free_cores()
    >>> free is None or 0 <= free < os.cpu_count()
    True
    """
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            runnable = int(f.read().split()[3].split("/")[0])
        cpus = len(os.sched_getaffinity(0))
        free = cpus - runnable  # this thread is one of the runnable
        wanted = cpus - 1 if wanted is None else wanted
        if free < wanted:
            me = str(threading.get_native_id())
            tasks = [t for t in os.listdir("/proc/self/task") if t != me]
            tasks.sort(key=lambda tid: tid not in _spinning)  # last time's first
            _spinning.clear()
            for tid in tasks[:MAX_TASKS]:
                if _running(f"/proc/self/task/{tid}/stat"):
                    _spinning.add(tid)
                    free += 1
                    if free >= wanted:
                        break
    except (OSError, ValueError, IndexError, AttributeError):
        return None
    return max(0, free)


def _running(stat_path: str) -> bool:
    """Whether the task of ``/proc/.../stat`` is runnable (state R)."""
    with open(stat_path, encoding="ascii", errors="replace") as f:
        return f.read().rpartition(")")[2].split()[0] == "R"  # after the name


@contextlib.contextmanager
def blas_threads(multiply_adds: int, same_bits=None) -> Iterator[None]:
    """Runs the block with the BLAS thread count for products of that size.

    ``same_bits(count)``, if given, says whether ``count`` threads give the bits
    of one for the block's work: where they would not, the rule's count falls to
    one, so a result never depends on how busy the machine was. A count the user
    fixed is kept."""
    if _fixed is None and any(os.environ.get(name) for name in USER_VARIABLES):
        yield  # the user chose through the environment
        return
    controller = _controller()
    sizes = [lib.num_threads for lib in controller.lib_controllers]
    if not sizes:  # no BLAS found (NumPy without one): nothing to choose
        yield
        return
    current = max(sizes)
    asks = _fixed is None and multiply_adds >= SHARE_WORK and current > 1
    free = free_cores(wanted=current - 1) if asks else None
    threads = _fixed or choose(multiply_adds, current, free)
    if not _fixed and threads > 1 and same_bits is not None and not same_bits(threads):
        threads = 1  # more would change the bits (a BLAS may split rows unevenly)
    if all(size == threads for size in sizes):
        yield  # already so: spare the limit's cost
        return
    with controller.limit(limits=threads):
        yield


def for_layers(
    layers: list, rows: int, same_bits=None
) -> contextlib.AbstractContextManager:
    """``blas_threads`` for a network of built ``layers`` fed ``rows`` rows at a
    time: the size of its largest matrix product decides (the one wrapper that
    ``fit``, ``evaluate``, ``predict`` and ``train_on_batch`` use)."""
    widths = [layers[0].input_width, *(layer.units for layer in layers)]
    work = rows * max(a * b for a, b in itertools.pairwise(widths))
    return blas_threads(work, same_bits)


@contextlib.contextmanager
def limited(count: int) -> Iterator[None]:
    """Runs the block on ``count`` BLAS threads, whatever the rule: for probes
    that compare thread counts."""
    with _controller().limit(limits=count):
        yield
