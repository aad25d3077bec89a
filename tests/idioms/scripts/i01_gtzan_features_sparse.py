# A genre classifier on a table of audio features, integer labels, a validation
# slice cut by hand; an unused Activation import (idioms of GTZAN feature-table
# scripts: see docs/KERAS.md).
import json
import os

import keras
import numpy as np
from keras import layers, models
from keras.layers import Activation, Dense  # noqa: F401 (Activation unused, as there)
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from minigenre.study.synthetic import make_synthetic

keras.utils.set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
data = make_synthetic(seed=1)
scaler = StandardScaler()
X = scaler.fit_transform(np.array(data.x_train, dtype=float))
y = data.y_train
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)

x_val, partial_x_train = X_train[:200], X_train[200:]
y_val, partial_y_train = y_train[:200], y_train[200:]

model = models.Sequential()
model.add(layers.Dense(256, activation="relu", input_shape=(X_train.shape[1],)))
model.add(layers.Dense(128, activation="relu"))
model.add(layers.Dense(64, activation="relu"))
model.add(Dense(10, activation="softmax"))
model.compile(
    optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
history = model.fit(
    partial_x_train,
    partial_y_train,
    epochs=4,
    batch_size=128,
    validation_data=(x_val, y_val),
    verbose=0,
)
test_loss, test_acc = model.evaluate(X_test, y_test, verbose=0)
print("METRICS", json.dumps({"accuracy": test_acc, "loss": test_loss}))
