"""``BatchNormalization``: each feature rescaled by the batch's statistics.

In training, each feature is centred on the batch's mean and divided by its
standard deviation, then scaled by ``gamma`` and shifted by ``beta`` (both
learned). The batch's statistics also feed running averages, ``moving_mean`` and
``moving_variance``, which inference (``predict``, ``evaluate``, validation) uses
instead: one row's output then depends on that row alone. The running averages
are weights the optimizer never touches (Keras's non-trainable weights); the
training step itself updates them.

The numbers follow Keras 3 (``keras.layers.BatchNormalization``) and TensorFlow's
``tf.nn.moments`` and ``tf.nn.batch_normalization``, in their order of operations.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike, NDArray

from minigenre import initializers
from minigenre.layers.layer import Layer
from minigenre.training.checks import is_real_number


def check_settings(axis, momentum, epsilon, center, scale) -> None:
    """Refuses what Keras would refuse or minigenre does not implement."""
    if axis not in (-1, 1) or isinstance(axis, bool):
        raise ValueError(
            "axis must be -1 (or 1): minigenre normalises the features of 2-D "
            f"(samples, features) data. Received: axis={axis!r}"
        )
    for name, value in (("momentum", momentum), ("epsilon", epsilon)):
        if not is_real_number(value):  # a NumPy float too; not a bool or complex
            raise ValueError(f"{name} must be a number. Received: {name}={value!r}")
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1]. Received: momentum={momentum}")
    if not epsilon > 0 or epsilon == float("inf"):
        raise ValueError(f"epsilon must be > 0 and finite. Received: epsilon={epsilon}")
    for name, value in (("center", center), ("scale", scale)):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be True or False. Received: {value!r}")


class BatchNormalization(Layer):
    """``keras.layers.BatchNormalization()``: features normalised per batch.

    Args:
        axis: The features' axis: -1 (or 1) for 2-D (samples, features) data.
        momentum: How much of the running averages each training step keeps.
        epsilon: Added to the variance before its square root, as in Keras.
        center: Whether to learn ``beta``, the shift.
        scale: Whether to learn ``gamma``, the scale.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: Initializer names (Keras's defaults).
        name: Layer name; a ``Sequential`` assigns ``batch_normalization``, ...

    ``get_weights()`` is ``[gamma, beta, moving_mean, moving_variance]``, each of
    shape (units,), Keras's order; only ``gamma`` and ``beta`` are trainable.

    >>> layer = BatchNormalization()
    >>> layer.build(2, dtype=np.float64)
    >>> x = np.array([[0.0, 1.0], [2.0, 5.0]])
    >>> layer.forward(x, training=True).round(4)  # (x - mean) / sqrt(var + 1e-3)
    array([[-0.9995, -0.9999],
           [ 0.9995,  0.9999]])
    >>> layer.moving_mean  # 0.99 * 0 + 0.01 * mean
    array([0.01, 0.03])
    """

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: str = "zeros",
        gamma_initializer: str = "ones",
        moving_mean_initializer: str = "zeros",
        moving_variance_initializer: str = "ones",
        name: str | None = None,
        input_shape=None,
        input_dim=None,
    ) -> None:
        check_settings(axis, momentum, epsilon, center, scale)
        super().__init__(name, input_shape, input_dim)
        self.axis = int(axis)
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = center, scale
        self.initializers = {
            "gamma": initializers.get(gamma_initializer),
            "beta": initializers.get(beta_initializer),
            "moving_mean": initializers.get(moving_mean_initializer),
            "moving_variance": initializers.get(moving_variance_initializer),
        }
        self.gamma = self.beta = None  # (units,) each, trainable
        self.moving_mean = self.moving_variance = None  # (units,) each, not trainable
        # What forward(training=True) keeps for backward.
        self.centered = self.mean = self.rsqrt = self.inv = None

    def build(self, input_dim: int, rng=None, dtype: DTypeLike = np.float32) -> None:
        """Creates the (units,) vectors (Keras's default initializers draw nothing)."""
        self.units = int(input_dim)
        rng = rng if rng is not None else np.random.default_rng()
        shape = (self.units,)
        absent = {"gamma": not self.scale, "beta": not self.center}
        for name, initializer in self.initializers.items():
            if absent.get(name):
                continue
            setattr(self, name, np.asarray(initializer(shape, rng, dtype), dtype))
        self.grad_gamma = None if self.gamma is None else np.zeros(shape, dtype)
        self.grad_beta = None if self.beta is None else np.zeros(shape, dtype)

    @property
    def trainable_weights(self) -> list[NDArray]:
        """``[gamma, beta]`` (those present): what the optimizer updates."""
        return [w for w in (self.gamma, self.beta) if w is not None]

    @property
    def non_trainable_weights(self) -> list[NDArray]:
        return [] if not self.built else [self.moving_mean, self.moving_variance]

    @property
    def weights(self) -> list[NDArray]:
        """Keras's order: the trainable weights, then the moving statistics."""
        return self.trainable_weights + self.non_trainable_weights

    @property
    def gradients(self) -> list[NDArray]:
        """The last backward pass's gradients, in the order of trainable_weights."""
        return [g for g in (self.grad_gamma, self.grad_beta) if g is not None]

    def forward(
        self, x: NDArray, training: bool = False, logits: bool = False
    ) -> NDArray:
        """Normalises ``x`` (batch, units): by the batch's statistics in training
        (and updates the moving ones), by the moving statistics otherwise."""
        if training:
            mean = x.mean(axis=0)  # (units,)
            centered = x - mean  # (batch, units)
            variance = np.square(centered).mean(axis=0)  # biased: divided by batch
            self.update_moving_statistics(mean, variance)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        # TensorFlow's batch_normalization: inv = gamma / sqrt(variance + epsilon),
        # then x * inv + (beta - mean * inv), one multiply-add over the batch.
        rsqrt = 1 / np.sqrt(variance + self.epsilon)  # (units,)
        inv = rsqrt if self.gamma is None else rsqrt * self.gamma
        shift = -mean * inv if self.beta is None else self.beta - mean * inv
        if training:
            self.centered, self.mean, self.rsqrt, self.inv = centered, mean, rsqrt, inv
        return x * inv + shift  # (batch, units)

    def update_moving_statistics(self, mean: NDArray, variance: NDArray) -> None:
        """Keras's running averages, in its order of operations, in place (the
        model's get_weights arrays stay attached)."""
        keep, take = self.momentum, 1.0 - self.momentum
        self.moving_mean[...] = self.moving_mean * keep + mean * take
        self.moving_variance[...] = self.moving_variance * keep + variance * take

    def backward(self, grad, input_grad: bool = True, logits: bool = False):
        """Takes dL/d(output) (batch, units); returns dL/dx (batch, units).

        The batch's mean and variance depend on every row, so dL/dx has three
        paths: directly through ``x * inv``, through the mean, through the variance.
        Writes ``grad_gamma`` and ``grad_beta`` in place.
        """
        n = len(grad)
        grad_shift = grad.sum(axis=0)  # (units,): beta is added to every row
        # out = (x - mean) * inv + beta, so dL/dinv sums grad * (x - mean):
        grad_inv = (grad * self.centered).sum(axis=0)  # (units,)
        if self.grad_beta is not None:
            self.grad_beta[...] = grad_shift
        if self.grad_gamma is not None:
            self.grad_gamma[...] = grad_inv * self.rsqrt  # inv = gamma * rsqrt
        if not input_grad:
            return None
        gamma = 1 if self.gamma is None else self.gamma
        # rsqrt = (variance + eps) ** -0.5, whose derivative is -0.5 * rsqrt ** 3
        grad_variance = grad_inv * gamma * -0.5 * self.rsqrt**3  # (units,)
        grad_mean = -grad_shift * self.inv  # (units,): out has - mean * inv
        # mean = sum(x) / n and variance = sum((x - mean) ** 2) / n; the variance's
        # path through the mean is zero (the centred values sum to zero).
        return (
            grad * self.inv + grad_mean / n + grad_variance * (2 / n) * self.centered
        )  # (batch, units)

    def get_config(self) -> dict:
        """The settings that rebuild this layer (Keras's names)."""
        names = {key: initializers.name_of(f) for key, f in self.initializers.items()}
        return {
            "class_name": "BatchNormalization",
            "name": self.name,
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            **{f"{key}_initializer": name for key, name in names.items()},
        }

    def __repr__(self) -> str:
        return (
            f"BatchNormalization(momentum={self.momentum}, epsilon={self.epsilon}, "
            f"name={self.name!r})"
        )
