"""Tutorial 3's exercises, solved."""

import numpy as np


def stable_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)  # the largest is 0: exp cannot overflow
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def weighted_logit_gradient(y, probs, w):
    grad = probs.copy()
    grad[np.arange(len(y)), y] -= 1
    return grad * w[:, None] / len(y)


def untrained_loss():
    return -np.log(0.1)  # each of 10 genres gets about 0.1
