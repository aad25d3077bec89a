"""Central-difference gradients, the independent check of every backward pass."""

import numpy as np


def numerical_gradient(f, x, h=1e-6):
    """d f() / d x by central differences, perturbing ``x`` in place (float64)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, b):
    """max |a - b| / max(|a|, |b|), the scale-free error of a gradient check."""
    return np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max(), 1e-12)


def batch_gradients(model, x, y, sample_weight=None):
    """``(loss, gradients)`` of one batch at the current weights, the model unchanged.

    The loss is ``test_on_batch``'s, the gradients ``compute_gradients``' (one per
    weight, in ``get_weights`` order): no update, nothing to put back.
    """
    logs = model.test_on_batch(x, y, sample_weight=sample_weight, return_dict=True)
    return logs["loss"], model.compute_gradients(x, y, sample_weight=sample_weight)
