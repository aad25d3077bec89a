"""Keras 3's progress output, so the two logs line up side by side::

    110/110 ━━━━━━━━━━━━━━━━━━━━ 0s 1ms/step - accuracy: 0.5487 - loss: 1.4883

(``verbose=1``; ``verbose=2`` prints ``110/110 - 0s - 1ms/step - accuracy: ...``
once per epoch). The logs are in alphabetical order, as Keras 3 prints them. On a
terminal the line is redrawn in place as batches finish, the bar's done part in
green and the rest in grey, the time so far replaced by the time left, as Keras
does; elsewhere (a file, a notebook, CI) only the finished line is printed, in
plain characters.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def format_time(seconds: float) -> str:
    """Keras's step time: ``"1s/step"``, ``"366ms/step"`` or ``"80us/step"``."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def epoch_line(steps: int, seconds: float, logs: dict[str, float]) -> str:
    """Keras 3's ``verbose=2`` line, one per epoch, logs in alphabetical order::

    110/110 - 0s - 2ms/step - accuracy: 0.5616 - loss: 1.4179
    """
    line = f"{steps}/{steps} - {seconds:.0f}s - {format_time(seconds / steps)}"
    return line + format_logs(dict(sorted(logs.items())))


def show_finished(
    verbose: int, steps: int, start: float, logs: dict[str, float]
) -> None:
    """What Keras prints when ``evaluate`` or ``predict`` ends: the finished bar
    (``verbose=1``), its one line (``verbose=2``) or nothing (0); ``start`` is the
    ``time.perf_counter()`` of the first batch."""
    if verbose == 1:
        bar = ProgressBar(steps)
        bar.start = start
        bar.update(steps, logs, final=True)
    elif verbose == 2:
        print(epoch_line(steps, time.perf_counter() - start, logs))


def format_logs(logs: dict[str, float]) -> str:
    """``" - loss: 1.4883 - accuracy: 0.5487"``, with Keras's 4 decimals."""
    parts = []
    for key, value in logs.items():
        number = f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"
        parts.append(f" - {key}: {number}")
    return "".join(parts)


class ProgressBar:
    """Shows ``current/target`` steps, elapsed time, time per step and running logs.

    Args:
        target: Total number of steps (batches) in the epoch.
        stream: Where to print; standard output by default, as Keras.
        width: Characters in the bar (Keras 3's 20).
        interval: Minimum seconds between redraws on a terminal.
    """

    def __init__(
        self,
        target: int,
        stream: TextIO | None = None,
        width: int = 20,
        interval: float = 0.05,
    ) -> None:
        self.target = target
        self.stream = stream or sys.stdout
        self.width = width
        self.interval = interval
        self.dynamic = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = self._last_draw = time.perf_counter()

    def update(self, current: int, logs: dict[str, float], final: bool = False) -> None:
        now = time.perf_counter()
        if not final and (not self.dynamic or now - self._last_draw < self.interval):
            return
        self._last_draw = now
        digits = len(str(self.target))
        filled = self.width * current // self.target
        if self.dynamic:  # Keras's colours: the bar's done part green, the rest grey
            done, left = "━" * filled, "━" * (self.width - filled)
            bar = f"\33[32m{done}\x1b[0m\33[37m{left}\x1b[0m"
        else:
            bar = "━" * self.width  # only the finished line is printed
        elapsed = now - self.start
        per_step = elapsed / max(current, 1)
        if final:
            when = f"{elapsed:.0f}s"
        else:  # Keras shows the time left while the epoch runs
            when = f"{per_step * (self.target - current):.0f}s"
        line = (
            f"{current:{digits}d}/{self.target} {bar} {when} {format_time(per_step)}"
            f"{format_logs(dict(sorted(logs.items())))}"
        )
        if self.dynamic:
            self.stream.write("\r" + line + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
