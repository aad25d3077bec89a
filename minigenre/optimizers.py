"""Optimizers that update weights in place from their gradients, as Keras's do."""

from __future__ import annotations

import functools
import math

import numpy as np
from numpy.typing import NDArray

from minigenre._speed import jit
from minigenre.training.checks import check_learning_rate


class Adam:
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
        for name, beta in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0 <= beta < 1:
                raise ValueError(f"{name} must be in [0, 1). Received: {name}={beta}")
        if isinstance(epsilon, bool) or not (
            isinstance(epsilon, int | float | np.floating) and 0 <= epsilon < np.inf
        ):  # NaN would turn every weight NaN at the first step; 0 is the paper's
            raise ValueError(
                f"epsilon must be a finite number >= 0. Received: epsilon={epsilon!r}"
            )
        self.learning_rate = check_learning_rate(learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.jit_compile = jit.check_jit_compile(jit_compile)
        self.iterations = 0
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
        """The settings, by Keras's names (``keras.optimizers.Adam.get_config``)."""
        return {
            "learning_rate": self.learning_rate,
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }

    def __repr__(self) -> str:
        return (
            f"Adam(learning_rate={self.learning_rate}, beta_1={self.beta_1}, "
            f"beta_2={self.beta_2}, epsilon={self.epsilon})"
        )


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
    """Whether every ``a**2`` is finite: no NaN, no inf, nothing beyond sqrt(max).

    A sum of squares is at least each of its squares, so if ``vdot(a, a)`` is
    finite, every square is: one BLAS pass, 2.8 us for the study network's 35,210
    weights, where a min and a max take 5.2 us (two passes). Only a sum that is not
    finite needs the exact check, which finds whether one square is to blame.

    >>> squares_finite(np.array([3.0, 4.0])), squares_finite(np.array([1e200, 0.0]))
    (True, False)
    """
    if math.isfinite(np.vdot(a, a)):
        return True
    bound = largest_squarable(a.dtype)
    return bool(-bound <= a.min() and a.max() <= bound)  # NaN fails both


@functools.cache
def largest_squarable(dtype: np.dtype) -> float:
    """The largest value of ``dtype`` whose square is finite.

    >>> float(largest_squarable(np.dtype(np.float32)))
    1.8446742974197924e+19
    """
    g = np.sqrt(np.finfo(dtype).max)  # may round up, to a value whose square overflows
    with np.errstate(over="ignore"):
        while not np.isfinite(g * g):
            g = np.nextafter(g, dtype.type(0))
    return g


class SGD:
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
        if not 0 <= momentum <= 1:
            raise ValueError(f"momentum must be in [0, 1]. Received: {momentum}")
        self.learning_rate = check_learning_rate(learning_rate)
        self.momentum = momentum
        self.jit_compile = jit.check_jit_compile(jit_compile)
        self.iterations = 0
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
        """The settings, by Keras's names (``keras.optimizers.SGD.get_config``)."""
        return {"learning_rate": self.learning_rate, "momentum": self.momentum}

    def __repr__(self) -> str:
        return f"SGD(learning_rate={self.learning_rate}, momentum={self.momentum})"


class RMSprop:
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
        if not 0 <= rho < 1:
            raise ValueError(f"rho must be in [0, 1). Received: rho={rho}")
        if not 0 <= momentum < 1:
            raise ValueError(
                f"momentum must be in [0, 1). Received: momentum={momentum}"
            )
        self.learning_rate = check_learning_rate(learning_rate)
        self.rho, self.momentum, self.epsilon = rho, momentum, epsilon
        self.centered = bool(centered)
        self.jit_compile = jit.check_jit_compile(jit_compile)
        self.iterations = 0
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
        """The settings, by Keras's names (``keras.optimizers.RMSprop.get_config``)."""
        return {
            "learning_rate": self.learning_rate,
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in self.get_config().items())
        return f"RMSprop({settings})"


OPTIMIZERS = {"adam": Adam, "sgd": SGD, "rmsprop": RMSprop}
# Keras's other optimizer names, refused where they are used, naming what is here.
KERAS_ONLY = (
    "adadelta", "adafactor", "adagrad", "adamax", "adamw", "ftrl", "lamb",
    "lion", "loss_scale_optimizer", "muon", "nadam",
)  # fmt: skip
Optimizer = Adam | SGD | RMSprop


def get(identifier) -> Optimizer:
    """Resolves ``"adam"``, ``"sgd"`` or ``"rmsprop"`` (case-insensitive, as Keras)
    or passes an instance through.

    Raises:
        ValueError: If the name is unknown; the message lists the valid names.
    """
    if isinstance(identifier, Adam | SGD | RMSprop):
        return identifier
    name = identifier.lower() if isinstance(identifier, str) else None
    if name in KERAS_ONLY:
        raise ValueError(
            f"The Keras optimizer {identifier!r} is not in minigenre; use one of "
            f"{', '.join(sorted(OPTIMIZERS))}."
        )
    if name not in OPTIMIZERS:
        raise ValueError(
            f"Unknown optimizer: {identifier!r}. "
            f"Valid names: {', '.join(sorted(OPTIMIZERS))}."
        )
    return OPTIMIZERS[name]()
