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
in different orders. Checked on this project's machines (OpenBLAS 0.3.31): float32
products with the study's shapes give the same bits in batches of 32 and in chunks
(``tests/core/speed/test_chunks.py``), but not every shape does (e.g. 1000
inputs into 5 units, last bit), nor float64's (e.g. 128 inputs into 10 units). So
float64, the dtype of gradient checks, keeps batches of ``batch_size``; and
``predict(x, batch_size=32)`` always computes Keras's batches exactly.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

CHUNK_ELEMENTS = 2**17  # 1024 rows of the study's 128 units: 0.5 MB in float32


def chunk_rows(batch_size: int, widest: int, dtype: np.dtype) -> int:
    """Rows per chunk: a multiple of ``batch_size`` near ``CHUNK_ELEMENTS / widest``.

    >>> chunk_rows(32, widest=128, dtype=np.dtype("float32"))
    1024
    """
    if dtype != np.float32:
        return batch_size  # see the module's docstring
    return max(1, CHUNK_ELEMENTS // widest // batch_size) * batch_size


def chunks(n: int, batch_size: int, widest: int, dtype: np.dtype) -> Iterator[slice]:
    """Slices of ``range(n)`` to compute together, equal to batch by batch (above).

    >>> list(chunks(70, 32, widest=2048, dtype=np.dtype("float32")))  # 64 rows each
    [slice(0, 64, None), slice(64, 70, None)]
    >>> list(chunks(65, 32, widest=128, dtype=np.dtype("float32")))  # 2 * 32 + 1
    [slice(0, 64, None), slice(64, 65, None)]
    """
    rows = chunk_rows(batch_size, widest, dtype)
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


def for_layers(layers: list, n: int, batch_size: int, dtype: np.dtype) -> list[slice]:
    """``chunks`` for a network of ``layers``: their widest output decides."""
    widest = max(layer.units for layer in layers)
    return list(chunks(n, batch_size, widest, dtype))
