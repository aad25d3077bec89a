"""Keras's names for what minigenre implements, importable the way Keras code does.

A script written for Keras runs once its imports are swapped::

    # import keras
    # from keras import layers
    # from keras.utils import to_categorical
    from minigenre.compat import keras
    from minigenre.compat.keras import layers
    from minigenre.compat.keras.utils import to_categorical

Each of ``keras.layers``, ``keras.optimizers``, ``keras.losses``,
``keras.metrics``, ``keras.callbacks``, ``keras.activations``, ``keras.models``,
``keras.saving`` and ``keras.utils`` is a module (``import
minigenre.compat.keras.layers`` works) holding minigenre's own objects. A name
Keras has and minigenre does not (``Conv2D``, ``Nadam``, ``keras.Model``) still
imports, so an unused import stops nothing; using it raises one line naming the
feature and what minigenre has instead.
"""

from __future__ import annotations

import sys
import types

import numpy as np

from minigenre import activations as core_activations
from minigenre import callbacks as core_callbacks
from minigenre import losses as core_losses
from minigenre import metrics as core_metrics
from minigenre import optimizers as core_optimizers
from minigenre.layers import Activation, BatchNormalization, Dense, Dropout, Input
from minigenre.model import Sequential as CoreSequential
from minigenre.saving.load import load_model
from minigenre.saving.model_files import save_model


class Missing:
    """A Keras name minigenre lacks: imports fine, refuses when called or used."""

    def __init__(self, name: str, instead: str) -> None:
        self.name, self.instead = name, instead

    def refuse(self, *args, **kwargs):
        raise ValueError(
            f"{self.name} is a Keras feature minigenre does not implement; "
            f"minigenre has {self.instead}."
        )

    __call__ = refuse

    def __getattr__(self, attribute: str):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        self.refuse()

    def __repr__(self) -> str:
        return f"<{self.name}: not in minigenre>"


def to_categorical(x, num_classes: int | None = None) -> np.ndarray:
    """One-hot rows for integer labels, as ``keras.utils.to_categorical``.

    A trailing axis of 1 is dropped first, as Keras does; the result is float64
    of shape ``x.shape + (num_classes,)``.

    >>> to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    array = np.asarray(x)
    if array.dtype.kind not in "iuf" or (
        array.size and (array != np.round(array)).any()
    ):
        raise ValueError(f"to_categorical needs integer labels. Received: {x!r}")
    array = array.astype(np.int64)
    shape = array.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    array = array.reshape(-1)
    if num_classes is None:
        num_classes = int(array.max(initial=-1)) + 1
    if array.size and (array.min() < 0 or array.max() >= num_classes):
        raise ValueError(
            f"to_categorical needs labels in [0, {num_classes}). Received: "
            f"{array.min()}..{array.max()}"
        )
    categorical = np.zeros((len(array), num_classes))
    categorical[np.arange(len(array)), array] = 1
    return categorical.reshape((*shape, num_classes))


def clone_model(model: CoreSequential) -> CoreSequential:
    """The same architecture with freshly initialised weights, uncompiled, as
    ``keras.models.clone_model``."""
    return CoreSequential.from_config(model.get_config())


def set_random_seed(seed: int) -> None:
    """Keras's global seed: here, the seed of every model built afterwards by
    ``keras.Sequential`` without one (``seed``, ``seed + 1``, ...): the same
    script with the same seed trains the same way."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0. Received: seed={seed!r}")
    SEEDS[:] = [int(seed)]


SEEDS: list[int] = []  # set_random_seed's next seed, if it was called


class Sequential(CoreSequential):
    """``keras.Sequential``: minigenre's, seeded by ``set_random_seed`` if given."""

    def __init__(self, layers=None, seed=None, dtype="float32", name="sequential"):
        if seed is None and SEEDS:
            seed = SEEDS[0]
            SEEDS[0] += 1
        super().__init__(layers, seed=seed, dtype=dtype, name=name)


HAS = {
    "layers": "the layers Dense, Activation, Dropout, BatchNormalization and Input",
    "optimizers": "the optimizers Adam, SGD and RMSprop",
    "losses": "the losses SparseCategoricalCrossentropy, CategoricalCrossentropy "
    "and BinaryCrossentropy",
    "metrics": "the metrics BinaryAccuracy, CategoricalAccuracy and "
    "SparseCategoricalAccuracy",
    "callbacks": "the callbacks History, EarlyStopping and ModelCheckpoint",
    "activations": f"the activations {', '.join(sorted(core_activations.ACTIVATIONS))}",
    "models": "Sequential, load_model and clone_model",
    "saving": "load_model and save_model",
    "utils": "to_categorical and set_random_seed",
    "": "Sequential models of Dense, Activation, Dropout and BatchNormalization layers",
}

