"""Keras's model API around the network: ``fit``, ``evaluate``, ``predict`` and the
one-batch calls (``train_on_batch``, ``test_on_batch``, ``compute_gradients``).

``Sequential`` inherits them, as Keras models inherit its ``Trainer``, with
``save``, ``save_weights`` and ``load_weights`` (``minigenre.saving.model_files``).
Each checks what it is given, all before the first update, then runs the loops in
``loops.py``. They use only the model's public members: ``layers``, ``dtype``,
``optimizer``, ``metrics``, ``built``, ``input_dim``, ``build``, ``flat``,
``shuffle_generator``, ``train_step``, ``test_step``, ``predict_step``,
``compute_loss`` and ``backward`` (``model.py`` and ``train_step.py``).
``make_train_function`` below is the engine's choice of how each step runs.
"""

from __future__ import annotations

import math
import time

import numpy as np
from numpy.typing import ArrayLike, NDArray

from minigenre._speed import chunks, jit, predict_compiled, probes, step_compiled
from minigenre._speed.flat import flat_parameters
from minigenre.callbacks import Callback, History
from minigenre.saving.model_files import ModelFiles
from minigenre.train_step import Batches, RunningLogs, all_finite
from minigenre.training import loops, overflow, validation, weighting
from minigenre.training.checks import check_int, check_model_input
from minigenre.training.progress import show_finished


