"""``Optimizer``: what every optimizer shares, as Keras's base optimizer does:
the ``learning_rate``, the step count ``iterations``, ``jit_compile``, and the
settings (``get_config``) that its ``repr`` shows. An optimizer adds its own
settings and state, and its update."""

from __future__ import annotations

from minigenre._speed import jit
from minigenre.training.checks import check_learning_rate


class Optimizer:
    """The base of ``Adam``, ``SGD`` and ``RMSprop``.

    Args:
        learning_rate: Step size.
        jit_compile: ``False``, ``True`` or ``"auto"`` (set by ``Sequential.compile``).
    """

    def __init__(self, learning_rate: float, jit_compile: bool | str = "auto") -> None:
        self.learning_rate = check_learning_rate(learning_rate)
        self.jit_compile = jit.check_jit_compile(jit_compile)
        self.iterations = 0  # updates applied so far

    def get_config(self) -> dict:
        """The settings, by Keras's names (as Keras's optimizers' ``get_config``);
        each optimizer adds its own to these."""
        return {"learning_rate": self.learning_rate}

    def __repr__(self) -> str:  # e.g. Adam(learning_rate=0.001, beta_1=0.9, ...)
        settings = ", ".join(f"{k}={v}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({settings})"
