"""``Dropout``: during training, each unit is zeroed with probability ``rate``.

Keras's (inverted) dropout: in training, the kept units are scaled by
``1 / (1 - rate)`` so that each unit's expected value is unchanged; at inference
(``predict``, ``evaluate``, validation) the layer is the identity and costs
nothing. The mask of a training step comes from the layer's own
``numpy.random.Generator``, spawned from the model's seed: the same seed, the same
masks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike, NDArray

from minigenre.layers.layer import Layer
from minigenre.training.checks import is_real_number


class Dropout(Layer):
    """``keras.layers.Dropout(rate)``: units zeroed at random during training.

    Args:
        rate: The share of units to drop, in [0, 1).
        seed: Seeds this layer's masks; None spawns a generator from the model's.
        name: Layer name; a ``Sequential`` assigns ``dropout``, ``dropout_1``, ...

    The mask keeps a unit where a uniform draw ``u`` in [0, 1) is ``>= rate``, as
    TensorFlow's dropout does, and the kept values are ``x * (1 / (1 - rate))``.

    >>> layer = Dropout(0.5, seed=0)
    >>> layer.build(4)
    >>> layer.forward(np.ones((1, 4)))  # inference: the identity
    array([[1., 1., 1., 1.]])
    >>> layer.forward(np.ones((1, 4)), training=True)
    array([[2., 0., 0., 0.]])
    """

    def __init__(
        self,
        rate: float,
        seed: int | None = None,
        name: str | None = None,
        input_shape=None,
        input_dim=None,
    ) -> None:
        if not (is_real_number(rate) and 0 <= rate < 1):
            raise ValueError(
                f"rate must be a number in [0, 1). Received: rate={rate!r}"
            )
        super().__init__(name, input_shape, input_dim)
        self.rate = float(rate)
        self.seed = seed
        self.generator = None if seed is None else np.random.default_rng(seed)
        self.mask: NDArray | None = None  # the last training step's scaled mask

    def build(self, input_dim: int, rng=None, dtype: DTypeLike = np.float32) -> None:
        """Takes its width; without a seed, spawns its generator from ``rng`` (the
        model's), which leaves ``rng``'s own draws (the next layers' weights) as
        they would be without this layer."""
        self.units = int(input_dim)
        if self.generator is None:
            rng = rng if rng is not None else np.random.default_rng()
            self.generator = rng.spawn(1)[0]

    def forward(self, x, training: bool = False, logits: bool = False) -> NDArray:
        if not training or self.rate == 0:
            self.mask = None
            return x  # inference: the identity, no copy
        keep = self.generator.random(x.shape, dtype=x.dtype) >= self.rate
        # (batch, units): 1 / (1 - rate) where kept, 0 where dropped
        self.mask = keep * x.dtype.type(1 / (1 - self.rate))
        return x * self.mask

    def backward(self, grad, input_grad: bool = True, logits: bool = False):
        if not input_grad:
            return None
        return grad if self.mask is None else grad * self.mask  # same mask back

    def get_config(self) -> dict:
        return {
            "class_name": "Dropout",
            "name": self.name,
            "rate": self.rate,
            "seed": self.seed,
        }

    def __repr__(self) -> str:
        return f"Dropout(rate={self.rate}, name={self.name!r})"
