"""``Sequential``: a stack of layers, as Keras's.

This file is the network: its layers, how they are built, ``compile`` (the
optimizer, the loss, the metrics), ``model(x)`` and the weights. One training step
on one batch (``compute_loss``, ``backward``, ``train_step``) is in
``train_step.py``; Keras's loops around the step (``fit``, ``evaluate``,
``predict``) and the model's files (``save``) come from ``Trainer``
(``minigenre/training/trainer.py``), through the public methods of both.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from minigenre import losses, optimizers
from minigenre import metrics as metrics_module
from minigenre._speed import jit
from minigenre._speed.flat import FlatParameters
from minigenre.layers import LAYERS, SNAKE_NAMES, Input, Layer
from minigenre.train_step import TrainStep
from minigenre.training.checks import check_model_input, check_weights
from minigenre.training.summary import print_summary
from minigenre.training.trainer import Trainer


class Sequential(TrainStep, Trainer):
    """A linear stack of layers, trained as Keras trains its ``Sequential``.

    Args:
        layers: The layers, input side first.
        seed: Seeds every random draw of this model (initial weights, per-epoch
            shuffling) through ``numpy.random.Generator``s: the same seed gives
            bit-identical weights and history. ``None`` draws fresh entropy.
        dtype: ``"float32"`` like Keras, or ``"float64"`` (e.g. for gradient checks).
        name: The model's name, shown by ``summary``.

    What the training loops, the model's files and callbacks use is public:
    ``layers``, ``dtype``, ``optimizer``, ``loss``, ``metrics``,
    ``weighted_metrics``, ``init_generator`` and ``shuffle_generator`` (whose
    states a saved model keeps), ``stop_training``, and the methods below.
    """

    def __init__(
        self,
        layers: list[Layer] | None = None,
        seed: int | None = None,
        dtype: DTypeLike = "float32",
        name: str = "sequential",
    ) -> None:
        self.layers: list[Layer] = []
        self.seed = seed
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64. Received: {dtype}")
        self.name = name
        init_seq, shuffle_seq = np.random.SeedSequence(seed).spawn(2)
        self.init_generator = np.random.default_rng(init_seq)  # initial weights
        self.shuffle_generator = np.random.default_rng(shuffle_seq)  # epoch orders
        self.optimizer = self.loss = None
        self.metrics: list[str] = []
        self.weighted_metrics: list[str] = []
        # (log name, per-row function, weighted?) of each metric, set by compile
        self.compiled_metrics: list[tuple] = []
        self.jit_compile: bool | str = "auto"  # set by compile
        self.stop_training = False  # a callback may set it to end fit
        self.flat: FlatParameters | None = None  # all weights in one vector, by build
        self._input_dim: int | None = None  # from an Input or input_shape
        for layer in layers or []:
            self.add(layer)

    def add(self, layer: Layer | Input) -> None:
        """Appends a layer; with the input width known, builds it at once, as Keras.

        The width comes from an ``Input(shape=(d,))`` first, or from the first
        layer's ``input_shape=(d,)`` (or ``input_dim=d``). As in Keras 3, a later
        layer's ``input_shape`` is ignored: its input is the layer before it.
        """
        if isinstance(layer, Input):
            if self.layers or self._input_dim is not None:
                raise ValueError("An Input must come first, before any layer.")
            self._input_dim = layer.shape[0]
            return
        if not isinstance(layer, tuple(LAYERS.values())):
            raise TypeError(
                f"Expected a layer ({', '.join(LAYERS)}): minigenre has no other "
                f"Keras layer. Received: {layer!r}"
            )
        first = not self.layers and self._input_dim is None
        if layer.input_shape is not None and first:
            self._input_dim = layer.input_shape[0]
        if layer.name is None:  # Keras's naming: dense, dense_1, ..., dropout, ...
            kind = next(k for k in LAYERS.values() if isinstance(layer, k))
            n = sum(isinstance(other, kind) for other in self.layers)
            base = SNAKE_NAMES[kind.__name__]
            layer.name = base if n == 0 else f"{base}_{n}"
        self.layers.append(layer)
        if self._input_dim is not None:  # the layers before it are built already
            width = self.layers[-2].units if len(self.layers) > 1 else self._input_dim
            layer.build(width, self.init_generator, self.dtype)
            self.flat = FlatParameters(self.layers, self.dtype)

    @property
    def built(self) -> bool:
        return bool(self.layers) and all(layer.built for layer in self.layers)

    @property
    def input_dim(self) -> int | None:
        return self.layers[0].input_width if self.built else None

    def build(self, input_dim: int) -> None:
        """Creates every layer's weights, each layer's width feeding the next.

        The weights then live in one flat vector, each kernel and bias a view into
        it, for a faster optimizer step (see ``minigenre/_speed/flat.py``).
        """
        if not self.layers:
            raise ValueError("The model has no layers; add a Dense layer first.")
        for layer in self.layers:
            layer.build(input_dim, self.init_generator, self.dtype)
            input_dim = layer.units
        self.flat = FlatParameters(self.layers, self.dtype)

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
            loss: ``"sparse_categorical_crossentropy"`` (integer labels),
                ``"categorical_crossentropy"`` (one-hot labels),
                ``"binary_crossentropy"`` (0/1 per output) or a loss object.
            metrics: A list: ``"accuracy"`` (or 2018's ``"acc"``, logged as
                ``acc``), chosen for the loss as Keras 3 chooses it,
                ``"binary_accuracy"``, ``"categorical_accuracy"``,
                ``"sparse_categorical_accuracy"`` or a ``minigenre.metrics``
                object; the loss is always reported. Unweighted, as in Keras 3:
                ``class_weight`` and ``sample_weight`` do not change them.
            weighted_metrics: Metrics that weigh each sample by its weight,
                ``sum(w * hit) / sum(w)``; logged as ``weighted_accuracy`` if
                ``metrics`` has ``accuracy`` too.
            jit_compile: Whether compiled forms with the same bits may run
                (numba, the ``fast`` extra): Adam's ``update_step`` as one loop,
                the study network's training step and ``predict`` with their
                elementwise work fused. ``True``, ``False``, or ``"auto"``
                (Keras's default name): only once this process has trained long
                enough to repay loading them (see ``minigenre/_speed/jit.py``).
        """
        for name, given in (
            ("metrics", metrics),
            ("weighted_metrics", weighted_metrics),
        ):
            if given is not None and not isinstance(given, list | tuple):
                raise TypeError(
                    f"{name} must be a list, e.g. {name}=['accuracy']. "
                    f"Received: {name}={given!r}"
                )
        self.jit_compile = jit.check_jit_compile(jit_compile)
        self.optimizer = optimizers.get(optimizer)
        self.optimizer.jit_compile = self.jit_compile  # SGD's has no compiled loop
        self.loss = losses.get(loss)
        units = self.layers[-1].units if self.layers else 0
        resolved = [
            (*metrics_module.resolve(m, self.loss.name, units), weighted)
            for given, weighted in ((metrics, False), (weighted_metrics, True))
            for m in given or []
        ]
        # Keras names a weighted metric that repeats an unweighted one weighted_<name>.
        plain = {name for name, _, weighted in resolved if not weighted}
        self.compiled_metrics = [
            (f"weighted_{name}" if weighted and name in plain else name, f, weighted)
            for name, f, weighted in resolved
        ]
        self.metrics = [name for name, _, weighted in resolved if not weighted]
        self.weighted_metrics = [name for name, _, weighted in resolved if weighted]

    def __call__(self, x: ArrayLike, training: bool = False) -> NDArray:
        """The forward pass on ``x`` (batch, features) in one go, as ``model(x)``.

        ``training=True`` runs the layers as training does (``Dropout`` drops
        units), as in Keras; by default they run as ``predict`` runs them.
        """
        if not self.built:
            raise ValueError("The model is not built: call fit() or set_weights().")
        x = check_model_input(x, self.dtype, self.input_dim)
        if not training:
            return self.predict_step(x)
        for layer in self.layers:
            x = layer.forward(x, training=True)
        return x

    # -- weights -------------------------------------------------------------------

    @property
    def trainable_weights(self) -> list[NDArray]:
        """The weights the optimizer updates (not BatchNormalization's moving
        statistics), Keras's order; its state has one slot per weight here."""
        return [w for layer in self.layers for w in layer.trainable_weights]

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

    def get_config(self) -> dict:
        """The architecture: name, dtype, input width, each layer's ``get_config``."""
        return {
            "name": self.name,
            "dtype": self.dtype.name,
            "input_dim": self.input_dim,
            "layers": [layer.get_config() for layer in self.layers],
        }

    @classmethod
    def from_config(cls, config: dict) -> Sequential:
        """A new model, built as ``get_config`` describes (weights initialised)."""
        model = cls(name=config["name"], dtype=config["dtype"])
        for layer in config["layers"]:
            settings = dict(layer)
            model.add(LAYERS[settings.pop("class_name", "Dense")](**settings))
        if config["input_dim"] is not None:
            model.build(config["input_dim"])
        return model

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    def summary(self, print_fn=None) -> None:
        """Prints the layers with their output shapes and parameter counts, as
        Keras 3 does (``minigenre/training/summary.py``)."""
        print_summary(self, print_fn)

    def __repr__(self) -> str:
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential(name={self.name!r}, seed={self.seed}, layers=[{layers}])"
