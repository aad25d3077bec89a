"""The study's Keras model, built deterministically, with shape-checked weight transfer.

The network: ``Dense(128, activation="elu") -> Dense(10, activation="softmax")``,
Adam, sparse categorical cross-entropy, accuracy.
"""

from __future__ import annotations

import sys

import numpy as np

from minigenre import Sequential
from reference.backend import keras, tf

# Same op, same inputs, same result: needed for seeds to reproduce runs exactly.
tf.config.experimental.enable_op_determinism()

# Apart by more than any seed a run uses, so no two layers of any runs share one.
LAYER_SEED_STRIDE = 10**9


def build_model(
    seed: int | None = None,
    input_dim: int = 264,
    units: int = 128,
    n_classes: int = 10,
    learning_rate: float = 0.001,
) -> keras.Sequential:
    """Returns the study's compiled Keras model, deterministic for a given seed.

    Args:
        seed: Seeds Keras's global generators (``keras.utils.set_random_seed``, which
            also drives ``fit``'s shuffling) and each layer's initializer.
        input_dim: Number of features (264 in the study).
        units: Width of the hidden ELU layer.
        n_classes: Number of genres.
        learning_rate: Adam's learning rate (Keras's default, as the study used).
    """
    if seed is not None:
        keras.utils.set_random_seed(seed)

    # One stream per layer, never shared between runs: a seeded initializer draws
    # the same values for every shape (Philox, stateless), so seeds seed and
    # seed + 1 would give run s's output kernel the first values of run s + 1's
    # hidden kernel, and runs with consecutive seeds would not be independent.
    def glorot(layer):
        if seed is None:
            return keras.initializers.GlorotUniform(None)
        return keras.initializers.GlorotUniform(seed + layer * LAYER_SEED_STRIDE)

    model = keras.Sequential(
        [
            keras.Input(shape=(input_dim,)),
            keras.layers.Dense(units, activation="elu", kernel_initializer=glorot(0)),
            keras.layers.Dense(
                n_classes, activation="softmax", kernel_initializer=glorot(1)
            ),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _copy_checked(weights: list[np.ndarray], shapes: list[tuple], source: str) -> None:
    if len(weights) != len(shapes):
        raise ValueError(
            f"{source} has {len(weights)} weight arrays; the target has {len(shapes)}."
        )
    for i, (w, shape) in enumerate(zip(weights, shapes, strict=True)):
        if tuple(w.shape) != tuple(shape):
            raise ValueError(
                f"{source} weight {i} has shape {tuple(w.shape)}; "
                f"the target expects {tuple(shape)}."
            )


def keras_to_numpy(keras_model: keras.Model, numpy_model: Sequential) -> None:
    """Copies Keras's weights into the NumPy model, after checking every shape.

    Both keep ``[kernel_0, bias_0, kernel_1, bias_1]`` with kernels (in, units), so the
    arrays copy across unchanged.
    """
    weights = [np.asarray(w) for w in keras_model.get_weights()]
    if not numpy_model.built:
        numpy_model.build(weights[0].shape[0])
    _copy_checked(weights, [w.shape for w in numpy_model.get_weights()], "Keras model")
    numpy_model.set_weights(weights)


def numpy_to_keras(numpy_model: Sequential, keras_model: keras.Model) -> None:
    """Copies the NumPy model's weights into Keras's, after checking every shape."""
    weights = numpy_model.get_weights()
    _copy_checked(weights, [w.shape for w in keras_model.get_weights()], "NumPy model")
    keras_model.set_weights(weights)


def fit_keras(
    numpy_model: Sequential, x_train, y_train, seed, fit_args, patience=None
) -> dict:
    """Trains the study's Keras model and copies its weights into ``numpy_model``.

    ``minigenre train --model keras`` passes this to ``workflow.train_run``, so the
    saved run holds Keras's weights in minigenre's format and never needs TensorFlow
    again. The Keras model takes ``numpy_model``'s width and learning rate;
    ``patience`` adds Keras's ``EarlyStopping`` on ``val_loss`` with the best
    weights restored. Returns Keras's ``history.history``.
    """
    keras_model = build_model(
        seed,
        input_dim=x_train.shape[1],
        units=numpy_model.layers[0].units,
        n_classes=numpy_model.layers[-1].units,
        learning_rate=numpy_model.optimizer.learning_rate,
    )
    x_val, y_val = fit_args["validation_data"]
    fit_args = {**fit_args, "validation_data": (x_val.astype(np.float32), y_val)}
    if fit_args["verbose"] and not sys.stdout.isatty():
        # Keras 3 redraws its bar with ANSI codes even into a file; 2 is a plain
        # line per epoch.
        fit_args["verbose"] = 2
    if patience is not None:
        fit_args["callbacks"] = [
            keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)
        ]
    history = keras_model.fit(x_train.astype(np.float32), y_train, **fit_args).history
    keras_to_numpy(keras_model, numpy_model)
    return history
