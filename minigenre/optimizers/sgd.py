"""SGD, with optional momentum, as Keras's ``SGD``."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from minigenre.optimizers.optimizer import Optimizer
from minigenre.training.checks import check_fraction


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, as Keras's ``SGD``.

    Without momentum ``w -= learning_rate * g``; with it, a velocity
    ``u = momentum * u - learning_rate * g`` is kept and ``w += u``.

    Args:
        learning_rate: Step size.
        momentum: Fraction of the previous velocity kept, in [0, 1].
        jit_compile: Accepted for ``compile``; SGD has no compiled form.

    >>> w = np.array([1.0])
    >>> SGD(learning_rate=0.5).apply_gradients([w], [np.array([2.0])])
    >>> w
    array([0.])
    """

    def __init__(
        self,
        learning_rate: float = 0.01,
        momentum: float = 0.0,
        jit_compile: bool | str = "auto",
    ) -> None:
        super().__init__(learning_rate, jit_compile)
        self.momentum = check_fraction(momentum, "momentum", top=True)
        self.velocities: list[NDArray] = []  # u, one per weight array

    def apply_gradients(self, weights: list[NDArray], gradients: list[NDArray]) -> None:
        """Updates each array in ``weights`` in place from its gradient."""
        if self.momentum == 0:
            for w, g in zip(weights, gradients, strict=True):
                w -= g * self.learning_rate
        else:
            if not self.velocities:
                self.velocities = [np.zeros_like(w) for w in weights]
            for w, g, u in zip(weights, gradients, self.velocities, strict=True):
                u *= self.momentum
                u -= g * self.learning_rate
                w += u
        self.iterations += 1

    def get_state(self) -> dict[str, list[NDArray]]:
        """``{"momentum": [u, ...]}`` (Keras's name for the velocity), one array per
        updated array; empty before the first step; nothing without momentum."""
        return {"momentum": self.velocities} if self.momentum else {}

    def set_state(self, iterations: int, state: dict[str, list[NDArray]]) -> None:
        """Restores the step count and ``get_state``'s arrays (copied)."""
        self.iterations = int(iterations)
        if self.momentum:
            self.velocities = [np.array(u) for u in state["momentum"]]

    def get_config(self) -> dict:
        return super().get_config() | {"momentum": self.momentum}
