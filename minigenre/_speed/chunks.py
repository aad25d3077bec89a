"""Rows in large chunks for ``predict`` and ``evaluate``, with batch-by-batch numbers.

Keras predicts and evaluates in batches of 32. Every row's output depends on that
row alone, so the batch size is a cost here, not a meaning: each NumPy call has a
fixed cost, paid once per batch (measured: 6544 rows predicted in 13.2 ms in batches
of 32, in 10.0 ms at once). So float32 rows go through in chunks of about
``CHUNK_ELEMENTS`` values of the widest layer's output, memory bounded whatever the
number of rows, and the results keep the bits of batch by batch:

* a matrix product of one row goes to another BLAS routine (matrix-vector), which
  sums in another order: a lone last row of the batches (n % batch == 1) is
  computed alone here too;
* ``evaluate``'s loss is still the mean of each batch's mean, taken per batch of
  ``batch_size`` within the chunk (``batch_means``).

The BLAS picks its kernel by the size of a product, and two kernels may sum a row
in different orders: a row's bits can depend on how many rows are multiplied with
it. On one of this project's machines (OpenBLAS 0.3.31, Intel) float32 products of
the study's shapes gave the same bits in batches of 32 and in chunks, but not every
shape did (e.g. 1000 inputs into 5 units, last bit), nor float64's (e.g. 128 inputs
into 10 units); on another (the same OpenBLAS, AMD EPYC) a float32 product sums
rows in panels of 24, so in a batch of 32 rows 24-31 take the tail's kernel, and
no chunk gives those bits. So chunks are never assumed: ``plan`` probes, once per
network shape, chunk size and BLAS thread count, whether a chunk of random rows
gives the bits of those rows batch by batch (``agrees``, through ``probes.py``),
and uses the batches themselves where it does not. float64, the dtype of gradient
checks, keeps batches of ``batch_size``; ``predict(x, batch_size=32)`` always
computes Keras's batches.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

from minigenre._speed import threads
from minigenre._speed.probes import forward, inference_threads, probe_rows, remembered

CHUNK_ELEMENTS = 2**17  # 1024 rows of the study's 128 units: 0.5 MB in float32


def chunk_rows(batch_size: int, widest: int, dtype: np.dtype) -> int:
    """Rows per chunk: a multiple of ``batch_size`` near ``CHUNK_ELEMENTS / widest``.

    >>> chunk_rows(32, widest=128, dtype=np.dtype("float32"))
    1024
    """
    if dtype != np.float32:
        return batch_size  # see the module's docstring
    return max(1, CHUNK_ELEMENTS // widest // batch_size) * batch_size


def chunks(n: int, batch_size: int, rows: int) -> Iterator[slice]:
    """Slices of ``range(n)`` of ``rows`` rows (the last shorter), cut at batch
    boundaries; a lone last row of the batches stays alone (above).

    >>> list(chunks(70, 32, rows=64))
    [slice(0, 64, None), slice(64, 70, None)]
    >>> list(chunks(65, 32, rows=1024))  # 2 * 32 + 1
    [slice(0, 64, None), slice(64, 65, None)]
    """
    lone = n % batch_size == 1 and batch_size > 1  # the last batch holds one row
    end = n - 1 if lone else n
    for start in range(0, end, rows):
        yield slice(start, min(start + rows, end))
    if lone:
        yield slice(n - 1, n)


def batch_means(per_sample: np.ndarray, batch_size: int) -> list[tuple[float, int]]:
    """``(mean, rows)`` of each batch of ``batch_size`` rows, the last maybe shorter.

    Each mean has the bits of ``per_sample[i : i + batch_size].mean()``: the same
    sum over the same values, one row of the reshaped array per batch.

    >>> batch_means(np.array([1.0, 2.0, 3.0]), batch_size=2)
    [(1.5, 2), (3.0, 1)]
    """
    full = len(per_sample) // batch_size * batch_size
    means = per_sample[:full].reshape(-1, batch_size).mean(axis=1).tolist()
    result = [(mean, batch_size) for mean in means]
    if full < len(per_sample):
        result.append((float(per_sample[full:].mean()), len(per_sample) - full))
    return result


@contextlib.contextmanager
def plan(
    layers: list, n: int, batch_size: int, dtype: np.dtype, chunked: bool = True
) -> Iterator[list[slice]]:
    """The slices of ``range(n)`` to compute together, yielded inside the BLAS
    thread count they run with (``inference_threads``): ``chunks`` where each
    chunk's size gives the bits of batches of ``batch_size`` here (``agrees``),
    the batches themselves otherwise, or with ``chunked=False``."""
    widest = max(layer.units for layer in layers)
    rows = chunk_rows(batch_size, widest, dtype) if chunked else batch_size
    if rows > batch_size and n > batch_size + 1:  # a chunk may hold two batches
        parts = list(chunks(n, batch_size, rows))
        with inference_threads(layers, min(rows, n), dtype):
            # Largest first: the full chunk's answer, remembered, settles a
            # refusal without probing each new call's last, shorter part.
            sizes = sorted({part.stop - part.start for part in parts} - {1})[::-1]
            if all(agrees(layers, size, batch_size, dtype) for size in sizes):
                yield parts
                return
    with inference_threads(layers, min(batch_size, n), dtype):
        yield [slice(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]


def agrees(layers: list, rows: int, batch_size: int, dtype: np.dtype) -> bool:
    """Whether ``rows`` rows through ``layers`` at once give the bits of the same
    rows in batches of ``batch_size``, with the BLAS threads in force: probed on
    random rows the first time, then remembered. The BLAS chooses its kernels by
    shapes and threads, never by values, so one probe answers for every input."""

    def probe() -> bool:
        x = probe_rows(layers, rows, dtype)
        at_once = forward(layers, x)
        with inference_threads(layers, batch_size, dtype):  # as the batches run
            batches = range(0, rows, batch_size)
            in_batches = [forward(layers, x[i : i + batch_size]) for i in batches]
        return np.array_equal(at_once, np.concatenate(in_batches))

    key = ("chunks", rows, batch_size, threads.current())
    return remembered(key, layers, dtype, probe)
