# Wine through `from tensorflow.keras import models, layers`: Dense(units=...,
# input_dim=...), integer labels, fit with its defaults (TensorFlow tutorials).
import json
import os

from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler
from tensorflow.keras import layers, models, utils

utils.set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
wine_data = load_wine()
X_train, X_test, y_train, y_test = train_test_split(
    wine_data["data"], wine_data["target"], test_size=0.3, random_state=101
)
scaler = MinMaxScaler()
scaled_x_train = scaler.fit_transform(X_train)
scaled_x_test = scaler.transform(X_test)

dnn_keras_model = models.Sequential()
dnn_keras_model.add(layers.Dense(units=13, input_dim=13, activation="relu"))
dnn_keras_model.add(layers.Dense(units=13, activation="relu"))
dnn_keras_model.add(layers.Dense(units=13, activation="relu"))
dnn_keras_model.add(layers.Dense(units=3, activation="softmax"))
dnn_keras_model.compile(
    optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
dnn_keras_model.fit(scaled_x_train, y_train, epochs=50, verbose=0)
predictions = dnn_keras_model.predict(scaled_x_test, verbose=0).argmax(axis=1)
accuracy = float((predictions == y_test).mean())
print("METRICS", json.dumps({"accuracy": accuracy}))
