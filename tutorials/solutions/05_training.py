"""Tutorial 5's exercises, solved."""

import numpy as np


def recall_per_genre(cm):
    return np.diag(cm) / cm.sum(axis=1)


def most_confused(cm, names):
    off_diagonal = cm - np.diag(np.diag(cm))
    true, predicted = np.unravel_index(off_diagonal.argmax(), cm.shape)
    return names[true], names[predicted]


def swallowing_genre(cm, names):
    # A column holds the songs predicted as its genre; off the diagonal, others'.
    taken = cm.sum(axis=0) - np.diag(cm)
    return names[int(taken.argmax())]
