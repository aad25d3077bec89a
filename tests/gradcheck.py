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
    """``(loss, gradients)`` of one batch, through the public API; the model unchanged.

    ``train_on_batch`` leaves each layer's gradients, taken at the weights before its
    update, in ``grad_kernel`` and ``grad_bias``; the weights and the optimizer are
    put back afterwards, so the next call sees the same model.
    """
    weights, optimizer = model.get_weights(), model.optimizer
    model.compile(optimizer="sgd", loss=model.loss, metrics=model.metrics)
    logs = model.train_on_batch(x, y, sample_weight=sample_weight, return_dict=True)
    gradients = [g.copy() for layer in model.layers for g in layer.gradients]
    model.set_weights(weights)
    model.compile(optimizer=optimizer, loss=model.loss, metrics=model.metrics)
    return logs["loss"], gradients
