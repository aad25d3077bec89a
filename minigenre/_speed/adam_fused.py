"""Adam's ``apply_gradients`` for the compiled training step, with the step's two
checks folded into the compiled loop (``jit_compile``).

The reference is what ``train_step`` runs around the update: ``Adam.apply_gradients``
(``optimizers/adam.py``) checks that no ``g * g`` overflows (one pass over the
gradients), computes the step size ``alpha``, updates every weight (one pass; the
compiled ``adam_compiled.adam_update`` once ``jit.py`` chose it) and counts the
step; then ``all_finite`` checks the new weights (another pass).
``adam_compiled.adam_update_checked`` makes the two checks inside the update's
loops: for the study's 35,210 float32 weights 13.0 us where the update and the
two checks took 16.6 (11.2 + 2.9 + 2.5, measured alone).

``update`` chooses it once per fit, only when the optimizer already runs
the compiled loop (its ``fast_update``) on one flat vector and a probe finds the
readable ``apply_gradients``'s bits at several step counts: a learner who edits
``apply_gradients`` trains with the edit. A gradient the check refuses goes to
the readable ``apply_gradients``, which raises its own message, nothing changed.
"""

from __future__ import annotations

import copy

import numpy as np

from minigenre._speed import jit

PROBE_STEPS = (0, 1, 2, 9, 999, 123_455)  # iterations before the probe's step


def update(optimizer, weights: np.ndarray, gradients: np.ndarray, all_finite):
    """``() -> bool``: ``apply_gradients([weights], [gradients])`` on the flat
    vectors, then ``all_finite(weights)``, the step's check (``train_step.py``).
    A ``FusedAdam`` where it agrees, else the two calls themselves."""
    kernels = jit.loaded_kernels()
    if kernels is not None and getattr(optimizer, "fast_update", None) is not None:
        kernel = kernels.adam_update_checked
        fused = FusedAdam(optimizer, weights, gradients, kernel, all_finite)
        if fused.takes_state() and agrees(optimizer, fused):
            return fused

    def apply_then_check() -> bool:
        optimizer.apply_gradients([weights], [gradients])
        return all_finite(weights)

    return apply_then_check


class FusedAdam:
    """``apply_gradients([weights], [gradients])`` then the weights' check:
    calling it returns whether every new weight is finite (``all_finite``, which
    checks them where the compiled loop does not)."""

    def __init__(self, optimizer, weights, gradients, kernel, all_finite) -> None:
        self.optimizer, self.weights, self.gradients = optimizer, weights, gradients
        self.kernel, self.all_finite = kernel, all_finite
        self.scalars = jit.LoopScalars(optimizer)
        self.state: tuple = (None, None)  # (m, v) last found fit for the loop

    def takes_state(self) -> bool:
        """Whether the optimizer's ``m`` and ``v`` are one array each, of the
        weights' shape and dtype, C-contiguous (``set_state`` may replace them)."""
        state = self.optimizer.momentums, self.optimizer.velocities
        w = self.weights
        return all(
            len(arrays) == 1
            and arrays[0].shape == w.shape
            and arrays[0].dtype == w.dtype
            and arrays[0].flags.c_contiguous
            for arrays in state
        ) and all(a.flags.c_contiguous for a in (w, self.gradients))

    def __call__(self) -> bool:
        opt, w, g = self.optimizer, self.weights, self.gradients
        ms, vs = opt.momentums, opt.velocities
        m, v = self.state
        if not (len(ms) == len(vs) == 1 and ms[0] is m and vs[0] is v):
            if not self.takes_state():  # checked again only when m or v changed
                opt.apply_gradients([w], [g])
                return self.all_finite(w)
            self.state = ms[0], vs[0]
        dtype = w.dtype.type  # apply_gradients' step size, the same operations
        t = dtype(opt.iterations + 1)
        alpha = (
            dtype(opt.learning_rate)
            * np.sqrt(1 - dtype(opt.beta_2) ** t)
            / (1 - dtype(opt.beta_1) ** t)
        )
        code = self.kernel(w, g, ms[0], vs[0], alpha, *self.scalars(w.dtype))
        if code == 1:  # a g * g overflows, nothing changed: the readable update
            opt.apply_gradients([w], [g])  # refuses it with its message
            return self.all_finite(w)
        opt.iterations += 1
        return code == 0


def agrees(optimizer, fused: FusedAdam) -> bool:
    """Whether ``fused`` gives the readable ``apply_gradients``'s bits (weights,
    ``m``, ``v``, step count) on a probe of 257 weights after each of
    ``PROBE_STEPS`` steps, on copies: the optimizer itself is not touched."""
    w0, g, m0, v0 = jit.probe_arrays(fused.weights.dtype)
    for steps in PROBE_STEPS:
        mine, theirs = (scratch(optimizer, m0, v0, steps) for _ in range(2))
        w_mine, w_theirs = w0.copy(), w0.copy()
        with np.errstate(all="ignore"):
            mine.apply_gradients([w_mine], [g])
            FusedAdam(theirs, w_theirs, g, fused.kernel, fused.all_finite)()
        pairs = [(w_mine, w_theirs), (mine.momentums[0], theirs.momentums[0]),
                 (mine.velocities[0], theirs.velocities[0])]  # fmt: skip
        if mine.iterations != theirs.iterations or any(
            a.dtype != b.dtype or a.tobytes() != b.tobytes() for a, b in pairs
        ):
            return False
    return True


def scratch(optimizer, m, v, steps: int):
    """A copy of ``optimizer`` at ``steps`` steps with state ``m``, ``v`` (copied),
    running the readable ``update_step``."""
    other = copy.copy(optimizer)
    other.momentums, other.velocities = [m.copy()], [v.copy()]
    other.iterations, other.fast_update = steps, None
    return other
