"""Adam's compiled update (the fast extra) against the readable ``update_step``.

The loop in ``minigenre/_speed/adam_compiled.py`` must give ``Adam.update_step``'s
bits for any settings, dtype, scale and step count: ``jit_compile`` changes the
time, never a number.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigenre import Adam

pytest.importorskip("numba")


class ReadableAdam(Adam):
    """Adam that always runs ``update_step`` itself: the reference."""

    def build(self, weights) -> None:
        super().build(weights)
        self.fast_update = None


def _adam(jit_compile: bool, **config) -> Adam:
    """The compiled update, or (False) the readable ``update_step`` itself."""
    if jit_compile is False:
        return ReadableAdam(jit_compile=False, **config)
    return Adam(jit_compile=jit_compile, **config)


@settings(max_examples=40, deadline=None)
@given(
    dtype=st.sampled_from([np.float32, np.float64]),
    size=st.integers(1, 300),
    steps=st.integers(1, 12),
    learning_rate=st.floats(1e-5, 1.0),
    beta_1=st.floats(0.0, 0.999),
    beta_2=st.floats(0.0, 0.9999),
    epsilon=st.sampled_from([1e-7, 1e-8, 1e-3]),
    scale=st.sampled_from([1e-30, 1e-8, 1e-3, 1.0, 1e3, 1e15]),
    seed=st.integers(0, 2**32 - 1),
)
def test_compiled_update_has_the_numpy_bits(
    dtype, size, steps, learning_rate, beta_1, beta_2, epsilon, scale, seed
):
    rng = np.random.default_rng(seed)
    config = dict(
        learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon
    )
    reference, compiled = _adam(False, **config), _adam(True, **config)
    w_reference = rng.standard_normal(size).astype(dtype)
    w_compiled = w_reference.copy()
    for _ in range(steps):
        g = (rng.standard_normal(size) * scale).astype(dtype)
        reference.apply_gradients([w_reference], [g])
        compiled.apply_gradients([w_compiled], [g])
    assert w_compiled.tobytes() == w_reference.tobytes()
    for name in ("momentum", "velocity"):
        [a], [b] = reference.get_state()[name], compiled.get_state()[name]
        assert a.tobytes() == b.tobytes(), name
    assert compiled.iterations == reference.iterations == steps


def test_compiled_update_of_2d_arrays_has_the_numpy_bits():
    # Several C-contiguous arrays of any shape, as Adam's public API takes them.
    rng = np.random.default_rng(1)
    shapes = [(264, 128), (128,), (128, 10), (10,)]
    initial = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    weights = {jit: [w.copy() for w in initial] for jit in (False, True)}
    optimizers = {jit: _adam(jit) for jit in (False, True)}
    for _ in range(5):
        grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        for jit in (False, True):
            optimizers[jit].apply_gradients(weights[jit], grads)
    for a, b in zip(weights[False], weights[True], strict=True):
        assert a.tobytes() == b.tobytes()


def test_arrays_the_loop_cannot_take_get_the_numpy_update_in_place():
    # A transposed view is not C-contiguous (its reshape would be a copy, and the
    # update lost), float16 and mixed dtypes are not compiled: NumPy updates them.
    rng = np.random.default_rng(2)
    cases = [
        (rng.standard_normal((6, 4)).astype(np.float32).T, np.float32),
        (rng.standard_normal(5).astype(np.float16), np.float16),
        (rng.standard_normal(5).astype(np.float64), np.float32),
    ]
    for w, g_dtype in cases:
        before, expected = w.copy(), w.copy()
        g = rng.standard_normal(w.shape).astype(g_dtype)
        _adam(False).apply_gradients([expected], [g])
        _adam(True).apply_gradients([w], [g])
        assert not np.array_equal(w, before)  # updated in place, not in a copy
        assert w.tobytes() == expected.tobytes()
