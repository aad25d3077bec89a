"""Adam's NumPy update with preallocated buffers against the readable ``update_step``.

``minigenre/_speed/adam_buffered.py`` runs by default (without ``jit_compile``): it
must give ``Adam.update_step``'s bits for any settings, dtype, scale and step count,
and step aside for an ``update_step`` it does not reproduce.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from minigenre import Adam


class ReadableAdam(Adam):
    """Adam that always runs ``update_step`` itself: the reference."""

    def build(self, weights) -> None:
        super().build(weights)
        self.fast_update = None


@settings(max_examples=40, deadline=None)
@given(
    dtype=st.sampled_from([np.float32, np.float64]),
    size=st.integers(1, 300),
    steps=st.integers(1, 12),
    learning_rate=st.floats(1e-5, 1.0),
    beta_1=st.floats(0.0, 0.999),
    beta_2=st.floats(0.0, 0.9999),
    epsilon=st.sampled_from([1e-7, 1e-8, 1e-3, 0.0]),
    scale=st.sampled_from([1e-30, 1e-8, 1e-3, 1.0, 1e3, 1e15]),
    seed=st.integers(0, 2**32 - 1),
)
def test_buffered_update_has_the_readable_bits(
    dtype, size, steps, learning_rate, beta_1, beta_2, epsilon, scale, seed
):
    rng = np.random.default_rng(seed)
    config = dict(
        learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon
    )
    reference = ReadableAdam(jit_compile=False, **config)
    buffered = Adam(jit_compile=False, **config)
    w_reference = rng.standard_normal(size).astype(dtype)
    w_buffered = w_reference.copy()
    with np.errstate(all="ignore"):  # epsilon 0 with a zero gradient: 0 / 0
        for _ in range(steps):
            g = (rng.standard_normal(size) * scale).astype(dtype)
            reference.apply_gradients([w_reference], [g])
            buffered.apply_gradients([w_buffered], [g])
    assert buffered.fast_update is not None  # the buffered form ran
    assert w_buffered.tobytes() == w_reference.tobytes()
    for name in ("momentum", "velocity"):
        [a], [b] = reference.get_state()[name], buffered.get_state()[name]
        assert a.tobytes() == b.tobytes(), name


def test_study_shapes_in_several_arrays_have_the_readable_bits():
    rng = np.random.default_rng(1)
    shapes = [(264, 128), (128,), (128, 10), (10,)]
    initial = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    optimizers = {"readable": ReadableAdam(), "buffered": Adam()}
    weights = {name: [w.copy() for w in initial] for name in optimizers}
    for _ in range(5):
        grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        for name, optimizer in optimizers.items():
            optimizer.apply_gradients(weights[name], grads)
    for a, b in zip(weights["readable"], weights["buffered"], strict=True):
        assert a.tobytes() == b.tobytes()


def test_arrays_it_cannot_take_get_update_step_in_place():
    # A transposed view, float16, a float32 weight with float64 gradients.
    rng = np.random.default_rng(2)
    cases = [
        (rng.standard_normal((6, 4)).astype(np.float32).T, np.float32),
        (rng.standard_normal(5).astype(np.float16), np.float16),
        (rng.standard_normal(5).astype(np.float32), np.float64),
    ]
    for w, g_dtype in cases:
        before, expected = w.copy(), w.copy()
        g = rng.standard_normal(w.shape).astype(g_dtype)
        ReadableAdam().apply_gradients([expected], [g])
        Adam().apply_gradients([w], [g])
        assert not np.array_equal(w, before)
        assert w.tobytes() == expected.tobytes()


def test_an_edited_update_step_is_what_runs():
    # The edit changes the bits on the probe: the buffered form steps aside.
    class Halved(Adam):
        def update_step(self, w, g, m, v, alpha):
            super().update_step(w, g, m, v, alpha / 2)

    optimizer = Halved()
    optimizer.apply_gradients([np.ones(3, np.float32)], [np.ones(3, np.float32)])
    assert optimizer.fast_update is None
