"""Optimizers that update weights in place from their gradients, as Keras's do."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from minigenre import _jit
from minigenre._checks import squares_finite


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

    Every operation is elementwise, so updating one concatenation of several arrays
    equals updating each; ``Sequential`` passes the flat vector holding all its
    weights, one update per step instead of one per array.

    ``Sequential.compile(jit_compile=...)`` may run the same three lines as one
    compiled loop (``_adam_compiled.py``, the ``fast`` extra): the same bits, in a
    fifth of the time. This file stays the reference.

    Args:
        learning_rate: Step size.
        beta_1: Decay rate of the first-moment estimate.
        beta_2: Decay rate of the second-moment estimate.
        epsilon: Added to ``sqrt(v)`` to avoid division by zero.

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
    ) -> None:
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0. Received: {learning_rate}")
        if not math.isfinite(learning_rate):
            raise ValueError(f"learning_rate must be finite. Received: {learning_rate}")
        for name, beta in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0 <= beta < 1:
                raise ValueError(f"{name} must be in [0, 1). Received: {name}={beta}")
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.iterations = 0
        self.jit_compile = "auto"  # set by Sequential.compile; see _jit.py
        self._momentums: list[NDArray] = []
        self._velocities: list[NDArray] = []

    def apply_gradients(self, weights: list[NDArray], gradients: list[NDArray]) -> None:
        """Updates each array in ``weights`` in place from its gradient."""
        if not self._momentums:
            self._momentums = [np.zeros_like(w) for w in weights]
            self._velocities = [np.zeros_like(w) for w in weights]
            self._scratch = [(np.empty_like(w), np.empty_like(w)) for w in weights]
        dtype = weights[0].dtype.type  # Keras casts the scalars to the weight dtype
        t = dtype(self.iterations + 1)
        alpha = (
            dtype(self.learning_rate)
            * np.sqrt(1 - dtype(self.beta_2) ** t)
            / (1 - dtype(self.beta_1) ** t)
        )
        compiled = _jit.adam_kernels(
            self.jit_compile, weights, gradients, self._momentums, self._velocities
        )
        self._check_gradients(gradients)
        if compiled is not None:  # the same three lines in one loop (_adam_compiled)
            # reshape(-1): (size,) views, as _jit accepts only C-contiguous arrays
            for w, g, m, v in zip(
                weights, gradients, self._momentums, self._velocities, strict=True
            ):
                compiled.adam_update(
                    w.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1),
                    alpha, dtype(1 - self.beta_1), dtype(1 - self.beta_2),
                    dtype(self.epsilon),
                )  # fmt: skip
            self.iterations += 1
            return
        beta_1, beta_2, epsilon = self.beta_1, self.beta_2, self.epsilon
        # The docstring's three lines, in Keras's order, one statement each. Their
        # intermediate results go into the scratch arrays s and r (out=) rather
        # than new arrays: the same operations in the same order, so the same bits.
        # Written with operators (m += (g - m) * (1 - beta_1), ...) they allocate
        # nine arrays of the flat vector's size per step, and a 4-epoch fit of the
        # study's network took 2.5-4% more CPU time, measured side by side.
        for w, g, m, v, (s, r) in zip(
            weights,
            gradients,
            self._momentums,
            self._velocities,
            self._scratch,
            strict=True,
        ):
            # m += (g - m) * (1 - beta_1)
            m += np.multiply(np.subtract(g, m, out=s), 1 - beta_1, out=s)
            # v += (g**2 - v) * (1 - beta_2)
            v += np.multiply(
                np.subtract(np.square(g, out=s), v, out=s), 1 - beta_2, out=s
            )
            # w -= (m * alpha) / (sqrt(v) + epsilon)
            w -= np.divide(
                np.multiply(m, alpha, out=s),
                np.add(np.sqrt(v, out=r), epsilon, out=r),
                out=s,
            )
        self.iterations += 1

    def _check_gradients(self, gradients: list[NDArray]) -> None:
        """Refuses every update if some ``g**2`` overflows (or ``g`` is NaN): ``v``
        would become inf and the next step NaN (in Keras too)."""
        for g in gradients:
            if not squares_finite(g):
                raise ValueError(
                    f"A gradient of {np.abs(g).max():.3g} is too large for Adam in "
                    f"{g.dtype} (its square overflows): lower the learning rate or "
                    "scale the inputs."
                )

    def get_state(self) -> dict[str, list[NDArray]]:
        """The state kept per updated array, by Keras's names: ``{"momentum": [m,
        ...], "velocity": [v, ...]}``; empty lists before the first step."""
        return {"momentum": self._momentums, "velocity": self._velocities}

    def set_state(self, iterations: int, state: dict[str, list[NDArray]]) -> None:
        """Restores the step count and ``get_state``'s arrays (copied), e.g. from a
        saved model, so the next step is the one training would have taken."""
        self.iterations = int(iterations)
        self._momentums = [np.array(m) for m in state["momentum"]]
        self._velocities = [np.array(v) for v in state["velocity"]]
        self._scratch = [(np.empty_like(m), np.empty_like(m)) for m in self._momentums]

    def __repr__(self) -> str:
        return (
            f"Adam(learning_rate={self.learning_rate}, beta_1={self.beta_1}, "
            f"beta_2={self.beta_2}, epsilon={self.epsilon})"
        )


class SGD:
    """Stochastic gradient descent with optional momentum, as Keras's ``SGD``.

    Without momentum ``w -= learning_rate * g``; with it, a velocity
    ``u = momentum * u - learning_rate * g`` is kept and ``w += u``.

    Args:
        learning_rate: Step size.
        momentum: Fraction of the previous velocity kept, in [0, 1].

    >>> w = np.array([1.0])
    >>> SGD(learning_rate=0.5).apply_gradients([w], [np.array([2.0])])
    >>> w
    array([0.])
    """

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0) -> None:
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0. Received: {learning_rate}")
        if not math.isfinite(learning_rate):
            raise ValueError(f"learning_rate must be finite. Received: {learning_rate}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"momentum must be in [0, 1]. Received: {momentum}")
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.iterations = 0
        self._velocities: list[NDArray] = []

    def apply_gradients(self, weights: list[NDArray], gradients: list[NDArray]) -> None:
        """Updates each array in ``weights`` in place from its gradient."""
        if self.momentum == 0:
            for w, g in zip(weights, gradients, strict=True):
                w -= g * self.learning_rate
        else:
            if not self._velocities:
                self._velocities = [np.zeros_like(w) for w in weights]
            for w, g, u in zip(weights, gradients, self._velocities, strict=True):
                u *= self.momentum
                u -= g * self.learning_rate
                w += u
        self.iterations += 1

    def get_state(self) -> dict[str, list[NDArray]]:
        """``{"momentum": [u, ...]}`` (Keras's name for the velocity), one array per
        updated array; empty before the first step; nothing without momentum."""
        return {"momentum": self._velocities} if self.momentum else {}

    def set_state(self, iterations: int, state: dict[str, list[NDArray]]) -> None:
        """Restores the step count and ``get_state``'s arrays (copied)."""
        self.iterations = int(iterations)
        if self.momentum:
            self._velocities = [np.array(u) for u in state["momentum"]]

    def __repr__(self) -> str:
        return f"SGD(learning_rate={self.learning_rate}, momentum={self.momentum})"


OPTIMIZERS = {"adam": Adam, "sgd": SGD}


def get(identifier) -> Adam | SGD:
    """Resolves ``"adam"``/``"sgd"`` (case-insensitive) or passes an instance through.

    Raises:
        ValueError: If the name is unknown; the message lists the valid names.
    """
    if isinstance(identifier, Adam | SGD):
        return identifier
    if not isinstance(identifier, str) or identifier.lower() not in OPTIMIZERS:
        raise ValueError(
            f"Unknown optimizer: {identifier!r}. "
            f"Valid names: {', '.join(sorted(OPTIMIZERS))}."
        )
    return OPTIMIZERS[identifier.lower()]()
