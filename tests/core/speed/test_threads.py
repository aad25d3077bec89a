"""The BLAS thread count minigenre chooses for fit, evaluate and predict.

The pool size is read with threadpoolctl from inside the call (a callback during
fit, a layer during predict), so each test sees what the matrix products ran with.
"""

import os
import subprocess
import sys
import time

import numpy as np
import pytest
from blas_pools import USER_VARIABLES, blas_threads, default_rule  # noqa: F401
from threadpoolctl import threadpool_limits

import minigenre
from minigenre import Callback, Dense, Sequential


class RecordThreads(Callback):
    def __init__(self):
        super().__init__()
        self.seen = set()

    def on_epoch_end(self, epoch, logs=None):
        self.seen |= blas_threads()


class RecordingDense(Dense):
    """A Dense layer that notes the BLAS pool size whenever it computes."""

    seen: set

    def forward(self, *args, **kwargs):
        self.seen = getattr(self, "seen", set()) | blas_threads()
        return super().forward(*args, **kwargs)


def small_fit(callback, epochs=2):
    rng = np.random.default_rng(0)
    model = Sequential([Dense(16, activation="elu"), Dense(3, activation="softmax")])
    model.compile("adam", metrics=["accuracy"])
    x = rng.standard_normal((64, 8)).astype(np.float32)
    model.fit(x, rng.integers(0, 3, 64), epochs=epochs, verbose=0, callbacks=[callback])
    return model


def test_fit_of_a_small_network_runs_blas_on_one_thread_then_restores_the_pool():
    record = RecordThreads()
    with threadpool_limits(limits=2, user_api="blas"):
        small_fit(record)
        after = blas_threads()
    assert record.seen == {1}
    assert after == {2}


def test_a_users_thread_variable_leaves_the_pool_alone(monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    record = RecordThreads()
    with threadpool_limits(limits=2, user_api="blas"):
        small_fit(record)
    assert record.seen == {2}


def test_set_blas_threads_fixes_the_count_and_the_pool_comes_back():
    minigenre.set_blas_threads(2)
    assert minigenre.get_blas_threads() == 2
    record = RecordThreads()
    with threadpool_limits(limits=1, user_api="blas"):
        small_fit(record)
        after = blas_threads()
    assert record.seen == {2}
    assert after == {1}


def test_the_pool_comes_back_when_fit_raises():
    class Boom(Callback):
        def on_epoch_end(self, epoch, logs=None):
            raise RuntimeError("boom")

    with threadpool_limits(limits=2, user_api="blas"):
        with pytest.raises(RuntimeError, match="boom"):
            small_fit(Boom())
        assert blas_threads() == {2}


def test_a_callers_own_limit_is_never_raised():
    record = RecordThreads()
    with threadpool_limits(limits=1, user_api="blas"):
        small_fit(record)
    assert record.seen == {1}


def wide_model(features, units):
    model = Sequential([RecordingDense(units), Dense(2, activation="softmax")], seed=0)
    model.build(features)
    return model


def test_predict_with_small_products_runs_on_one_thread():
    model = wide_model(features=64, units=32)
    x = np.ones((3000, 64), np.float32)
    with threadpool_limits(limits=2, user_api="blas"):
        model.predict(x)
    assert model.layers[0].seen == {1}


def test_predict_with_products_of_2_to_the_31_multiply_adds_uses_two_threads():
    # Batches of 1024 rows, 4096 features into 512 units: products of
    # 1024 * 4096 * 512 = 2**31 multiply-adds, two threads' worth by the rule,
    # taken where two threads give one thread's bits (some BLAS builds split the
    # rows so that they do not): checked here as the probe checks it.
    model = wide_model(features=4096, units=512)
    x = np.random.default_rng(0).standard_normal((1024, 4096)).astype(np.float32)
    with threadpool_limits(limits=1, user_api="blas"):
        one = model.predict_step(x)
    with threadpool_limits(limits=2, user_api="blas"):
        two = model.predict_step(x)
        model.predict(x, batch_size=1024)  # the first call probes
        model.layers[0].seen.clear()
        got = model.predict(x, batch_size=1024)
    assert model.layers[0].seen == ({2} if np.array_equal(one, two) else {1})
    np.testing.assert_array_equal(got, one)


class ZeroDense(RecordingDense):
    """Computes the product, then returns zeros: the same bits on any threads."""

    def forward(self, *args, **kwargs):
        return super().forward(*args, **kwargs) * 0


class ThreadMarkDense(RecordingDense):
    """Its last bit moves on more than one thread, as a BLAS's split may move it."""

    def forward(self, *args, **kwargs):
        out = super().forward(*args, **kwargs)
        return out * np.float32(1 + 2**-20) if max(blas_threads()) > 1 else out


@pytest.mark.parametrize(
    ("kind", "expected"), [(ZeroDense, {2}), (ThreadMarkDense, {1})]
)
def test_the_rules_second_thread_is_taken_only_with_the_same_bits(kind, expected):
    model = Sequential([kind(512), Dense(2, activation="softmax")], seed=0)
    model.build(4096)
    x = np.random.default_rng(0).standard_normal((1024, 4096)).astype(np.float32)
    with threadpool_limits(limits=2, user_api="blas"):
        model.predict(x, batch_size=1024)  # the first call probes
        model.layers[0].seen = set()
        model.predict(x, batch_size=1024)
        assert model.layers[0].seen == expected
        minigenre.set_blas_threads(2)  # a count the user fixes is kept
        model.layers[0].seen = set()
        model.predict(x, batch_size=1024)
        assert model.layers[0].seen == {2}


@pytest.mark.parametrize(
    ("threads", "error"), [(0, ValueError), (-1, ValueError), (1.5, TypeError)]
)
def test_set_blas_threads_rejects_what_is_not_a_positive_integer(threads, error):
    with pytest.raises(error, match=f"Received: {threads}"):
        minigenre.set_blas_threads(threads)


def test_set_blas_threads_takes_a_numpy_integer():
    try:
        minigenre.set_blas_threads(np.int64(1))
        assert minigenre.get_blas_threads() == 1
        assert type(minigenre.get_blas_threads()) is int
    finally:
        minigenre.set_blas_threads(None)


def test_a_study_predict_keeps_one_thread_while_the_other_cores_are_busy():
    # Chunks of 1024 rows, 264 features into 128 units: 2**25 multiply-adds, a
    # second thread's worth while a core is free (measured 1.4-1.5x; the rule and
    # free_cores have doctests), not while the others are busy (0.6-1.3x).
    if not sys.platform.startswith("linux"):
        pytest.skip("free cores are read from Linux's /proc")
    others = max(1, len(os.sched_getaffinity(0)) - 1)
    spinners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(others)
    ]
    try:
        time.sleep(0.5)  # let them start and take their cores
        model = wide_model(features=264, units=128)
        x = np.ones((2048, 264), np.float32)
        with threadpool_limits(limits=2, user_api="blas"):
            model.predict(x)
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    assert model.layers[0].seen == {1}
