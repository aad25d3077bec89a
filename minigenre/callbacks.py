"""Training callbacks: the History every ``fit`` returns, and EarlyStopping."""

from __future__ import annotations

import math
import warnings

import numpy as np

from minigenre.training.checks import check_int, is_real_number


class Callback:
    """Base class: ``fit`` calls these hooks; ``self.model`` is set before training."""

    model = None

    def on_train_begin(self, logs: dict | None = None) -> None: ...

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...

    def on_train_end(self, logs: dict | None = None) -> None: ...


class History(Callback):
    """Records each epoch's logs: ``history.history["loss"][epoch]`` and so on."""

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


def check_monitor(monitor, mode) -> None:
    """Refuses a ``monitor`` that is not a log key or a ``mode`` Keras does not
    know (the types first: ``in`` on an array would compare each element)."""
    if not isinstance(monitor, str):
        raise ValueError(
            f"monitor must be a log key such as 'val_loss'. Received: {monitor!r}"
        )
    if not (isinstance(mode, str) and mode in ("auto", "min", "max")):
        raise ValueError(f"mode must be 'auto', 'min' or 'max'. Received: {mode!r}")


class EarlyStopping(Callback):
    """Stops training when a monitored metric has stopped improving, as in Keras.

    After each epoch the metric is compared with the best so far; an improvement must
    beat it by more than ``min_delta``. After ``patience`` epochs without one, training
    stops (never after the first epoch). With ``restore_best_weights`` the model ends
    with the weights of its best epoch.

    Args:
        monitor: The log key to watch, e.g. ``"val_loss"`` or ``"val_accuracy"``.
        min_delta: Smallest change that counts as an improvement.
        patience: Epochs without improvement before stopping.
        mode: ``"min"``, ``"max"``, or ``"auto"`` (max for accuracy, min otherwise).
        restore_best_weights: Restore the best epoch's weights at the end.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        check_monitor(monitor, mode)
        patience = check_int(patience, "patience", minimum=0)
        if not (is_real_number(min_delta) and math.isfinite(min_delta)):
            raise ValueError(
                f"min_delta must be a finite number. Received: min_delta={min_delta!r}"
            )
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        self.mode = mode
        self.restore_best_weights = restore_best_weights

    def _is_improvement(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf if self.mode == "min" else -np.inf
        self.best_epoch = 0
        self.best_weights = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(
                f"EarlyStopping: metric {self.monitor!r} is not in the logs; "
                f"available: {sorted(logs or {})}.",
                stacklevel=2,
            )
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()  # epoch 0 is a fallback
        self.wait += 1
        if self._is_improvement(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.restore_best_weights and self.best_weights is not None:
            self.model.set_weights(self.best_weights)

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(monitor={self.monitor!r}, min_delta={self.min_delta}, "
            f"patience={self.patience}, "
            f"restore_best_weights={self.restore_best_weights})"
        )


class ModelCheckpoint(Callback):
    """Saves the model (or its weights) after each epoch, as Keras's callback.

    The path may hold the epoch's logs as format fields, e.g.
    ``"model-{epoch:02d}-{val_loss:.2f}.keras"`` (``epoch`` counts from 1). Every
    file is written atomically: an interrupted save leaves the previous file whole.

    Args:
        filepath: Ends in ``.keras`` (or ``.npz``) for the whole model, in
            ``.weights.h5`` (or ``.npz``) with ``save_weights_only``.
        monitor: The log key that decides ``save_best_only``.
        verbose: 1 prints a line when a file is written.
        save_best_only: Save only when ``monitor`` improves on the best so far.
        save_weights_only: Save the weights alone (``model.save_weights``).
        mode: ``"min"``, ``"max"``, or ``"auto"`` (max for accuracy, min otherwise).
        initial_value_threshold: The value to beat first with ``save_best_only``.
    """

    def __init__(
        self,
        filepath,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        initial_value_threshold: float | None = None,
    ) -> None:
        path = str(filepath)
        ends = (".weights.h5", ".npz") if save_weights_only else (".keras", ".npz")
        if not path.endswith(ends):
            raise ValueError(
                f"The filepath must end in {' or '.join(ends)} "
                f"(save_weights_only={save_weights_only}). Received: {path}"
            )
        check_monitor(monitor, mode)
        if mode == "auto":
            mode = (
                "max" if "acc" in monitor or monitor.startswith("fmeasure") else "min"
            )
        self.filepath, self.monitor, self.verbose = path, monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.mode = mode
        worst = np.inf if mode == "min" else -np.inf
        self.best = (
            worst if initial_value_threshold is None else initial_value_threshold
        )

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            value = logs.get(self.monitor)
            if value is None:
                warnings.warn(
                    f"ModelCheckpoint: metric {self.monitor!r} is not in the logs; "
                    f"available: {sorted(logs)}. Nothing saved.",
                    stacklevel=2,
                )
                return
            better = value < self.best if self.mode == "min" else value > self.best
            if not better:
                return
            if self.verbose:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from "
                    f"{self.best:.5f} to {value:.5f}, saving model to {path}"
                )
            self.best = value
        elif self.verbose:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)

    def __repr__(self) -> str:
        return (
            f"ModelCheckpoint({self.filepath!r}, monitor={self.monitor!r}, "
            f"save_best_only={self.save_best_only})"
        )
