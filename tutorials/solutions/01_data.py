"""Tutorial 1's exercise, solved."""

import numpy as np


def majority_share(y):
    return np.bincount(y).max() / len(y)
