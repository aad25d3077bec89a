"""Tutorial 7's exercises, solved (inside the tutorial's variables)."""

import numpy as np


def train_with_early_stopping():
    model = network(seed=0)
    stopper = EarlyStopping(
        monitor="val_accuracy", patience=5, restore_best_weights=True
    )
    history = model.fit(
        x_train,
        y_train,
        epochs=50,
        verbose=0,
        validation_data=(x_val, y_val),
        callbacks=[stopper],
    )
    return model, history


def balanced_class_weights(y):
    counts = np.bincount(y)
    return len(y) / (len(counts) * counts)


def macro_recall(y_true, y_pred):
    genres = np.unique(y_true)
    return float(np.mean([np.mean(y_pred[y_true == c] == c) for c in genres]))
