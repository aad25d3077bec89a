"""Tutorial 9's exercise, solved (inside the tutorial's variables: Tensor)."""

import numpy as np


def tensor_tanh(a):
    out = np.tanh(a.value)
    return Tensor(out, (a,), (lambda g: g * (1 - out**2),))
