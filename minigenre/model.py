"""``Sequential``: a stack of layers with Keras's compile / fit / evaluate / predict."""

from __future__ import annotations

import itertools
import math
import os
import sys

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from minigenre import _chunks, _io, losses, optimizers, training
from minigenre._checks import check_features, check_int, check_labels, check_weights
from minigenre._flat import FlatParameters, flat_parameters
from minigenre._threads import blas_threads
from minigenre.callbacks import Callback, History
from minigenre.layers import Dense


class Sequential:
    """A linear stack of layers, trained as Keras trains its ``Sequential``.

    Args:
        layers: The layers, input side first.
        seed: Seeds every random draw of this model (initial weights, per-epoch
            shuffling) through ``numpy.random.Generator``s: the same seed gives
            bit-identical weights and history. ``None`` draws fresh entropy.
        dtype: ``"float32"`` like Keras, or ``"float64"`` (e.g. for gradient checks).
        name: The model's name, shown by ``summary``.
    """

    def __init__(
        self,
        layers: list[Dense] | None = None,
        seed: int | None = None,
        dtype: DTypeLike = "float32",
        name: str = "sequential",
    ) -> None:
        self.layers: list[Dense] = []
        self.seed = seed
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64. Received: {dtype}")
        self.name = name
        init_seq, shuffle_seq = np.random.SeedSequence(seed).spawn(2)
        self._init_rng = np.random.default_rng(init_seq)
        self._shuffle_rng = np.random.default_rng(shuffle_seq)
        self.optimizer = self.loss = None
        self._flat: FlatParameters | None = None  # set by build
        self.metrics: list[str] = []
        self.stop_training = False
        for layer in layers or []:
            self.add(layer)

    def add(self, layer: Dense) -> None:
        if not isinstance(layer, Dense):
            raise TypeError(f"Expected a Dense layer. Received: {layer!r}")
        if layer.name is None:  # Keras's naming: dense, dense_1, dense_2, ...
            n = sum(isinstance(other, Dense) for other in self.layers)
            layer.name = "dense" if n == 0 else f"dense_{n}"
        self.layers.append(layer)

    @property
    def built(self) -> bool:
        return bool(self.layers) and all(layer.built for layer in self.layers)

    @property
    def input_dim(self) -> int | None:
        return self.layers[0].kernel.shape[0] if self.built else None

    def build(self, input_dim: int) -> None:
        """Creates every layer's weights, each layer's width feeding the next.

        The weights then live in one flat vector, each kernel and bias a view into
        it, for a faster optimizer step (see ``_flat``).
        """
        if not self.layers:
            raise ValueError("The model has no layers; add a Dense layer first.")
        for layer in self.layers:
            layer.build(input_dim, self._init_rng, self.dtype)
            input_dim = layer.units
        self._flat = FlatParameters(self.layers, self.dtype)

    def compile(
        self,
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics: list[str] | None = None,
    ) -> None:
        """Chooses the optimizer, the loss and the metrics to report.

        Args:
            optimizer: ``"adam"``, ``"sgd"`` or an ``Adam``/``SGD`` instance.
            loss: ``"sparse_categorical_crossentropy"`` or its class instance.
            metrics: ``["accuracy"]`` or nothing; the loss is always reported.
        """
        self.optimizer = optimizers.get(optimizer)
        self.loss = losses.get(loss)
        metrics = list(metrics or [])
        unknown = [m for m in metrics if m != "accuracy"]
        if unknown:
            raise ValueError(f"Unknown metrics: {unknown}. Valid names: accuracy.")
        self.metrics = metrics

    # -- one batch: forward, loss, backward, update ---------------------------------

    def _forward_loss(self, x, y, sample_weight) -> tuple[NDArray, NDArray]:
        """Forward pass of one batch: (output (batch, classes), per-sample losses)."""
        fused = self._fused()
        for layer in self.layers:
            x = layer.forward(
                x, training=True, logits=fused and layer is self.layers[-1]
            )
        if fused:
            # x holds the logits: the softmax and its cross-entropy share their
            # work, and the loss comes from the logits, as in Keras.
            x, per_sample = losses.softmax_crossentropy(y, x)
        else:
            per_sample = losses.sparse_categorical_crossentropy(
                y, x, from_logits=self.loss.from_logits
            )
        if sample_weight is not None:
            per_sample = per_sample * sample_weight
        return x, per_sample  # (batch, classes), (batch,)

    def _fused(self) -> bool:
        """Whether the fused softmax + cross-entropy path applies (see ``losses``).

        It does for a softmax output feeding cross-entropy on probabilities. Both
        begin with ``exp(z - max)``: computing them together rather than the
        softmax, then the loss from the logits (the same bits) saved 10% of the CPU
        time of a 4-epoch fit of the study's network, measured side by side.
        """
        return self.layers[-1].activation == "softmax" and not self.loss.from_logits

    def _backward(self, y, out, sample_weight) -> None:
        """Leaves dL/dweight in every layer's ``grad_kernel`` and ``grad_bias``."""
        fused = self._fused()
        if fused:
            grad = losses.softmax_crossentropy_grad(y, out, sample_weight)  # dL/dz
        else:
            grad = self.loss.gradient(y, out, sample_weight)  # dL/d(output)
        first, last = self.layers[0], self.layers[-1]
        for layer in reversed(self.layers):
            # (batch, layer's input width); none for the first layer, whose input
            # is the data.
            grad = layer.backward(
                grad, input_grad=layer is not first, logits=fused and layer is last
            )

    def _train_step(
        self, x, y, sample_weight, where: str = ""
    ) -> tuple[float, NDArray]:
        """One gradient update on one batch: (its mean loss, its output).

        The loss and output are those of the forward pass before the update, as in
        Keras. ``where`` (e.g. " at epoch 1, batch 3") goes into the error messages.
        """
        out, per_sample = self._forward_loss(x, y, sample_weight)
        self._backward(y, out, sample_weight)
        # Keras divides the sum by the batch size; the same as .mean(), in 1/3 the time.
        loss = float(per_sample.sum() / len(per_sample))
        if not math.isfinite(loss):  # before the update: no step from garbage
            raise ValueError(
                f"Non-finite loss {loss}{where}: lower the learning rate or check "
                "the inputs."
            )
        weights = self._flat.weights
        self.optimizer.apply_gradients([weights], [self._flat.gradients])
        # An inf weight can hide behind a saturated ELU (elu(-inf) = -1) and keep
        # every later loss finite: check the weights themselves too.
        if not (math.isfinite(weights.min()) and math.isfinite(weights.max())):
            raise ValueError(
                f"Non-finite weights after the update{where}: lower the learning "
                "rate or check the inputs."
            )
        return loss, out

    # -- the Keras API -------------------------------------------------------------

    def _check_ready(self, x, y, what: str):
        if self.optimizer is None:
            raise ValueError(f"Call compile() before {what}().")
        x = self._check_x(x)
        if len(x) == 0:
            raise ValueError(
                f"{what}() needs at least one row; received 0 rows (x.shape={x.shape})."
            )
        y = check_labels(y, "y", n_classes=self.layers[-1].units, n_rows=len(x))
        if not self.built:
            self.build(x.shape[1])
        # The flat weight vector the optimizer updates (see _flat); a new one if a
        # layer's arrays were replaced since.
        self._flat = flat_parameters(self.layers, self.dtype, self._flat)
        return x, y

    def _check_x(self, x) -> NDArray:
        x = check_features(x, "x", self.dtype)
        if self.built and x.shape[1] != self.input_dim:
            raise ValueError(
                f"x has {x.shape[1]} features; the model was built for "
                f"{self.input_dim}. Received: x.shape={x.shape}"
            )
        return x

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
        logs = training.RunningLogs(accuracy="accuracy" in self.metrics)
        with blas_threads(self._largest_product(len(x))):
            logs.add(*self._train_step(x, y, weight), y, weight)
        result = logs.result()  # the batch's own: Keras resets its metrics first
        if return_dict:
            return result
        return result["loss"] if len(result) == 1 else list(result.values())

    def fit(
        self,
        x: ArrayLike,
        y: ArrayLike,
        batch_size: int = 32,
        epochs: int = 1,
        verbose: int = 1,
        validation_split: float = 0.0,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
        shuffle: bool = True,
        class_weight: dict[int, float] | None = None,
        callbacks: list[Callback] | None = None,
    ) -> History:
        """Trains for ``epochs`` passes over the data in mini-batches.

        Mirrors Keras: ``validation_split`` holds out the *last* fraction of the rows,
        before shuffling; the training rows are reshuffled every epoch; the epoch's
        ``loss`` is the batch-size-weighted mean of the batch losses and ``accuracy``
        the share of correct predictions, both from each batch's forward pass before
        its update. ``class_weight`` weights each sample's loss (and its accuracy) by
        its class's weight, and the batch loss still divides by the batch size.
        The loop itself is in ``training.py``.

        Returns:
            A ``History``: ``history.history`` maps ``loss``, ``accuracy`` and, with
            validation, ``val_loss`` and ``val_accuracy`` to per-epoch lists.
        """
        x, y = self._check_ready(x, y, "fit")
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        epochs = check_int(epochs, "epochs", minimum=0)
        x, y, validation = training.split_validation(
            x, y, validation_split, validation_data
        )
        weights = training.sample_weights(self, y, None, class_weight)
        with blas_threads(self._largest_product(min(batch_size, len(x)))):
            return training.fit_loop(
                self,
                training.Batches(x, y, weights, batch_size),
                epochs=epochs,
                verbose=verbose,
                validation=validation,
                rng=self._shuffle_rng if shuffle else None,
                callbacks=[History(), *(callbacks or [])],
            )

    def evaluate(
        self,
        x: ArrayLike,
        y: ArrayLike,
        batch_size: int | None = None,
        verbose: int = 1,
    ) -> list[float]:
        """Returns ``[loss, accuracy]`` (or ``[loss]`` without the metric) on (x, y).

        The loss is the batch-size-weighted mean of per-batch losses, as in Keras,
        for batches of ``batch_size`` rows (``None``: 32, Keras's default). The rows
        are computed in large chunks, with the same bits (see ``_chunks``).
        """
        x, y = self._check_ready(x, y, "evaluate")
        batch_size = 32 if batch_size is None else batch_size
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        chunks = self._chunks(len(x), batch_size)
        with blas_threads(self._largest_product(chunks[0].stop)):
            return training.evaluate_loop(self, x, y, batch_size, chunks, verbose)

    def predict(self, x: ArrayLike, batch_size: int | None = None) -> NDArray:
        """Returns the model's outputs, (n, units): class probabilities for softmax.

        ``batch_size=None`` computes the rows in large chunks, with the bits of
        Keras's default batches of 32 (see ``_chunks``); a number gives batches of
        that many rows.
        """
        if not self.built:
            raise ValueError("The model is not built: call fit() or set_weights().")
        x = self._check_x(x)
        if len(x) == 0:
            return np.empty((0, self.layers[-1].units))
        if batch_size is None:
            parts = self._chunks(len(x), 32)
        else:
            batch_size = check_int(batch_size, "batch_size", minimum=1)
            parts = [slice(i, i + batch_size) for i in range(0, len(x), batch_size)]
        out = np.empty((len(x), self.layers[-1].units), self.dtype)  # (n, units)
        with blas_threads(self._largest_product(min(parts[0].stop, len(x)))):
            for rows in parts:
                out[rows] = self._predict_batch(x[rows])
        return out

    def _chunks(self, n: int, batch_size: int) -> list[slice]:
        widest = max(layer.units for layer in self.layers)
        return list(_chunks.chunks(n, batch_size, widest, self.dtype))

    def _largest_product(self, rows: int) -> int:
        """Multiply-adds of the largest matrix product of ``rows`` rows at a time."""
        widths = [self.input_dim, *(layer.units for layer in self.layers)]
        return rows * max(a * b for a, b in itertools.pairwise(widths))

    def _predict_batch(self, x: NDArray) -> NDArray:
        for layer in self.layers:
            x = layer.forward(x)
        return x  # (batch, units)

    # -- weights -------------------------------------------------------------------

    def get_weights(self) -> list[NDArray]:
        """Copies of ``[kernel_0, bias_0, kernel_1, bias_1, ...]``, Keras's order."""
        return [w.copy() for layer in self.layers for w in layer.weights]

    def set_weights(self, weights: list[ArrayLike]) -> None:
        """Replaces every weight; checks count and shapes before changing anything."""
        weights = [np.asarray(w) for w in weights]
        if not self.built and weights:
            self.build(weights[0].shape[0])
        current = [w for layer in self.layers for w in layer.weights]
        check_weights(weights, current)
        for new, old in zip(weights, current, strict=True):
            old[...] = new  # in place: the optimizer's state stays attached

    def save_weights(self, path: str | os.PathLike) -> None:
        """Writes the weights to an ``.npz`` file, atomically and without pickle."""
        if not str(path).endswith(".npz"):
            raise ValueError(f"The weights file must end in .npz. Received: {path}")
        if not self.built:
            raise ValueError("The model is not built: there are no weights to save.")
        _io.save_npz(path, {f"weight_{i}": w for i, w in enumerate(self.get_weights())})

    def load_weights(self, path: str | os.PathLike) -> None:
        """Reads weights saved by ``save_weights``; checks count and shapes first."""
        arrays = _io.load_npz(path)
        keys = [f"weight_{i}" for i in range(len(arrays))]
        if sorted(arrays) != sorted(keys):
            raise ValueError(
                f"{path}: not a minigenre weights file ({sorted(arrays)})."
            )
        try:
            self.set_weights([arrays[k] for k in keys])
        except ValueError as err:
            raise ValueError(f"{path}: {err}") from None

    # -- description ---------------------------------------------------------------

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    def summary(self, print_fn=None) -> None:
        """Prints the layers with their output shapes and parameter counts."""
        print_fn = print_fn or (lambda line: print(line, file=sys.stdout))
        rule, thick = "_" * 65, "=" * 65
        print_fn(f'Model: "{self.name}"')
        print_fn(rule)
        print_fn(f" {'Layer (type)':<28}{'Output Shape':<26}{'Param #'}")
        print_fn(thick)
        for i, layer in enumerate(self.layers):
            kind = f"{layer.name} ({type(layer).__name__})"
            params = layer.count_params() if layer.built else 0
            print_fn(f" {kind:<28}{f'(None, {layer.units})':<26}{params}")
            print_fn(thick if i == len(self.layers) - 1 else "")
        total = self.count_params()
        print_fn(f"Total params: {total:,}")
        print_fn(f"Trainable params: {total:,}")
        print_fn("Non-trainable params: 0")
        print_fn(rule)

    def __repr__(self) -> str:
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential(name={self.name!r}, seed={self.seed}, layers=[{layers}])"