class Trainer(ModelFiles):
    """The training methods of ``Sequential`` (see ``model.py`` for the network)."""

    history: History | None = None  # the last fit's, as Keras's model.history

    @property
    def metrics_names(self) -> list[str]:
        """Keras 3's: ``["loss", "compile_metrics"]`` with metrics (all of them
        under that one name, as Keras 3.15 reports), else ``["loss"]``. The
        names of ``evaluate``'s values are its ``return_dict=True`` keys."""
        return ["loss", "compile_metrics"] if self.compiled_metrics else ["loss"]

    def make_train_function(self, steps: int) -> None:
        """Readies ``train_step`` for ``steps`` steps (``fit`` and
        ``train_on_batch`` call it first; Keras's name): gathers the weights into
        one flat vector again if a layer's arrays were replaced, and lets the
        optimizer choose its update once (see ``minigenre/_speed/jit.py``).

        ``train_function`` is the step ``fit`` runs: ``train_step``, or with
        ``jit_compile`` the same step with its elementwise work compiled, chosen
        only if it gives ``train_step``'s bits (``_speed/step_compiled.py``)."""
        self.flat = flat_parameters(self.layers, self.dtype, self.flat)
        jit.choose_for_fit(self.optimizer, [self.flat.weights], steps)
        compiled = step_compiled.choose(self, self.flat, all_finite)
        self.train_function = compiled or self.train_step

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
        x, y = checked_batch(self, x, y, "train_on_batch")
        weight = self._weights_of(y, sample_weight, class_weight)
        self.make_train_function(steps=1)
        logs = RunningLogs(self)
        with probes.training_threads(self.layers, len(x), self.dtype):
            logs.add(*self.train_step(x, y, weight), y, weight)
        return returned(logs.result(), return_dict)  # the batch's own, as Keras

    def compute_gradients(
        self, x: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> list[NDArray]:
        """dL/dweight of one batch at the current weights, without an update
        (BatchNormalization's moving statistics, which a training forward pass
        moves, are put back).

        Returns:
            One array per trainable weight, in ``trainable_weights`` order:
            ``[dL/dkernel_0, dL/dbias_0, ...]``, the loss being the batch's
            ``sum(w * loss) / n``.
        """
        x, y = checked_batch(self, x, y, "compute_gradients")
        weight = self._weights_of(y, sample_weight, None)
        before = self.get_weights()
        with probes.training_threads(self.layers, len(x), self.dtype):
            out, _ = self.compute_loss(x, y, weight, training=True)
            self.backward(y, out, weight)
        self.set_weights(before)
        return [g.copy() for layer in self.layers for g in layer.gradients]

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
        is checked before the first update. The loops are in ``loops.py`` and
        ``train_step.py``.

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
        x, y = checked_batch(self, x, y, "fit")
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        epochs = check_int(epochs, "epochs", minimum=0)
        initial_epoch = check_int(initial_epoch, "initial_epoch", minimum=0)
        verbose = check_verbose(verbose)
        if sample_weight is not None:
            sample_weight = weighting.check_sample_weight(
                sample_weight, len(y), self.dtype
            )
        if validation_data is not None:  # it wins over validation_split, as in Keras
            held_out = validation.check_validation_data(self, validation_data)
        else:
            x, y, sample_weight, held_out = validation.split_validation(
                x, y, sample_weight, validation_split
            )
        weight = self._weights_of(y, sample_weight, class_weight)
        batches = Batches(x, y, weight, batch_size)
        history = History()
        history.params = {"verbose": verbose, "epochs": epochs, "steps": batches.steps}
        self.history = history  # model.history, as in Keras
        rows = min(batch_size, len(x))
        with probes.training_threads(self.layers, rows, self.dtype):
            # the probes of the compiled forms run with the fit's threads too
            self.make_train_function(max(epochs - initial_epoch, 0) * batches.steps)
            return loops.fit_loop(
                self,
                batches,
                epochs=epochs,
                verbose=verbose,
                validation=held_out,
                rng=self.shuffle_generator if shuffle else None,
                callbacks=[history, *(callbacks or [])],
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
        same bits (see ``minigenre/_speed/chunks.py``).

        Each batch's loss is ``sum(w * loss) / batch_size`` (``w = 1`` without
        ``sample_weight``), the result their batch-size-weighted mean; metrics
        use the weights only if they are ``weighted_metrics``.

        Returns:
            ``[loss, *metrics]`` (just the loss without metrics), or a dict.
        """
        x, y = checked_batch(self, x, y, "evaluate")
        batch_size = 32 if batch_size is None else batch_size
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        verbose = check_verbose(verbose)
        if sample_weight is not None:
            sample_weight = weighting.check_sample_weight(
                sample_weight, len(y), self.dtype
            )
        steps = math.ceil(len(x) / batch_size)
        start = time.perf_counter()  # Keras's bar counts from the first batch
        with chunks.plan(self.layers, len(x), batch_size, self.dtype) as parts:
            logs = loops.evaluate_loop(self, x, y, sample_weight, batch_size, parts)
        if not math.isfinite(logs["loss"]):  # finite inputs that overflow: say where
            overflow.check_outputs(self, x, overflow.outputs(self, x), "evaluate")
        show_finished(verbose, steps, start, logs)
        return returned(logs, return_dict)

    def predict(
        self, x: ArrayLike, batch_size: int | None = None, verbose: int = 0
    ) -> NDArray:
        """Returns the model's outputs, (n, units): class probabilities for softmax.

        Args:
            batch_size: Rows per forward pass; None means Keras's 32, computed in
                large chunks with the same bits (``_speed/chunks.py``).
            verbose: 0 silent (the default here; Keras shows a bar), 1 a progress
                bar, 2 one line.

        ``predict_function`` is then the pass it ran: ``predict_step``, or with
        ``jit_compile`` the same pass compiled where it gives the same bits
        (``_speed/predict_compiled.py``).
        """
        if not self.built:
            raise ValueError("The model is not built: call fit() or set_weights().")
        x = check_model_input(x, self.dtype, self.input_dim)
        verbose = check_verbose(verbose)
        if len(x) == 0:
            return np.empty((0, self.layers[-1].units))
        if batch_size is not None:
            batch_size = check_int(batch_size, "batch_size", minimum=1)
        out = np.empty((len(x), self.layers[-1].units), self.dtype)  # (n, units)
        start = time.perf_counter()
        chunked = batch_size is None  # Keras's batches of 32, in chunks if the same
        size = 32 if chunked else batch_size
        with chunks.plan(self.layers, len(x), size, self.dtype, chunked) as parts:
            # predict_step, or with jit_compile the same pass compiled (same bits)
            compiled = predict_compiled.choose(
                self, getattr(self, "predict_function", None)
            )
            self.predict_function = compiled or self.predict_step  # Keras's name
            for rows in parts:
                if compiled is None:
                    out[rows] = self.predict_step(x[rows])
                else:
                    compiled(x[rows], out[rows])
        overflow.check_outputs(self, x, out, "predict")
        steps = math.ceil(len(x) / size)
        show_finished(verbose, steps, start, {})
        return out

    def predict_on_batch(self, x: ArrayLike) -> NDArray:
        """The outputs for one batch, (batch, units) (Keras's name)."""
        return self.predict(x, batch_size=max(len(np.asarray(x)), 1))

    def _weights_of(self, y, sample_weight, class_weight) -> NDArray | None:
        return weighting.sample_weights(
            y, sample_weight, class_weight, self.layers[-1].units, self.dtype
        )


def checked_batch(model, x, y, what: str) -> tuple[NDArray, NDArray]:
    """``(x, y)`` checked for ``model`` (built from ``x`` if it was not yet)."""
    if model.optimizer is None:
        raise ValueError(f"Call compile() before {what}().")
    x = check_model_input(x, model.dtype, model.input_dim)
    if len(x) == 0:
        raise ValueError(
            f"{what}() needs at least one row; received 0 rows (x.shape={x.shape})."
        )
    y = model.loss.check_targets(y, model.layers[-1].units, len(x), model.dtype)
    if not model.built:
        model.build(x.shape[1])
    return x, y


def check_verbose(verbose) -> int:
    """0, 1 or 2 (an integer, NumPy's too), or ``"auto"``, Keras's default: 1, a
    progress bar. Types first: ``==`` on an array would compare each element."""
    if isinstance(verbose, str) and verbose == "auto":
        return 1
    if isinstance(verbose, int | np.integer) and verbose in (0, 1, 2):
        return int(verbose)
    raise ValueError(f"verbose must be 0, 1 or 2. Received: verbose={verbose!r}")


def returned(logs: dict[str, float], return_dict: bool):
    """Keras's return value: the dict, the loss alone, or ``[loss, *metrics]``."""
    if return_dict:
        return logs
    return logs["loss"] if len(logs) == 1 else list(logs.values())
