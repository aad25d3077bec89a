"""The fused loops of the compiled step (``minigenre/_speed/step_kernels.py``),
through ``fit`` (tests use the public API): for widths that take every branch of
the row sum in NumPy's pairwise order (fewer than 8 classes, 8, more with a
remainder, more than 16), one-row batches and inputs with zeros, the compiled
step's weights and history are those of the readable step, bit for bit."""

import numpy as np
import pytest

from minigenre import Dense, Sequential

pytest.importorskip("numba")


def _fit(jit_compile, x, y, classes, dtype, batch_size):
    model = Sequential(
        [Dense(6, activation="elu"), Dense(classes, activation="softmax")],
        seed=0,
        dtype=dtype,
    )
    model.compile("adam", metrics=["accuracy"], jit_compile=jit_compile)
    history = model.fit(x, y, batch_size=batch_size, epochs=2, verbose=0)
    return model, history.history


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("classes", [2, 3, 8, 10, 27])
@pytest.mark.parametrize("batch_size", [1, 5, 32])
def test_every_width_and_batch_has_the_readable_bits(dtype, classes, batch_size):
    rng = np.random.default_rng(classes)
    x = (rng.standard_normal((41, 4)) * 3).astype(dtype)
    x[0] = 0.0  # z = bias exactly: ELU at 0
    y = rng.integers(0, classes, size=41)
    (readable, h1), (compiled, h2) = (
        _fit(jit, x, y, classes, dtype, batch_size) for jit in (False, True)
    )
    assert compiled.train_function != compiled.train_step
    assert h1 == h2
    for a, b in zip(readable.get_weights(), compiled.get_weights(), strict=True):
        assert a.tobytes() == b.tobytes()
