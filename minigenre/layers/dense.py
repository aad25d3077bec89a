"""The Dense layer, ``activation(x @ kernel + bias)``: forward and backward together."""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike, NDArray

from minigenre import activations, initializers
from minigenre.layers.layer import Layer


class Dense(Layer):
    """A fully connected layer, named and shaped as Keras's ``Dense``.

    ``kernel`` has shape ``(input_dim, units)`` and ``bias`` shape ``(units,)``. Like
    Keras, the layer is built (its weights created) when it first learns the input
    width, so ``Dense(128)`` needs no ``input_dim``.

    Args:
        units: Number of output units, a positive integer.
        activation: ``"elu"``, ``"relu"``, ``"softmax"``, ``"sigmoid"``, ``"tanh"``,
            ``"linear"`` or ``None`` (the names of ``activations.ACTIVATIONS``).
        use_bias: Whether to add a bias vector.
        kernel_initializer: Initializer name or callable ``(shape, rng, dtype)``.
        bias_initializer: Initializer name or callable.
        name, input_shape, input_dim: As for every layer (``layers/layer.py``).

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
        input_shape: tuple[int] | None = None,
        input_dim: int | None = None,
    ) -> None:
        if isinstance(units, bool) or not isinstance(units, int | np.integer):
            raise TypeError(f"units must be an integer. Received: units={units!r}")
        if units < 1:
            raise ValueError(f"units must be positive. Received: units={units}")
        super().__init__(name, input_shape, input_dim)
        self.units = int(units)
        self.activation, (self._f, self._f_grad) = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel: NDArray | None = None
        self.bias: NDArray | None = None
        # What forward(training=True) keeps for backward: input, pre-activation, output.
        self.x = self.z = self.a = None

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
    def input_width(self) -> int:
        return self.kernel.shape[0]  # (in, units)

    @property
    def weights(self) -> list[NDArray]:
        """``[kernel, bias]`` (or ``[kernel]`` without bias), in Keras's order."""
        if not self.built:
            return []
        return [self.kernel] if self.bias is None else [self.kernel, self.bias]

    trainable_weights = weights  # all of them: the optimizer updates each

    def forward(
        self, x: NDArray, training: bool = False, logits: bool = False
    ) -> NDArray:
        """Computes ``activation(x @ kernel + bias)`` for ``x`` of shape (batch, in).

        Args:
            x: The input, (batch, in).
            training: Keep ``x``, ``z = x @ kernel + bias`` and the output for
                ``backward``.
            logits: Stop at ``z``, the logits, and return them. A ``Sequential``
                does that for a softmax output feeding cross-entropy: it computes
                the softmax together with the loss from the logits, as Keras does
                (see ``losses.softmax_crossentropy``).
        """
        z = x @ self.kernel  # (batch, in) @ (in, units) -> (batch, units)
        if self.bias is not None:
            z += self.bias  # broadcast (units,) over the batch
        a = z if logits else self._f(z)  # (batch, units)
        if training:
            self.x, self.z, self.a = x, z, a
        return a

    def backward(
        self, grad: NDArray, input_grad: bool = True, logits: bool = False
    ) -> NDArray | None:
        """Takes dL/d(output) (batch, units); returns dL/dx (batch, in).

        Writes the weights' gradients into ``grad_kernel`` and ``grad_bias``, in
        place: the arrays from ``build`` stay the ones an optimizer may hold.

        Args:
            grad: dL/da, the gradient at the layer's output, (batch, units).
            input_grad: ``False`` skips dL/dx and returns None. The first layer's
                input is the data, which nothing upstream learns from: Keras's
                automatic differentiation prunes that product too, and it costs as
                much as the forward ``x @ kernel`` (batch x in x units multiply-adds).
            logits: ``grad`` is dL/dz, the gradient at the logits, already. For a
                softmax output feeding cross-entropy that is simply
                ``(p - onehot) / n`` (``losses.softmax_crossentropy_grad``).
        """
        # dL/dz (batch, units): the chain rule through the activation f.
        grad_z = grad if logits else self._f_grad(self.z, self.a, grad)
        # z = x @ kernel + bias, so by the chain rule:
        np.matmul(self.x.T, grad_z, out=self.grad_kernel)  # (in, units)
        if self.bias is not None:
            grad_z.sum(axis=0, out=self.grad_bias)  # (units,): added to every row
        if not input_grad:
            return None
        return grad_z @ self.kernel.T  # (batch, units) @ (units, in) -> (batch, in)

    @property
    def gradients(self) -> list[NDArray]:
        """The last backward pass's gradients, in the order of ``weights``."""
        if self.bias is None:
            return [self.grad_kernel]
        return [self.grad_kernel, self.grad_bias]

    def get_config(self) -> dict:
        """The settings that rebuild this layer, ``Dense(**config)`` (Keras's name)."""
        return {
            "name": self.name,
            "units": self.units,
            "activation": self.activation,
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.name_of(self.kernel_initializer),
            "bias_initializer": initializers.name_of(self.bias_initializer),
        }

    def __repr__(self) -> str:
        shape = "unbuilt" if not self.built else f"kernel={self.kernel.shape}"
        return (
            f"Dense(units={self.units}, activation={self.activation!r}, "
            f"use_bias={self.use_bias}, name={self.name!r}, {shape})"
        )
