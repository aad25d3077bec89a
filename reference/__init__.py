"""The study's model in Keras, and weight transfer to and from minigenre's NumPy model.

This package is the only place in the project that imports TensorFlow. Install it with
``pip install "minigenre[reference]"``.
"""

from reference.keras_model import (
    build_model,
    fit_keras,
    keras_to_numpy,
    numpy_to_keras,
)

__all__ = ["build_model", "fit_keras", "keras_to_numpy", "numpy_to_keras"]
