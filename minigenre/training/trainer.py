"""Keras's training API: ``fit``, ``evaluate``, ``train_on_batch``, ``test_on_batch``.

``Sequential`` inherits them, as Keras models inherit its ``Trainer``. Each checks
what it is given, all before the first update, then runs the loops in
``training.py``; the network itself (layers, forward, backward, one training step)
is in ``model.py``.
"""

from __future__ import annotations

import math
import time

import numpy as np
from numpy.typing import ArrayLike

from minigenre import training
from minigenre._checks import check_int
from minigenre._threads import blas_threads
from minigenre.callbacks import Callback, History
from minigenre.progress import show_finished
from minigenre.weighting import check_sample_weight


class Trainer:
    """The training methods of ``Sequential`` (see ``model.py`` for the rest)."""

    def train_on_batch(
        self,
        x: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        class_weight: dict[int, float] | None = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """Runs one gradient update on one batch, as Keras's ``train_on_batch``.

        Afterwards each layer's ``grad_kernel`` and ``grad_bias`` hold this batch's
        gradients, taken at the weights before the update.

        Args:
            x: The batch's features, (batch, features).
            y: Its integer labels, (batch,).
            sample_weight: Optional weight of each sample's loss, (batch,).
            class_weight: Optional weight per class, used as ``sample_weight``.
            return_dict: Return ``{"loss": ..., "accuracy": ...}``.

        Returns:
            The batch's loss before the update, or ``[loss, accuracy]`` if the model
            was compiled with ``metrics=["accuracy"]``, or the dict.
        """
        x, y = self._check_ready(x, y, "train_on_batch")
        weight = training.sample_weights(self, y, sample_weight, class_weight)
        logs = training.RunningLogs(self)
        with blas_threads(self._largest_product(len(x))):
            logs.add(*self._train_step(x, y, weight), y, weight)
        return _returned(logs.result(), return_dict)  # the batch's own, as Keras

    def test_on_batch(
        self,
        x: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """The loss and metrics of one batch, without an update (Keras's name)."""
        return self.evaluate(
            x, y, batch_size=len(np.asarray(x)) or 1, verbose=0,
            sample_weight=sample_weight, return_dict=return_dict,
        )  # fmt: skip

    def fit(
        self,
        x: ArrayLike,
        y: ArrayLike,
        batch_size: int = 32,
        epochs: int = 1,
        verbose: int = 1,
        validation_split: float = 0.0,
        validation_data: tuple | None = None,
        shuffle: bool = True,
        class_weight: dict[int, float] | str | None = None,
        callbacks: list[Callback] | None = None,
        sample_weight: ArrayLike | None = None,
        initial_epoch: int = 0,
    ) -> History:
        """Trains for ``epochs`` passes over the data in mini-batches.

        Mirrors Keras 3: ``validation_split`` holds out the *last* fraction of the
        rows (and of ``sample_weight``), before shuffling; the training rows are
        reshuffled every epoch; the epoch's ``loss`` is the batch-size-weighted mean
        of the batch losses, each ``sum(w * loss) / batch_size`` with sample or
        class weights; ``metrics`` count every row alike, ``weighted_metrics`` weigh
        them. All from each batch's forward pass before its update. Everything given
        is checked before the first update. The loop itself is in ``training.py``.

        Args:
            class_weight: ``{class: weight}`` (finite, > 0; a class left out weighs
                1.0) or ``"balanced"`` (``weighting.balanced_class_weight``).
            sample_weight: One weight per row, (n,); not with ``class_weight``.
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val,
                val_sample_weight)``; wins over ``validation_split``.
            initial_epoch: The epoch to resume at (epochs run from it to
                ``epochs``), e.g. after ``load_model``.
            verbose: 0 silent, 1 a progress bar, 2 one line per epoch.

        Returns:
            A ``History``: ``history.history`` maps ``loss``, each metric and, with
            validation, ``val_loss`` and each ``val_`` metric to per-epoch lists.
        """
        x, y = self._check_ready(x, y, "fit")
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        epochs = check_int(epochs, "epochs", minimum=0)
        initial_epoch = check_int(initial_epoch, "initial_epoch", minimum=0)
        verbose = check_verbose(verbose)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, len(y), self.dtype)
        if validation_data is not None:  # it wins over validation_split, as in Keras
            validation = training.check_validation_data(self, validation_data)
        else:
            x, y, sample_weight, validation = training.split_validation(
                x, y, sample_weight, validation_split
            )
        weight = training.sample_weights(self, y, sample_weight, class_weight)
        with blas_threads(self._largest_product(min(batch_size, len(x)))):
            return training.fit_loop(
                self,
                training.Batches(x, y, weight, batch_size),
                epochs=epochs,
                verbose=verbose,
                validation=validation,
                rng=self._shuffle_rng if shuffle else None,
                callbacks=[History(), *(callbacks or [])],
                initial_epoch=initial_epoch,
            )

    def evaluate(
        self,
        x: ArrayLike,
        y: ArrayLike,
        batch_size: int | None = None,
        verbose: int = 1,
        sample_weight: ArrayLike | None = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """The loss and metrics on (x, y), as Keras's ``evaluate``, in batches of
        ``batch_size`` rows (None: Keras's 32), computed in large chunks with the
        same bits (see ``_chunks``).

        Each batch's loss is ``sum(w * loss) / batch_size`` (``w = 1`` without
        ``sample_weight``), the result their batch-size-weighted mean; metrics
        use the weights only if they are ``weighted_metrics``.

        Returns:
            ``[loss, *metrics]`` (just the loss without metrics), or a dict.
        """
        x, y = self._check_ready(x, y, "evaluate")
        batch_size = 32 if batch_size is None else batch_size
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        verbose = check_verbose(verbose)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, len(y), self.dtype)
        steps = math.ceil(len(x) / batch_size)
        start = time.perf_counter()  # Keras's bar counts from the first batch
        chunks = self._chunks(len(x), batch_size)
        with blas_threads(self._largest_product(chunks[0].stop)):
            logs = training.evaluate_loop(self, x, y, sample_weight, batch_size, chunks)
        show_finished(verbose, steps, start, logs)
        return _returned(logs, return_dict)


def check_verbose(verbose) -> int:
    if verbose not in (0, 1, 2) or isinstance(verbose, float):
        raise ValueError(f"verbose must be 0, 1 or 2. Received: verbose={verbose!r}")
    return int(verbose)


def _returned(logs: dict[str, float], return_dict: bool):
    """Keras's return value: the dict, the loss alone, or ``[loss, *metrics]``."""
    if return_dict:
        return logs
    return logs["loss"] if len(logs) == 1 else list(logs.values())
