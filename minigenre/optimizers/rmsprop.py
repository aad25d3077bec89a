"""RMSprop, in exactly the form Keras 3 implements it."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from minigenre.optimizers.adam import check_gradient
from minigenre.optimizers.optimizer import Optimizer
from minigenre.training.checks import check_epsilon, check_fraction


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012) in exactly the form Keras 3 implements it.

    For every weight ``w`` with gradient ``g``::

        v = rho * v + (1 - rho) * g**2               # running mean of g**2
        mg = rho * mg + (1 - rho) * g                # centered only: mean of g
        denominator = v + epsilon                    # centered: v - mg**2 + epsilon
        increment = learning_rate * g / sqrt(denominator)
        u = momentum * u + increment; w -= u         # with momentum > 0
        w -= increment                               # without

    Note ``epsilon`` inside the square root, unlike Adam's.

    Args:
        learning_rate: Step size.
        rho: Decay rate of the running mean of ``g**2``.
        momentum: Fraction of the previous step kept, in [0, 1).
        epsilon: Added to the mean square before its root.
        centered: Divide by an estimate of the variance of ``g`` rather than its
            mean square.

    >>> w = np.array([1.0])
    >>> RMSprop(learning_rate=0.1).apply_gradients([w], [np.array([2.0])])
    >>> w.round(4)  # the first step is lr / sqrt(1 - rho) = 0.316
    array([0.6838])
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        jit_compile: bool | str = "auto",
    ) -> None:
        super().__init__(learning_rate, jit_compile)
        self.rho = check_fraction(rho, "rho")
        self.momentum = check_fraction(momentum, "momentum")
        self.epsilon = check_epsilon(epsilon)
        self.centered = bool(centered)
        self.state: dict[str, list[NDArray]] = {}

    def slot_names(self) -> list[str]:
        """The state kept per weight, in Keras's order (its ``build``)."""
        names = ["velocity"]
        if self.momentum > 0:
            names.append("momentum")
        if self.centered:
            names.append("average_gradient")
        return names

    def apply_gradients(self, weights: list[NDArray], gradients: list[NDArray]) -> None:
        """Updates each array in ``weights`` in place from its gradient."""
        if not self.state:
            self.state = {
                name: [np.zeros_like(w) for w in weights] for name in self.slot_names()
            }
        for i, (w, g) in enumerate(zip(weights, gradients, strict=True)):
            check_gradient(g)
            self.update_step(w, g, {name: s[i] for name, s in self.state.items()})
        self.iterations += 1

    def update_step(self, w, g, slots: dict[str, NDArray]) -> None:
        """The docstring's lines, in Keras's order, on one weight array."""
        dtype = w.dtype.type  # Keras casts the scalars to the weight dtype
        lr, rho = dtype(self.learning_rate), self.rho
        v = slots["velocity"]
        v[...] = rho * v + (1 - rho) * (g * g)
        if self.centered:
            mg = slots["average_gradient"]
            mg[...] = rho * mg + (1 - rho) * g
            denominator = v - mg * mg + self.epsilon
        else:
            denominator = v + self.epsilon
        increment = (lr * g) / np.sqrt(denominator)
        if self.momentum > 0:
            u = slots["momentum"]
            u[...] = self.momentum * u + increment
            w -= u
        else:
            w -= increment

    def get_state(self) -> dict[str, list[NDArray]]:
        """``{"velocity": [...], "momentum": [...], "average_gradient": [...]}``
        (the last two only when used), Keras's names; empty lists before a step."""
        return {name: self.state.get(name, []) for name in self.slot_names()}

    def set_state(self, iterations: int, state: dict[str, list[NDArray]]) -> None:
        """Restores the step count and ``get_state``'s arrays (copied)."""
        self.iterations = int(iterations)
        self.state = {name: [np.array(a) for a in state[name]] for name in state}

    def get_config(self) -> dict:
        return super().get_config() | {
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }
