"""minigenre: the study's music-genre network, written from scratch in NumPy.

The public API mirrors Keras, so the study's code runs after changing its imports::

    from minigenre import Sequential, Dense, Adam
"""

from minigenre._threads import get_blas_threads, set_blas_threads
from minigenre.callbacks import Callback, EarlyStopping, History
from minigenre.layers import Dense
from minigenre.losses import (
    SparseCategoricalCrossentropy,
    sparse_categorical_crossentropy,
)
from minigenre.model import Sequential
from minigenre.optimizers import SGD, Adam
from minigenre.saving import load_model, save_model

__version__ = "0.1.0"

__all__ = [
    "SGD",
    "Adam",
    "Callback",
    "Dense",
    "EarlyStopping",
    "History",
    "Sequential",
    "SparseCategoricalCrossentropy",
    "get_blas_threads",
    "load_model",
    "save_model",
    "set_blas_threads",
    "sparse_categorical_crossentropy",
]
