"""The Dense layer, ``activation(x @ kernel + bias)``: forward and backward together."""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike, NDArray

from minigenre import activations, initializers


class Dense:
    """A fully connected layer, named and shaped as Keras's ``Dense``.

    ``kernel`` has shape ``(input_dim, units)`` and ``bias`` shape ``(units,)``. Like
    Keras, the layer is built (its weights created) when it first learns the input
    width, so ``Dense(128)`` needs no ``input_dim``.

    Args:
        units: Number of output units, a positive integer.
        activation: ``"elu"``, ``"relu"``, ``"softmax"``, ``"linear"`` or ``None``.
        use_bias: Whether to add a bias vector.
        kernel_initializer: Initializer name or callable ``(shape, rng, dtype)``.
        bias_initializer: Initializer name or callable.
        name: Layer name; a ``Sequential`` assigns ``dense``, ``dense_1``, ... if None.

    >>> layer = Dense(2, activation="relu")
    >>> layer.build(3, np.random.default_rng(0))
    >>> layer.kernel.shape, layer.bias.shape
    ((3, 2), (2,))
    """

    def __init__(
        self,
        units: int,
        activation: str | None = None,
        use_bias: bool = True,
        kernel_initializer: str | initializers.Initializer = "glorot_uniform",
        bias_initializer: str | initializers.Initializer = "zeros",
        name: str | None = None,
    ) -> None:
        if isinstance(units, bool) or not isinstance(units, int | np.integer):
            raise TypeError(f"units must be an integer. Received: units={units!r}")
        if units < 1:
            raise ValueError(f"units must be positive. Received: units={units}")
        self.units = int(units)
        self.activation, (self._f, self._f_grad) = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.name = name
        self.kernel: NDArray | None = None
        self.bias: NDArray | None = None

    @property
    def built(self) -> bool:
        return self.kernel is not None

    def build(
        self, input_dim: int, rng: np.random.Generator, dtype: DTypeLike = np.float32
    ) -> None:
        """Creates ``kernel`` (input_dim, units) and ``bias`` (units,) from ``rng``."""
        shape = (int(input_dim), self.units)
        self.kernel = np.asarray(self.kernel_initializer(shape, rng, dtype), dtype)
        if self.use_bias:
            self.bias = np.asarray(
                self.bias_initializer((self.units,), rng, dtype), dtype
            )

    @property
    def weights(self) -> list[NDArray]:
        """``[kernel, bias]`` (or ``[kernel]`` without bias), in Keras's order."""
        if not self.built:
            return []
        return [self.kernel] if self.bias is None else [self.kernel, self.bias]

    def count_params(self) -> int:
        return sum(w.size for w in self.weights)

    def forward(self, x: NDArray, training: bool = False) -> NDArray:
        """Computes ``activation(x @ kernel + bias)`` for ``x`` of shape (batch, in).

        With ``training=True`` it keeps ``x``, ``z`` and the output for ``backward``.
        """
        z = x @ self.kernel  # (batch, units)
        if self.bias is not None:
            z += self.bias  # broadcast (units,) over the batch
        a = self._f(z)  # (batch, units)
        if training:
            self._x, self._z, self._a = x, z, a
        return a

    def backward(self, grad_a: NDArray) -> NDArray:
        """Takes dL/d(output) (batch, units); returns dL/dx (batch, in).

        Stores ``grad_kernel`` and ``grad_bias``, the gradients for the weights.
        """
        grad_z = self._f_grad(self._z, self._a, grad_a)  # chain rule through f
        return self.backward_linear(grad_z)

    def backward_linear(self, grad_z: NDArray) -> NDArray:
        """Backward from dL/dz, the gradient at the pre-activation ``z``.

        The model calls this directly when it already has dL/dz, as with the fused
        softmax + cross-entropy gradient.
        """
        # z = x @ kernel + bias, so by the chain rule:
        self.grad_kernel = (
            self._x.T @ grad_z
        )  # (in, batch) @ (batch, units) -> (in, units)
        self.grad_bias = grad_z.sum(axis=0)  # (units,): bias is added to every row
        return grad_z @ self.kernel.T  # (batch, units) @ (units, in) -> (batch, in)

    @property
    def gradients(self) -> list[NDArray]:
        """The last backward pass's gradients, in the order of ``weights``."""
        if self.bias is None:
            return [self.grad_kernel]
        return [self.grad_kernel, self.grad_bias]

    def __repr__(self) -> str:
        shape = "unbuilt" if not self.built else f"kernel={self.kernel.shape}"
        return (
            f"Dense(units={self.units}, activation={self.activation!r}, "
            f"use_bias={self.use_bias}, name={self.name!r}, {shape})"
        )
