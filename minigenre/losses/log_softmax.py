"""Log-probabilities that never underflow, and Keras's clipping bound."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

EPSILON = 1e-7  # keras.backend.epsilon(): probabilities are clipped to [eps, 1 - eps]


def log_softmax(logits: NDArray) -> NDArray:
    """``log(softmax(logits))`` without ever forming a probability that underflows.

    ``z - max - log(sum(exp(z - max)))``: the largest shifted logit is 0, so the sum is
    at least 1 and its log finite for logits of any size.
    """
    with np.errstate(over="ignore"):  # a span beyond float max gives -inf: exp 0
        shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
