"""``Sequential``: a stack of layers with Keras's compile / fit / evaluate / predict."""

from __future__ import annotations

import itertools
import math
import os
import sys
import time

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from minigenre import _chunks, _io, losses, optimizers
from minigenre._checks import (
    all_finite,
    check_features,
    check_int,
    check_labels,
    check_weights,
)
from minigenre._flat import FlatParameters, flat_parameters
from minigenre._jit import check_jit_compile
from minigenre._threads import blas_threads
from minigenre.layers import Dense, Input
from minigenre.progress import show_finished
from minigenre.saving import save_model
from minigenre.trainer import Trainer, check_verbose

METRICS = ("accuracy", "acc")  # "acc" is 2018 Keras's name; it logs as "acc"


class Sequential(Trainer):
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
        self.weighted_metrics: list[str] = []
        self.jit_compile: bool | str = "auto"  # set by compile
        self.stop_training = False
        self._input_dim: int | None = None  # from an Input or input_shape
        for layer in layers or []:
            self.add(layer)

    def add(self, layer: Dense | Input) -> None:
        """Appends a layer; with the input width known, builds it at once, as Keras.

        The width comes from an ``Input(shape=(d,))`` first, or from the first
        Dense layer's ``input_shape=(d,)``.
        """
        if isinstance(layer, Input):
            if self.layers or self._input_dim is not None:
                raise ValueError("An Input must come first, before any layer.")
            self._input_dim = layer.shape[0]
            return
        if not isinstance(layer, Dense):
            raise TypeError(f"Expected a Dense layer. Received: {layer!r}")
        if layer.input_shape is not None:
            if self.layers or self._input_dim is not None:
                raise ValueError(
                    f"Only the first layer takes input_shape. Received: "
                    f"input_shape={layer.input_shape} for layer {len(self.layers)}."
                )
            self._input_dim = layer.input_shape[0]
        if layer.name is None:  # Keras's naming: dense, dense_1, dense_2, ...
            n = sum(isinstance(other, Dense) for other in self.layers)
            layer.name = "dense" if n == 0 else f"dense_{n}"
        self.layers.append(layer)
        if self._input_dim is not None:  # the layers before it are built already
            width = self.layers[-2].units if len(self.layers) > 1 else self._input_dim
            layer.build(width, self._init_rng, self.dtype)
            self._flat = FlatParameters(self.layers, self.dtype)

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
        weighted_metrics: list[str] | None = None,
        jit_compile: bool | str = "auto",
    ) -> None:
        """Chooses the optimizer, the loss and the metrics to report.

        Args:
            optimizer: ``"adam"``, ``"sgd"`` or an ``Adam``/``SGD`` instance.
            loss: ``"sparse_categorical_crossentropy"`` or its class instance.
            metrics: ``["accuracy"]`` (or 2018's ``["acc"]``, logged as ``acc``) or
                nothing; the loss is always reported. Unweighted, as in Keras 3:
                ``class_weight`` and ``sample_weight`` do not change them.
            weighted_metrics: Metrics that weigh each sample by its weight,
                ``sum(w * hit) / sum(w)``; logged as ``weighted_accuracy`` if
                ``metrics`` has ``accuracy`` too.
            jit_compile: Whether Adam runs its update as one compiled loop (numba,
                the ``fast`` extra): ``True``, ``False``, or ``"auto"`` (Keras's
                default name): only once this process has trained long enough to
                repay loading it (see ``_jit.py``). Same bits either way.
        """
        metrics, weighted = list(metrics or []), list(weighted_metrics or [])
        unknown = [m for m in metrics + weighted if m not in METRICS]
        if unknown:
            raise ValueError(
                f"Unknown metrics: {unknown}. Valid names: {', '.join(METRICS)}."
            )
        self.jit_compile = check_jit_compile(jit_compile)
        self.optimizer = optimizers.get(optimizer)
        self.optimizer.jit_compile = self.jit_compile  # SGD's has no compiled loop
        self.loss = losses.get(loss)
        self.metrics, self.weighted_metrics = metrics, weighted

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
        if not all_finite(weights):
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

    def predict_on_batch(self, x: ArrayLike) -> NDArray:
        """The outputs for one batch, (batch, units) (Keras's name)."""
        return self.predict(x, batch_size=max(len(np.asarray(x)), 1))

    def predict(
        self, x: ArrayLike, batch_size: int | None = None, verbose: int = 0
    ) -> NDArray:
        """Returns the model's outputs, (n, units): class probabilities for softmax.

        Args:
            batch_size: Rows per forward pass; None means Keras's 32.
            verbose: 0 silent (the default here; Keras shows a bar), 1 a progress
                bar, 2 one line.
        """
        if not self.built:
            raise ValueError("The model is not built: call fit() or set_weights().")
        x = self._check_x(x)
        verbose = check_verbose(verbose)
        if len(x) == 0:
            return np.empty((0, self.layers[-1].units))
        if batch_size is None:
            parts = self._chunks(len(x), 32)
        else:
            batch_size = check_int(batch_size, "batch_size", minimum=1)
            parts = [slice(i, i + batch_size) for i in range(0, len(x), batch_size)]
        out = np.empty((len(x), self.layers[-1].units), self.dtype)  # (n, units)
        start = time.perf_counter()
        with blas_threads(self._largest_product(min(parts[0].stop, len(x)))):
            for rows in parts:
                out[rows] = self._predict_batch(x[rows])
        steps = math.ceil(len(x) / (32 if batch_size is None else batch_size))
        show_finished(verbose, steps, start, {})
        return out

    def _chunks(self, n: int, batch_size: int) -> list[slice]:
        widest = max(layer.units for layer in self.layers)
        return list(_chunks.chunks(n, batch_size, widest, self.dtype))

    def _largest_product(self, rows: int) -> int:
        """Multiply-adds of the largest matrix product of ``rows`` rows at a time."""
        widths = [self.input_dim, *(layer.units for layer in self.layers)]
        return rows * max(a * b for a, b in itertools.pairwise(widths))

    def __call__(self, x: ArrayLike, training: bool = False) -> NDArray:
        """The forward pass on ``x`` (batch, features) in one go, as ``model(x)``.

        ``training`` changes nothing here (Dense has no dropout or batch norm); it
        is accepted because Keras code passes it.
        """
        if not self.built:
            raise ValueError("The model is not built: call fit() or set_weights().")
        return self._predict_batch(self._check_x(x))

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

    def save(self, path: str | os.PathLike) -> None:
        """Saves the whole model: ``.npz`` (minigenre's) or ``.keras`` (Keras 3's).

        See ``minigenre.save_model``; ``minigenre.load_model`` reads it back.
        """
        save_model(self, path)

    # -- description ---------------------------------------------------------------

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    def summary(self, print_fn=None) -> None:
        """Prints the layers with their output shapes and parameter counts.

        As Keras 3, an unbuilt model (input width not known yet) shows its layers
        with output shape ``?`` and ``0 (unbuilt)`` parameters.
        """
        print_fn = print_fn or (lambda line: print(line, file=sys.stdout))
        rule, thick = "_" * 65, "=" * 65
        print_fn(f'Model: "{self.name}"')
        print_fn(rule)
        print_fn(f" {'Layer (type)':<28}{'Output Shape':<26}{'Param #'}")
        print_fn(thick)
        for i, layer in enumerate(self.layers):
            kind = f"{layer.name} ({type(layer).__name__})"
            shape = f"(None, {layer.units})" if layer.built else "?"
            params = layer.count_params() if layer.built else "0 (unbuilt)"
            print_fn(f" {kind:<28}{shape:<26}{params}")
            print_fn(thick if i == len(self.layers) - 1 else "")
        total = self.count_params()
        print_fn(f"Total params: {total:,}")
        print_fn(f"Trainable params: {total:,}")
        print_fn("Non-trainable params: 0")
        print_fn(rule)

    def __repr__(self) -> str:
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential(name={self.name!r}, seed={self.seed}, layers=[{layers}])"
