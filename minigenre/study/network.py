"""The study's network recipe: ``Dense(128, elu) -> Dense(10, softmax)``, Adam.

The one copy every part of the project builds it from: the command line, the
workflow, the Keras comparison and the benchmark.
"""

from __future__ import annotations

from minigenre import Adam, Dense, Sequential
from minigenre.study.options import OPTIONS


def study_model(
    seed: int | None,
    n_classes: int = 10,
    units: int = OPTIONS["units"].default,
    activation: str = "elu",
    learning_rate: float = OPTIONS["learning_rate"].default,
) -> Sequential:
    """The study's network, ``Dense(units, elu) -> Dense(n_classes, softmax)``.

    ``activation`` swaps the hidden layer's ELU, e.g. for ``"relu"`` when comparing
    with scikit-learn, which has no ELU.

    Compiled as the study compiled it: Adam with Keras's defaults (``learning_rate``
    0.001 unless given), sparse categorical cross-entropy and accuracy.

    >>> model = study_model(seed=0)
    >>> [(layer.units, layer.activation) for layer in model.layers]
    [(128, 'elu'), (10, 'softmax')]
    """
    model = Sequential(
        [Dense(units, activation=activation), Dense(n_classes, activation="softmax")],
        seed=seed,
    )
    model.compile(
        Adam(learning_rate), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model
