"""minigenre: the study's music-genre network, written from scratch in NumPy.

The public API mirrors Keras::

    from minigenre import Sequential, Dense, Adam

and ``minigenre.compat`` runs the study's 2018 notebook with only its imports
changed (``from minigenre.compat import keras, tf``).
"""

from minigenre._speed.threads import get_blas_threads, set_blas_threads
from minigenre.callbacks import Callback, EarlyStopping, History
from minigenre.layers import Dense, Input
from minigenre.losses import (
    SparseCategoricalCrossentropy,
    sparse_categorical_crossentropy,
)
from minigenre.model import Sequential
from minigenre.optimizers import SGD, Adam
from minigenre.saving.load import load_model
from minigenre.saving.model_files import save_model
from minigenre.training import weighting as weighting  # minigenre.weighting.*

__version__ = "0.1.0"

__all__ = [
    "SGD",
    "Adam",
    "Callback",
    "Dense",
    "EarlyStopping",
    "History",
    "Input",
    "Sequential",
    "SparseCategoricalCrossentropy",
    "get_blas_threads",
    "load_model",
    "save_model",
    "set_blas_threads",
    "sparse_categorical_crossentropy",
]
