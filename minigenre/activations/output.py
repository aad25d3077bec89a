"""The activations of an output layer, which turn scores into probabilities:
``softmax`` (one class of many, the study's) and ``sigmoid`` (yes or no), each with
its derivative ``f_grad(z, a, grad_a)``, as in ``hidden.py``.

A cross-entropy loss fuses with them (``losses/``): the model then takes the loss
and its gradient from the logits ``z``, as Keras does, and these ``f_grad`` run
only for another loss.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


def softmax(z: Array) -> Array:
    """``exp(z) / sum(exp(z))`` along the last axis, rows summing to 1.

    Subtracting each row's maximum first changes nothing mathematically (the factor
    ``exp(-max)`` cancels) but keeps ``exp`` from overflowing for large logits.

    >>> softmax(np.array([[1.0, 2.0, 3.0]])).round(4)
    array([[0.09  , 0.2447, 0.6652]])
    """
    with np.errstate(over="ignore"):  # a span beyond float max gives -inf: exp 0
        e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_grad(z: Array, a: Array, grad_a: Array) -> Array:
    # Jacobian-vector product of softmax: da_i/dz_j = a_i (delta_ij - a_j), so
    # grad_z = a * (grad_a - sum_j grad_a_j a_j), without forming the (units, units)
    # Jacobian. When softmax feeds cross-entropy, the model skips this (fused path).
    return a * (grad_a - (grad_a * a).sum(axis=-1, keepdims=True))


def sigmoid(z: Array) -> Array:
    """The logistic function ``1 / (1 + exp(-z))``, each output in (0, 1).

    A binary classifier's output, read as the probability of the positive class;
    with binary cross-entropy the model takes the loss from ``z``, as Keras does
    (see ``losses/binary.py``, ``sigmoid_binary_crossentropy``).

    >>> sigmoid(np.array([-1.0, 0.0, 1.0])).round(4)
    array([0.2689, 0.5   , 0.7311])
    """
    with np.errstate(over="ignore"):  # exp(-z) is inf for z < -88 (float32): 1/inf 0
        return 1 / (1 + np.exp(-z))


def sigmoid_grad(z: Array, a: Array, grad_a: Array) -> Array:
    # d sigmoid / dz = a (1 - a): the output alone gives the slope.
    return grad_a * (a * (1 - a))
