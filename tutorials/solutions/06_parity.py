"""Tutorial 6's exercises, solved (inside the tutorial's variables)."""

import numpy as np


def numpy_into_keras():
    trained = study_model(seed=1)
    trained.fit(x_train, y_train, epochs=1, verbose=0)
    fresh = build_model(seed=2)
    numpy_to_keras(trained, fresh)
    return trained, fresh


def ulp_distance(a, b):
    # float32 numbers of one sign are ordered like their bit patterns as integers.
    return np.abs(a.view(np.int32).astype(np.int64) - b.view(np.int32))


def welch_t(a, b):
    error = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    return (a.mean() - b.mean()) / error
