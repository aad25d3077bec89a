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
        """Creates ``kernel`` (input_dim, units) and ``bias`` (units,) from ``rng``.

        Also zeroed ``grad_kernel`` and ``grad_bias`` of the same shapes, which every
        backward pass overwrites.
        """
        shape = (int(input_dim), self.units)
        self.kernel = np.asarray(self.kernel_initializer(shape, rng, dtype), dtype)
        self.grad_kernel = np.zeros_like(self.kernel)
        if self.use_bias:
            self.bias = np.asarray(
                self.bias_initializer((self.units,), rng, dtype), dtype
            )
            self.grad_bias = np.zeros_like(self.bias)

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
        a = self._f(self.forward_linear(x, training))  # (batch, units)
        if training:
            self._a = a
        return a

    def forward_linear(self, x: NDArray, training: bool = False) -> NDArray:
        """Computes ``z = x @ kernel + bias``, the pre-activation, (batch, units).

        With ``training=True`` it keeps ``x`` and ``z`` for ``backward_linear``. The
        model calls this directly for a softmax output: it computes the softmax
        together with the loss (``losses.softmax_crossentropy``).
        """
        z = x @ self.kernel  # (batch, units)
        if self.bias is not None:
            z += self.bias  # broadcast (units,) over the batch
        if training:
            self._x, self._z = x, z
        return z

    def backward(self, grad_a: NDArray, need_input_grad: bool = True) -> NDArray | None:
        """Takes dL/d(output) (batch, units); returns dL/dx (batch, in).

        Writes the weights' gradients into ``grad_kernel`` and ``grad_bias``.
        """
        grad_z = self._f_grad(self._z, self._a, grad_a)  # chain rule through f
        return self.backward_linear(grad_z, need_input_grad)

    def backward_linear(
        self, grad_z: NDArray, need_input_grad: bool = True
    ) -> NDArray | None:
        """Backward from dL/dz, the gradient at the pre-activation ``z``.

        The model calls this directly when it already has dL/dz, as with the fused
        softmax + cross-entropy gradient.

        Args:
            grad_z: dL/dz, shape (batch, units).
            need_input_grad: ``False`` skips dL/dx and returns None. The first layer's
                input is the data, which nothing upstream learns from: Keras's
                automatic differentiation prunes that product too, and it costs as
                much as the forward ``x @ kernel`` (batch x in x units multiply-adds).
        """
        # z = x @ kernel + bias, so by the chain rule. The gradients are written into
        # arrays kept from build (out=): no allocation per batch, and a Sequential
        # can point them into one flat vector for its optimizer (see its build).
        np.matmul(self._x.T, grad_z, out=self.grad_kernel)  # (in, units)
        if self.bias is not None:
            grad_z.sum(axis=0, out=self.grad_bias)  # (units,): added to every row
        if not need_input_grad:
            return None
        return grad_z @ self.kernel.T  # (batch, units) @ (units, in) -> (batch, in)

    def move_into(self, weights: NDArray, gradients: NDArray) -> None:
        """Moves the weights and their gradients into 1-D arrays of ``count_params()``.

        ``kernel`` becomes an (in, units) view of the first in*units elements of
        ``weights`` and ``bias`` a view of the rest, with their values copied over;
        ``grad_kernel`` and ``grad_bias`` become the same views of ``gradients``.
        ``Sequential.build`` passes each layer its slice of the model's flat vectors.
        """
        split = self.kernel.size
        kernel = weights[:split].reshape(self.kernel.shape)
        kernel[...] = self.kernel
        self.kernel, self.grad_kernel = kernel, gradients[:split].reshape(kernel.shape)
        if self.bias is not None:
            weights[split:] = self.bias
            self.bias, self.grad_bias = weights[split:], gradients[split:]

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
