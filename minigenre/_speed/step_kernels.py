"""The elementwise work of the study's training step as compiled loops (numba).

The readable step (``train_step.py`` with ``layers/dense.py``, ``activations/hidden.py``
and ``losses/sparse_categorical.py``) makes about twenty NumPy calls between its
matrix products, each a pass over a small array with a fixed cost per call. The
loops below fuse the calls between two products into few passes, with the same
operations in the same order and dtype (no ``fastmath``: nothing reordered, no
FMA). ``exp``, ``expm1`` and ``log`` stay NumPy calls between the loops: NumPy's
float32 ``exp`` is its own SIMD code, and the C library's (what a compiled loop
calls) differs from it in the last bit for about one value in ten (measured), so
keeping NumPy's keeps every bit:

* ELU: ``bias_low`` (``z += bias``, ``low = min(z, 0)``), NumPy's ``expm1`` of
  ``low`` in place, ``elu_join`` (``a = max(z, 0) + low``);
* softmax with cross-entropy: ``shift_rows`` (``logits += bias``, ``shifted =
  logits - max``, ``shifted[y]``), NumPy's ``exp``, ``softmax_rows`` (the row sums
  in NumPy's pairwise order, the probabilities, ``(p - onehot) / n`` and its sum
  over the rows, the output layer's bias gradient), NumPy's ``log`` of the sums;
* ELU's gradient: ``elu_backward`` (``grad *= min(a + 1, 1)``, and its sum over
  the rows, the layer's bias gradient: NumPy sums over rows from zero, one row
  after the other, which the loops do too);
* ``predict``'s softmax (``_speed/predict_compiled.py``): ``shift_rows_in_place``
  (``logits += bias``, ``logits -= max``), NumPy's ``exp``, ``normalize_rows``.
"""

import numba

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)


@_jit
def bias_low(z, bias, low):
    """``z += bias`` (batch, units) in place; ``low = min(z, 0)``."""
    zero = z.dtype.type(0)
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            v = z[i, j] + bias[j]
            z[i, j] = v
            low[i, j] = v if (v < zero or v != v) else zero  # np.minimum: NaN wins


@_jit
def elu_join(z, low, a):
    """``a = max(z, 0) + low`` where ``low`` holds ``expm1(min(z, 0))``: ELU with
    alpha 1 (``1.0 * low`` is ``low`` exactly)."""
    zero = z.dtype.type(0)
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            v = z[i, j]
            a[i, j] = (v if (v > zero or v != v) else zero) + low[i, j]


@_jit
def _row_sum(e):
    """NumPy's pairwise sum of one short row (fewer than 128 values): eight
    running sums for a row of at least 8, combined in pairs, then the rest."""
    n = e.shape[0]
    if n < 8:
        total = e.dtype.type(0) + e[0] if n else e.dtype.type(0)
        for k in range(1, n):
            total += e[k]
        return total
    r0, r1, r2, r3, r4, r5, r6, r7 = e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]
    k = 8  # eight scalars, not an array: no allocation per row
    while k < n - (n % 8):
        r0, r1, r2, r3 = r0 + e[k], r1 + e[k + 1], r2 + e[k + 2], r3 + e[k + 3]
        r4, r5, r6, r7 = r4 + e[k + 4], r5 + e[k + 5], r6 + e[k + 6], r7 + e[k + 7]
        k += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while k < n:
        total += e[k]
        k += 1
    return total


@_jit
def _row_max(row):
    """``np.max`` of one row: the largest value, or NaN if there is one."""
    top = row[0]
    for j in range(1, row.shape[0]):
        if row[j] > top or row[j] != row[j]:  # np.max: NaN wins
            top = row[j]
    return top


@_jit
def shift_rows(logits, bias, y, shifted, picked):
    """``logits += bias`` (batch, classes) in place; ``shifted = logits - max``
    of each row, and ``picked = shifted[y]``."""
    for i in range(logits.shape[0]):
        row = logits[i]
        row += bias
        top = _row_max(row)
        for j in range(row.shape[0]):
            shifted[i, j] = row[j] - top
        picked[i] = shifted[i, y[i]]


@_jit
def softmax_rows(e, y, probs, grad, totals, grad_bias):
    """From ``e = exp(shifted)``: each row's sum (``totals``), ``probs = e /
    total``, ``grad = (p - onehot) / n`` and ``grad_bias = grad.sum(axis=0)``."""
    n = e.shape[0]
    scale = e.dtype.type(n)
    one = e.dtype.type(1)
    grad_bias[:] = 0  # NumPy's sum over rows: from zero, row after row
    for i in range(n):
        total = _row_sum(e[i])
        totals[i] = total
        for j in range(e.shape[1]):
            p = e[i, j] / total
            probs[i, j] = p
            g = ((p - one) if j == y[i] else p) / scale
            grad[i, j] = g
            grad_bias[j] += g


@_jit
def elu_backward(grad, a, grad_bias):
    """``grad *= min(a + 1, 1)``: ELU's slope from its output (alpha 1); and
    ``grad_bias = grad.sum(axis=0)``, the layer's bias gradient."""
    one = grad.dtype.type(1)
    grad_bias[:] = 0  # NumPy's sum over rows: from zero, row after row
    for i in range(grad.shape[0]):
        for j in range(grad.shape[1]):
            s = a[i, j] + one
            g = grad[i, j] * (s if (s < one or s != s) else one)
            grad[i, j] = g
            grad_bias[j] += g


@_jit
def shift_rows_in_place(logits, bias):
    """``predict``'s ``shift_rows``: ``logits += bias``, then ``logits -= max`` of
    each row, in place (no labels, no loss)."""
    for i in range(logits.shape[0]):
        row = logits[i]
        row += bias
        top = _row_max(row)
        for j in range(row.shape[0]):
            row[j] = row[j] - top


@_jit
def normalize_rows(e):
    """``e /= sum(e)`` of each row, in place: softmax's last step, the sum in
    NumPy's pairwise order."""
    for i in range(e.shape[0]):
        total = _row_sum(e[i])
        for j in range(e.shape[1]):
            e[i, j] = e[i, j] / total
