"""The probes behind the thread rule: a second BLAS thread only where it gives one
thread's bits, so a fit, a predict or an evaluate never depends on how busy the
machine was. Whether it does is the BLAS's doing; each test computes the answer
itself, beside minigenre's probe, and checks that minigenre followed it."""

import numpy as np
from blas_pools import blas_threads, default_rule  # noqa: F401 (autouse)
from threadpoolctl import threadpool_limits

import minigenre
from minigenre import Dense, Sequential
from minigenre.layers import Dropout


class RecordingDense(Dense):
    """Notes the BLAS pool size whenever it computes, forward or backward."""

    def forward(self, *args, **kwargs):
        self.seen = getattr(self, "seen", set()) | blas_threads()
        return super().forward(*args, **kwargs)

    def backward(self, *args, **kwargs):
        self.seen = getattr(self, "seen", set()) | blas_threads()
        return super().backward(*args, **kwargs)


def step_products(rows, n_in, units, threads):
    """A training step's three products of a Dense layer, on ``threads`` threads."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((rows, n_in)).astype(np.float32)
    kernel = rng.standard_normal((n_in, units)).astype(np.float32)
    grad = rng.standard_normal((rows, units)).astype(np.float32)
    with threadpool_limits(limits=threads, user_api="blas"):
        return [x @ kernel, x.T @ grad, grad @ kernel.T]


def test_a_large_batch_trains_on_two_threads_only_where_they_give_one_threads_bits():
    # Batches of 1024 rows, 4096 features into 512 units: 2**31 multiply-adds a
    # product, two threads' worth by the rule whatever the load.
    same = all(
        np.array_equal(a, b)
        for a, b in zip(
            step_products(1024, 4096, 512, 1),
            step_products(1024, 4096, 512, 2),
            strict=True,
        )
    )
    x = np.random.default_rng(0).standard_normal((1024, 4096)).astype(np.float32)
    y = np.arange(1024) % 2
    weights = {}
    for fixed in (None, 1):
        model = Sequential([RecordingDense(512), Dense(2, "softmax")], seed=0)
        model.compile("adam")
        minigenre.set_blas_threads(fixed)
        with threadpool_limits(limits=2, user_api="blas"):
            model.fit(x, y, batch_size=1024, epochs=1, verbose=0)
        weights[fixed] = model.get_weights()
        if fixed is None:
            assert model.layers[0].seen == ({2} if same else {1})
    for rule, one in zip(weights[None], weights[1], strict=True):
        np.testing.assert_array_equal(rule, one)


def test_a_study_fit_in_batches_of_1024_keeps_one_threads_bits():
    # The study's network: 2**25 multiply-adds a product, where the rule takes a
    # second thread only when a core is free: the result must not depend on that.
    from minigenre.study.network import study_model
    from minigenre.study.synthetic import make_synthetic
    from minigenre.study.workflow import split_and_scale

    split = split_and_scale(make_synthetic(seed=0), seed=0)
    fits = {}
    for fixed in (None, 1):
        minigenre.set_blas_threads(fixed)
        model = study_model(seed=0)
        model.fit(split.x_train, split.y_train, batch_size=1024, epochs=2, verbose=0)
        fits[fixed] = model.get_weights()
    for rule, one in zip(fits[None], fits[1], strict=True):
        np.testing.assert_array_equal(rule, one)


def test_a_probe_leaves_the_model_and_its_random_draws_alone():
    # Dropout draws its masks from the model's generators: a probe that ran the
    # model would move them. Two fits, one after a probe of the same shapes ran
    # for another model, give the same weights.
    def fit():
        model = Sequential(
            [Dense(64, "elu"), Dropout(0.5), Dense(3, "softmax")], seed=3
        )
        model.compile("adam")
        x = np.random.default_rng(0).standard_normal((2048, 300)).astype(np.float32)
        model.fit(x, np.arange(2048) % 3, batch_size=1024, epochs=2, verbose=0)
        return model.get_weights()

    first = fit()
    again = fit()  # the probes' answers remembered now
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
