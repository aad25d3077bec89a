"""``Sequential``: a stack of layers with Keras's compile / fit / evaluate / predict."""

from __future__ import annotations

import math
import os
import sys

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from minigenre import _io, losses, optimizers
from minigenre._checks import check_int, check_labels, check_x
from minigenre.callbacks import Callback, History
from minigenre.layers import Dense
from minigenre.progress import ProgressBar


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
        self._flat_weights = self._flat_grads = None  # set by build
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

        The weights live in one flat vector, each kernel and bias a view into it.
        """
        if not self.layers:
            raise ValueError("The model has no layers; add a Dense layer first.")
        for layer in self.layers:
            layer.build(input_dim, self._init_rng, self.dtype)
            input_dim = layer.units
        # All weights then move into one flat vector, [kernel_0, bias_0, kernel_1,
        # ...], and their gradients into another: each layer's kernel and bias become
        # reshaped views of their slice. Adam and SGD are elementwise, so updating the
        # whole vector at once is exactly the update of each array, in a quarter of
        # the NumPy calls: at batch 32 the calls' fixed cost is a large part of the
        # optimizer's time.
        sizes = [layer.count_params() for layer in self.layers]
        self._flat_weights = np.empty(sum(sizes), self.dtype)
        self._flat_grads = np.zeros(sum(sizes), self.dtype)
        start = 0
        for layer, size in zip(self.layers, sizes, strict=True):
            part = slice(start, start + size)
            layer.move_into(self._flat_weights[part], self._flat_grads[part])
            start += size

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

    # -- the forward and backward passes -------------------------------------------

    @property
    def _fused(self) -> bool:
        # Softmax output + cross-entropy on probabilities: Keras takes the loss from
        # the softmax's logits, and so does this model, forward and backward.
        return self.layers[-1].activation == "softmax" and not self.loss.from_logits

    def _forward(self, x: NDArray, training: bool = False) -> NDArray:
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def _batch_loss(self, x, y, sample_weight):
        """Forward pass of one batch: (output (batch, classes), per-sample losses)."""
        if self._fused:
            # The output layer stops at its logits: the softmax and its cross-entropy
            # share their work (see losses.softmax_crossentropy).
            for layer in self.layers[:-1]:
                x = layer.forward(x, training=True)
            logits = self.layers[-1].forward_linear(x, training=True)
            out, per_sample = losses.softmax_crossentropy(y, logits)
        else:
            out = self._forward(x, training=True)  # (batch, classes)
            per_sample = losses.sparse_categorical_crossentropy(
                y, out, from_logits=self.loss.from_logits
            )
        if sample_weight is not None:
            per_sample = per_sample * sample_weight
        return out, per_sample

    def _backward(self, x, y, sample_weight) -> tuple[np.floating, NDArray]:
        """One forward and backward pass: (mean loss, output (batch, classes)).

        The gradients are left in each layer's ``grad_kernel`` and ``grad_bias``.
        """
        out, per_sample = self._batch_loss(x, y, sample_weight)
        first, last = self.layers[0], self.layers[-1]
        if self._fused:
            grad_z = losses.softmax_crossentropy_grad(y, out, sample_weight)
            grad = last.backward_linear(grad_z, need_input_grad=last is not first)
        else:
            grad_out = self.loss.gradient(y, out, sample_weight)
            grad = last.backward(grad_out, need_input_grad=last is not first)
        for layer in reversed(self.layers[:-1]):
            # (batch, layer's input width); none for the first layer, whose input
            # is the data.
            grad = layer.backward(grad, need_input_grad=layer is not first)
        # Keras divides the sum by the batch size; the same as .mean(), in 1/3 the time.
        return per_sample.sum() / len(per_sample), out

    def _compute_gradients(self, x, y, sample_weight):
        """One forward and backward pass: (mean loss, output, gradients per weight).

        The gradients are copies, in the order of ``get_weights``: the next backward
        pass overwrites the layers' own.
        """
        loss, out = self._backward(x, y, sample_weight)
        return loss, out, [g.copy() for layer in self.layers for g in layer.gradients]

    def _parameters(self) -> tuple[list[NDArray], list[NDArray]]:
        """The arrays the optimizer updates, and their gradients.

        The two flat vectors while every weight and gradient is still a view into
        them (see ``build``); each layer's own arrays otherwise, e.g. for layers
        built outside this model.
        """
        weights = [w for layer in self.layers for w in layer.weights]
        grads = [g for layer in self.layers for g in layer.gradients]
        flat = self._flat_weights is not None and all(
            w.base is self._flat_weights and g.base is self._flat_grads
            for w, g in zip(weights, grads, strict=True)
        )
        if flat:
            return [self._flat_weights], [self._flat_grads]
        return weights, grads

    # -- the Keras API -------------------------------------------------------------

    def _check_ready(self, x, y, what: str):
        if self.optimizer is None:
            raise ValueError(f"Call compile() before {what}().")
        x = check_x(x, self.dtype, self.input_dim, "x")
        if len(x) == 0:
            raise ValueError(
                f"{what}() needs at least one row; received 0 rows (x.shape={x.shape})."
            )
        y = check_labels(y, len(x), self.layers[-1].units)
        if not self.built:
            self.build(x.shape[1])
        return x, y

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

        Returns:
            A ``History``: ``history.history`` maps ``loss``, ``accuracy`` and, with
            validation, ``val_loss`` and ``val_accuracy`` to per-epoch lists.
        """
        x, y = self._check_ready(x, y, "fit")
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        epochs = check_int(epochs, "epochs", minimum=0)
        if validation_data is not None:
            x_val, y_val = validation_data
        elif validation_split:
            if not 0 < validation_split < 1:
                raise ValueError(
                    f"validation_split must be in [0, 1). Received: {validation_split}"
                )
            split_at = math.floor(len(x) * (1 - validation_split))
            x, x_val, y, y_val = x[:split_at], x[split_at:], y[:split_at], y[split_at:]
            if len(x) == 0:
                raise ValueError(f"validation_split={validation_split} leaves no rows.")
        else:
            x_val = None
        weights = self._sample_weights(y, class_weight)

        history = History()
        callbacks = [history, *(callbacks or [])]
        for callback in callbacks:
            callback.model = self
        self.stop_training = False
        for callback in callbacks:
            callback.on_train_begin()
        n, steps = len(x), math.ceil(len(x) / batch_size)
        parameters = self._parameters()
        for epoch in range(epochs):
            if verbose:
                print(f"Epoch {epoch + 1}/{epochs}")
                bar = ProgressBar(steps)
            order = self._shuffle_rng.permutation(n) if shuffle else np.arange(n)
            loss_sum = correct = count = 0.0
            for step in range(steps):
                idx = order[step * batch_size : (step + 1) * batch_size]
                yb, w = y[idx], None if weights is None else weights[idx]
                loss, out = self._backward(x[idx], yb, w)  # x[idx]: (batch, in)
                loss = float(loss)
                if not math.isfinite(loss):  # before the update: no step from garbage
                    raise ValueError(
                        f"Non-finite loss {loss} at epoch {epoch + 1}, batch "
                        f"{step + 1}: lower the learning rate or check the inputs."
                    )
                self.optimizer.apply_gradients(*parameters)
                # An inf weight can hide behind a saturated ELU (elu(-inf) = -1) and
                # keep every later loss finite: check the weights themselves too.
                if not all(
                    math.isfinite(v.min()) and math.isfinite(v.max())
                    for v in parameters[0]
                ):
                    raise ValueError(
                        f"Non-finite weights after the update at epoch {epoch + 1}, "
                        f"batch {step + 1}: lower the learning rate or check the "
                        "inputs."
                    )
                hits = out.argmax(axis=1) == yb
                loss_sum += loss * len(idx)
                correct += (
                    np.count_nonzero(hits) if w is None else float((hits * w).sum())
                )
                count += len(idx) if w is None else float(w.sum())
                logs = {"loss": loss_sum / (step * batch_size + len(idx))}
                if "accuracy" in self.metrics:
                    logs["accuracy"] = correct / count
                if verbose and step + 1 < steps:
                    bar.update(step + 1, logs)
            if x_val is not None:
                val = self.evaluate(x_val, y_val, batch_size=batch_size, verbose=0)
                logs["val_loss"] = val[0]
                if "accuracy" in self.metrics:
                    logs["val_accuracy"] = val[1]
            if verbose:
                bar.update(steps, logs, final=True)
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        for callback in callbacks:
            callback.on_train_end()
        return history

    def _sample_weights(self, y, class_weight) -> NDArray | None:
        if class_weight is None:
            return None
        table = np.ones(self.layers[-1].units, dtype=self.dtype)
        for label, weight in class_weight.items():
            if not 0 <= int(label) < len(table):
                raise ValueError(
                    f"class_weight has a class outside the outputs: {label}"
                )
            table[int(label)] = weight
        return table[y]

    def evaluate(
        self, x: ArrayLike, y: ArrayLike, batch_size: int = 32, verbose: int = 1
    ) -> list[float]:
        """Returns ``[loss, accuracy]`` (or ``[loss]`` without the metric) on (x, y).

        The loss is the batch-size-weighted mean of per-batch losses, as in Keras.
        """
        x, y = self._check_ready(x, y, "evaluate")
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        steps = math.ceil(len(x) / batch_size)
        bar = ProgressBar(steps) if verbose else None
        loss_sum = correct = 0.0
        for start in range(0, len(x), batch_size):
            xb, yb = x[start : start + batch_size], y[start : start + batch_size]
            out, per_sample = self._batch_loss(xb, yb, None)
            loss_sum += float(per_sample.mean()) * len(xb)
            correct += float((out.argmax(axis=1) == yb).sum())
        result = [loss_sum / len(x)]
        if "accuracy" in self.metrics:
            result.append(correct / len(x))
        if verbose:
            bar.update(
                steps, dict(zip(["loss", "accuracy"], result, strict=False)), final=True
            )
        return result

    def predict(self, x: ArrayLike, batch_size: int = 32) -> NDArray:
        """Returns the model's outputs, (n, units): class probabilities for softmax."""
        if not self.built:
            raise ValueError("The model is not built: call fit() or set_weights().")
        x = check_x(x, self.dtype, self.input_dim, "x")
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        out = [
            self._forward(x[i : i + batch_size]) for i in range(0, len(x), batch_size)
        ]
        return np.concatenate(out) if out else np.empty((0, self.layers[-1].units))

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
        if len(weights) != len(current):
            raise ValueError(
                f"Expected {len(current)} weight arrays. Received: {len(weights)}"
            )
        for i, (new, old) in enumerate(zip(weights, current, strict=True)):
            if new.shape != old.shape:
                raise ValueError(
                    f"Weight {i} has shape {new.shape}; the model expects {old.shape}."
                )
            if new.dtype.kind not in "iuf" or not np.isfinite(new).all():
                raise ValueError(
                    f"Weight {i} holds non-finite or non-real values ({new.dtype})."
                )
            with np.errstate(over="ignore"):  # float64 beyond float32 becomes inf
                if not np.isfinite(new.astype(old.dtype)).all():
                    raise ValueError(f"Weight {i} holds values beyond {old.dtype}.")
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
