"""Adam, in exactly the form Keras 3 implements it, with the guard it needs: a
gradient whose square overflows would make ``v`` inf and the next step NaN."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from minigenre._speed import jit
from minigenre.optimizers.optimizer import Optimizer
from minigenre.training.checks import check_epsilon, check_fraction


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) in exactly the form Keras 3 implements it.

    At step ``t`` (1, 2, ...), for every weight ``w`` with gradient ``g``::

        alpha = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        m += (g - m) * (1 - beta_1)        # running mean of g
        v += (g**2 - v) * (1 - beta_2)     # running mean of g**2
        w -= alpha * m / (sqrt(v) + epsilon)

    The bias correction is folded into the step size ``alpha`` instead of dividing
    ``m`` and ``v``; that moves ``epsilon`` slightly compared with the paper's form,
    so Keras's form is used here to match it to float precision. The step count, its
    powers and ``alpha`` are computed in the weights' dtype, as Keras does.

    Keras's default ``epsilon`` is 1e-7; the study's TensorFlow-1 ``AdamOptimizer``
    used 1e-8. Either is tiny next to ``sqrt(v)`` for all but vanishing gradients.

    ``update_step`` below is the update that runs. ``jit_compile=True`` (or
    ``"auto"`` once ``fit`` has done enough work to repay loading it) may run the
    same three lines as one compiled loop instead, chosen once and only if it gives
    ``update_step``'s bits (``minigenre/_speed/jit.py``): edit ``update_step`` and
    your edit is what trains.

    Args:
        learning_rate: Step size.
        beta_1: Decay rate of the first-moment estimate.
        beta_2: Decay rate of the second-moment estimate.
        epsilon: Added to ``sqrt(v)`` to avoid division by zero.
        jit_compile: ``False``, ``True`` or ``"auto"`` (set by ``Sequential.compile``).

    >>> w = np.array([1.0], dtype=np.float32)
    >>> Adam(learning_rate=0.1).apply_gradients([w], [np.array([2.0], np.float32)])
    >>> w.round(4)  # the first Adam step moves every weight by ~learning_rate
    array([0.9], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        jit_compile: bool | str = "auto",
    ) -> None:
        super().__init__(learning_rate, jit_compile)
        self.beta_1 = check_fraction(beta_1, "beta_1")
        self.beta_2 = check_fraction(beta_2, "beta_2")
        self.epsilon = check_epsilon(epsilon)
        self.momentums: list[NDArray] = []  # m, one per weight array
        self.velocities: list[NDArray] = []  # v, one per weight array
        # A faster form of update_step with its bits, or None: update_step runs.
        self.fast_update = None

    def build(self, weights: list[NDArray]) -> None:
        """Creates ``m`` and ``v`` (zeros) at the first step, and chooses once how
        ``update_step`` runs (see ``minigenre/_speed/jit.py``)."""
        self.momentums = [np.zeros_like(w) for w in weights]
        self.velocities = [np.zeros_like(w) for w in weights]
        self.fast_update = jit.faster_adam_update(self, weights)

    def apply_gradients(self, weights: list[NDArray], gradients: list[NDArray]) -> None:
        """Updates each array in ``weights`` in place from its gradient."""
        if not self.momentums:
            self.build(weights)
        for g in gradients:
            check_gradient(g)
        dtype = weights[0].dtype.type  # Keras casts the scalars to the weight dtype
        t = dtype(self.iterations + 1)
        alpha = (
            dtype(self.learning_rate)
            * np.sqrt(1 - dtype(self.beta_2) ** t)
            / (1 - dtype(self.beta_1) ** t)
        )
        if self.fast_update is not None:
            self.fast_update(weights, gradients, alpha)
        else:
            arrays = (weights, gradients, self.momentums, self.velocities)
            for w, g, m, v in zip(*arrays, strict=True):
                self.update_step(w, g, m, v, alpha)
        self.iterations += 1

    def update_step(self, w, g, m, v, alpha) -> None:
        """The docstring's three lines, in Keras's order, on one weight array."""
        m += (g - m) * (1 - self.beta_1)
        v += (g * g - v) * (1 - self.beta_2)
        w -= (m * alpha) / (np.sqrt(v) + self.epsilon)

    def get_state(self) -> dict[str, list[NDArray]]:
        """The state kept per updated array, by Keras's names: ``{"momentum": [m,
        ...], "velocity": [v, ...]}``; empty lists before the first step."""
        return {"momentum": self.momentums, "velocity": self.velocities}

    def set_state(self, iterations: int, state: dict[str, list[NDArray]]) -> None:
        """Restores the step count and ``get_state``'s arrays (copied), e.g. from a
        saved model, so the next step is the one training would have taken."""
        self.iterations = int(iterations)
        self.momentums = [np.array(m) for m in state["momentum"]]
        self.velocities = [np.array(v) for v in state["velocity"]]
        self.fast_update = jit.faster_adam_update(self, self.momentums)

    def get_config(self) -> dict:
        config = {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
        return super().get_config() | config


def check_gradient(g: NDArray) -> None:
    """Refuses the update if some ``g**2`` overflows (or ``g`` is NaN): ``v`` would
    become inf and the next step NaN (in Keras too)."""
    if not squares_finite(g):
        raise ValueError(
            f"A gradient of {np.abs(g).max():.3g} is too large for Adam in "
            f"{g.dtype} (its square overflows): lower the learning rate or "
            "scale the inputs."
        )


def squares_finite(a: NDArray) -> bool:
    """Whether every ``a * a`` is finite: no NaN, no inf, nothing beyond sqrt(max).

    A sum of squares is at least each of its squares, so if ``vdot(a, a)`` is
    finite, every square is: one BLAS pass, 2.8 us for the study network's 35,210
    weights. Only a sum that is not finite needs the squares themselves, to find
    whether one of them is to blame.

    >>> squares_finite(np.array([3.0, 4.0])), squares_finite(np.array([1e200, 0.0]))
    (True, False)
    """
    if math.isfinite(np.vdot(a, a)):
        return True
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(a * a).all())  # as update_step squares them
