"""Train the NumPy model and the Keras model side by side, and measure how they differ.

Two kinds of comparison:

* ``train_side_by_side``: one *trajectory*. Both models start from the same weights
  (Keras's initial weights, copied across) and see the same batches in the same order
  (one shared permutation per epoch). Any difference is then float rounding, and the
  per-epoch maximum weight difference shows how it grows.
* ``independent_runs``: many seeds per implementation, each model drawing its own
  initial weights and shuffles, for comparing the distributions of final results.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from minigenre.study.network import study_model
from reference.keras_model import build_model, keras_to_numpy


@dataclass
class ParityRun:
    """What one side-by-side trajectory measured; histories are Keras-style dicts."""

    numpy_history: dict[str, list[float]] = field(default_factory=dict)
    keras_history: dict[str, list[float]] = field(default_factory=dict)
    numpy_seconds: float = 0.0
    keras_seconds: float = 0.0
    max_weight_diff: list[float] = field(default_factory=list)  # per epoch
    numpy_proba: np.ndarray | None = None  # validation probabilities at the end
    keras_proba: np.ndarray | None = None

    def max_history_diff(self, key: str) -> float:
        """Largest per-epoch |numpy - keras| of a history entry, e.g. ``"loss"``."""
        a, b = np.array(self.numpy_history[key]), np.array(self.keras_history[key])
        return float(np.abs(a - b).max())

    @property
    def max_proba_diff(self) -> float:
        return float(np.abs(self.numpy_proba - self.keras_proba).max())


def _append(history: dict, logs: dict) -> None:
    for key, values in logs.items():
        history.setdefault(key, []).extend(values)


def train_side_by_side(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    epochs: int = 4,
    batch_size: int = 32,
    seed: int = 0,
) -> ParityRun:
    """Trains both models from identical weights on identical batches.

    Args:
        x_train, y_train: Standardized training features (n, d) and 0-based labels.
        x_val, y_val: Validation data, evaluated after every epoch.
        epochs: Passes over the training data.
        batch_size: Rows per batch.
        seed: Seeds Keras's initial weights and the shared per-epoch permutations.
    """
    x_train = np.asarray(x_train, dtype=np.float32)
    x_val = np.asarray(x_val, dtype=np.float32)
    n_classes = int(max(y_train.max(), y_val.max())) + 1
    keras_model = build_model(seed, input_dim=x_train.shape[1], n_classes=n_classes)
    numpy_model = study_model(seed, n_classes=n_classes)
    keras_to_numpy(keras_model, numpy_model)

    run = ParityRun()
    order_rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = order_rng.permutation(len(x_train))
        x_epoch, y_epoch = x_train[order], y_train[order]
        kwargs = dict(
            batch_size=batch_size,
            epochs=1,
            shuffle=False,  # both follow `order`
            verbose=0,
            validation_data=(x_val, y_val),
        )
        start = time.perf_counter()
        keras_logs = keras_model.fit(x_epoch, y_epoch, **kwargs).history
        run.keras_seconds += time.perf_counter() - start
        start = time.perf_counter()
        numpy_logs = numpy_model.fit(x_epoch, y_epoch, **kwargs).history
        run.numpy_seconds += time.perf_counter() - start
        _append(run.keras_history, keras_logs)
        _append(run.numpy_history, numpy_logs)
        run.max_weight_diff.append(
            max(
                float(np.abs(a - b).max())
                for a, b in zip(
                    numpy_model.get_weights(), keras_model.get_weights(), strict=True
                )
            )
        )
    run.numpy_proba = numpy_model.predict(x_val)
    run.keras_proba = keras_model.predict(x_val, batch_size=batch_size, verbose=0)
    return run


def independent_runs(
    implementation: str,
    seeds: list[int],
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    epochs: int = 4,
    batch_size: int = 32,
) -> np.ndarray:
    """Trains one freshly seeded model per seed; returns (len(seeds), 2) of
    ``[validation loss, validation accuracy]``.

    Args:
        implementation: ``"numpy"`` or ``"keras"``.
        seeds: One run per seed; each draws its own initial weights and shuffles.
    """
    if implementation not in ("numpy", "keras"):
        raise ValueError(
            f"implementation must be 'numpy' or 'keras': {implementation!r}"
        )
    n_classes = int(max(y_train.max(), y_val.max())) + 1
    results = []
    for seed in seeds:
        if implementation == "keras":
            model = build_model(seed, input_dim=x_train.shape[1], n_classes=n_classes)
        else:
            model = study_model(seed, n_classes=n_classes)
        model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0)
        results.append(model.evaluate(x_val, y_val, batch_size=batch_size, verbose=0))
    return np.array(results)
