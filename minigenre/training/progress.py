"""A progress bar printing Keras's training log format, so the two logs line up::

    110/110 [==============================] - 0s 1ms/step - loss: 1.49 - accuracy: 0.55

On a terminal the line is redrawn in place as batches finish; elsewhere (a file, a
notebook, CI) only the finished line is printed, as Keras does.
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
        width: Characters in the bar.
        interval: Minimum seconds between redraws on a terminal.
    """

    def __init__(
        self,
        target: int,
        stream: TextIO | None = None,
        width: int = 30,
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
        bar = "=" * filled
        if filled < self.width:
            bar = bar[:-1] + ">" if bar else ">"
        bar = (
            f"{current:{digits}d}/{self.target} [{bar}{'.' * (self.width - len(bar))}]"
        )
        elapsed = now - self.start
        speed = format_time(elapsed / max(current, 1))
        line = f"{bar} - {elapsed:.0f}s {speed}{format_logs(logs)}"
        if self.dynamic:
            self.stream.write("\r" + line + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