CONTENTS = {
    "layers": {"Dense": Dense, "Input": Input, "Activation": Activation,
               "Dropout": Dropout, "BatchNormalization": BatchNormalization},
    "optimizers": {"Adam": core_optimizers.Adam, "SGD": core_optimizers.SGD,
                   "RMSprop": core_optimizers.RMSprop},
    "losses": {
        "SparseCategoricalCrossentropy": core_losses.SparseCategoricalCrossentropy,
        "CategoricalCrossentropy": core_losses.CategoricalCrossentropy,
        "BinaryCrossentropy": core_losses.BinaryCrossentropy,
        "sparse_categorical_crossentropy": core_losses.sparse_categorical_crossentropy,
        "categorical_crossentropy": core_losses.categorical_crossentropy,
        "binary_crossentropy": core_losses.binary_crossentropy,
    },
    "metrics": {
        "BinaryAccuracy": core_metrics.BinaryAccuracy,
        "CategoricalAccuracy": core_metrics.CategoricalAccuracy,
        "SparseCategoricalAccuracy": core_metrics.SparseCategoricalAccuracy,
        **core_metrics.FUNCTIONS,
    },
    "callbacks": {"Callback": core_callbacks.Callback,
                  "History": core_callbacks.History,
                  "EarlyStopping": core_callbacks.EarlyStopping,
                  "ModelCheckpoint": core_callbacks.ModelCheckpoint},
    "activations": {name: f for name, (f, _) in core_activations.ACTIVATIONS.items()},
    "models": {"Sequential": Sequential, "load_model": load_model,
               "clone_model": clone_model},
    "saving": {"load_model": load_model, "save_model": save_model},
    "utils": {"to_categorical": to_categorical, "set_random_seed": set_random_seed},
}  # fmt: skip


# Keras's lower-case names minigenre lacks, per module (its classes, capitalised,
# are all recognised): they import, and refuse when used.
KERAS_ONLY = {
    "": "applications backend config constraints datasets distribution export "
    "initializers mixed_precision ops preprocessing quantizers random regularizers "
    "tree version visualization wrappers",
    "layers": "",
    "optimizers": "schedules",
    "losses": "mean_squared_error mse mean_absolute_error mae kl_divergence "
    "huber hinge log_cosh poisson squared_hinge categorical_hinge "
    "mean_absolute_percentage_error mean_squared_logarithmic_error",
    "metrics": "mean_squared_error mse mean_absolute_error mae "
    "top_k_categorical_accuracy sparse_top_k_categorical_accuracy auc",
    "callbacks": "",
    "activations": "selu gelu softplus softsign swish silu hard_sigmoid "
    "exponential leaky_relu relu6 mish log_softmax get serialize deserialize",
    "models": "model_from_json save_model",
    "saving": "register_keras_serializable get_custom_objects",
    "utils": "plot_model normalize pad_sequences get_file split_dataset "
    "image_dataset_from_directory timeseries_dataset_from_array "
    "text_dataset_from_directory model_to_dot",
}


def _missing_names(module: str, instead: str):
    """A module ``__getattr__``: a Keras name minigenre lacks is a ``Missing``
    (any capitalised name, or a lower-case one Keras has); anything else is an
    ordinary missing attribute."""
    prefix = f"keras.{module}" if module else "keras"
    lower = set(KERAS_ONLY[module].split())

    def __getattr__(name: str):
        if name[:1].isupper() or name in lower:
            return Missing(f"{prefix}.{name}", instead)
        raise AttributeError(f"module {prefix!r} has no attribute {name!r}")

    return __getattr__


def _submodule(name: str) -> types.ModuleType:
    module = types.ModuleType(f"{__name__}.{name}", f"keras.{name}, from minigenre.")
    module.__dict__.update(CONTENTS[name])
    module.__getattr__ = _missing_names(name, HAS[name])
    sys.modules[module.__name__] = module  # import minigenre.compat.keras.layers
    return module


layers = _submodule("layers")
optimizers = _submodule("optimizers")
losses = _submodule("losses")
metrics = _submodule("metrics")
callbacks = _submodule("callbacks")
activations = _submodule("activations")
models = _submodule("models")
saving = _submodule("saving")
utils = _submodule("utils")
__getattr__ = _missing_names("", HAS[""])
