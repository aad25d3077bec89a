"""predict and evaluate in large chunks: the bits of Keras's batches of 32.

Every row's output depends on that row alone, so computing many rows at once must
give exactly the numbers of batch by batch; the references here are the batches
themselves, computed through the public API one batch per call.
"""

import tracemalloc

import numpy as np
import pytest

import minigenre
from minigenre import Adam, Dense, Sequential

# 65 and 2049 end in a lone row (n % 32 == 1), which NumPy multiplies by another
# routine; 1025 rows cross the study's 1024-row chunk.
ROWS = [1, 2, 31, 32, 33, 65, 1000, 1025, 2049]
# The study's 264 features, and a narrower input, into 128 units and 10 classes.
FEATURES = [264, 20]


def trained_model(dtype="float32", features=20, units=128):
    rng = np.random.default_rng(0)
    model = Sequential(
        [Dense(units, activation="elu"), Dense(10, activation="softmax")],
        seed=0,
        dtype=dtype,
    )
    model.compile(Adam(), metrics=["accuracy"])
    x = rng.standard_normal((200, features))
    model.fit(x, rng.integers(0, 10, 200), epochs=2, verbose=0)
    return model


def data(n, features=20, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, features)), rng.integers(0, 10, n)


@pytest.mark.parametrize(
    ("dtype", "features"), [("float32", 264), ("float32", 20), ("float64", 20)]
)
@pytest.mark.parametrize("n", ROWS)
def test_predict_gives_the_bits_of_batches_of_32(n, dtype, features):
    model = trained_model(dtype, features)
    x, _ = data(n, features)
    expected = np.concatenate(
        [model.predict(x[i : i + 32], batch_size=32) for i in range(0, n, 32)]
    )
    got = model.predict(x)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_predict_gives_the_bits_of_one_blas_thread_unless_the_user_fixes_more():
    # The default rule may take a second thread for large chunks, but only where a
    # probe finds the bits of one thread; a count the user fixes is kept, and its
    # chunks then give the bits of batches on that count.
    model = trained_model(features=264)
    x, _ = data(2049, 264)
    minigenre.set_blas_threads(1)
    try:
        one = model.predict(x, batch_size=32)
        minigenre.set_blas_threads(None)
        default = model.predict(x)
        minigenre.set_blas_threads(2)
        two = model.predict(x)
        two_in_batches = model.predict(x, batch_size=32)
    finally:
        minigenre.set_blas_threads(None)
    np.testing.assert_array_equal(default, one)
    np.testing.assert_array_equal(two, two_in_batches)


@pytest.mark.parametrize("features", FEATURES)
@pytest.mark.parametrize("batch_size", [None, 7, 32, 500])
@pytest.mark.parametrize("n", ROWS)
def test_evaluate_gives_the_bits_of_a_batch_by_batch_mean(n, batch_size, features):
    model = trained_model(features=features)
    x, y = data(n, features)
    size = batch_size or 32
    loss_sum = correct = 0.0
    for i in range(0, n, size):  # Keras: each batch's mean loss, weighted by rows
        loss, accuracy = model.evaluate(
            x[i : i + size], y[i : i + size], batch_size=size, verbose=0
        )
        rows = len(x[i : i + size])
        loss_sum += loss * rows
        correct += accuracy * rows
    got = model.evaluate(x, y, batch_size=batch_size, verbose=0)
    assert got == [loss_sum / n, correct / n]


def test_predict_memory_stays_bounded_for_many_rows():
    # 100 000 rows: all hidden activations at once would take 51 MB; in chunks,
    # predict needs its output (4 MB) and one chunk's intermediates.
    model = trained_model(features=12)
    x = np.random.default_rng(2).standard_normal((100_000, 12)).astype(np.float32)
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    out = model.predict(x)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak - before - out.nbytes < 4e6


class RowCountDense(Dense):
    """A Dense layer whose output moves when it computes more than one batch's
    rows together, as a BLAS kernel's order of summing may."""

    def forward(self, x, training=False, logits=False):
        out = super().forward(x, training, logits)
        return out * np.float32(1 + 2**-20) if len(x) > 32 else out


def test_chunks_that_would_change_the_bits_give_way_to_the_batches():
    model = Sequential(
        [RowCountDense(16, activation="elu"), Dense(10, activation="softmax")], seed=0
    )
    model.compile(Adam())
    model.build(20)
    x, y = data(1000, 20)
    x = x.astype(np.float32)  # the model's dtype, as predict checks it
    expected = np.concatenate(
        [model.predict_step(x[i : i + 32]) for i in range(0, 1000, 32)]
    )
    np.testing.assert_array_equal(model.predict(x), expected)
    loss = np.mean(
        [model.test_on_batch(x[i : i + 32], y[i : i + 32]) for i in range(0, 960, 32)]
    )
    assert model.evaluate(x[:960], y[:960], verbose=0) == pytest.approx(loss, rel=1e-12)


class CountingDense(Dense):
    """Notes the rows of every forward pass."""

    def forward(self, x, training=False, logits=False):
        self.rows = [*getattr(self, "rows", []), len(x)]
        return super().forward(x, training, logits)


def test_each_chunk_size_is_probed_once():
    model = Sequential(
        [CountingDense(16, activation="elu"), Dense(10, activation="softmax")], seed=0
    )
    model.build(20)
    x = data(3000, 20)[0].astype(np.float32)
    first = model.predict(x)
    assert sum(model.layers[0].rows) > 3000  # the probes' rows too
    model.layers[0].rows = []
    again = model.predict(x)
    assert sum(model.layers[0].rows) == 3000  # remembered: no probe the second time
    np.testing.assert_array_equal(again, first)
