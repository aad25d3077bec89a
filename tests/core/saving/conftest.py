"""What the saving tests share: a tiny problem and a small model to save."""

import numpy as np
import pytest

from minigenre import Adam, Dense, Sequential

WIDTH = 6  # the tiny problem's features


@pytest.fixture
def tiny_data():
    """40 rows of 6 features, labels 0..2: one epoch is a batch of 32 and one of 8,
    so shuffling changes what each step sees."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, WIDTH)).astype(np.float32)
    return x, rng.integers(0, 3, size=40)


@pytest.fixture
def tiny_model():
    """Makes ``Dense(4, elu) -> Dense(3, softmax)``, built for 6 features and
    compiled with ``optimizer`` (``Adam(0.01)`` if None) unless ``compiled=False``."""

    def make(optimizer=None, seed=0, compiled=True, dtype="float32"):
        model = Sequential(
            [Dense(4, activation="elu"), Dense(3, activation="softmax")],
            seed=seed,
            dtype=dtype,
        )
        if compiled:
            model.compile(optimizer or Adam(learning_rate=0.01), metrics=["accuracy"])
        model.build(WIDTH)
        return model

    return make


@pytest.fixture
def trained(tiny_model, tiny_data):
    """``tiny_model()`` after one epoch: two Adam steps, so it has optimizer state."""
    model = tiny_model()
    model.fit(*tiny_data, verbose=0)
    return model
