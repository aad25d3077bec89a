# Wide layers with Dropout, the whole model and its weights saved, the weights loaded
# into a second model (book examples for iris).
import json
import os

import numpy as np
from keras.layers import Dense, Dropout
from keras.models import Sequential
from keras.utils import set_random_seed, to_categorical
from sklearn import datasets

set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
iris = datasets.load_iris()
in_size, nb_classes = 4, 3
order = np.random.default_rng(1).permutation(150)
x = iris.data[order]
y = to_categorical(iris.target[order], nb_classes)


def build():
    model = Sequential()
    model.add(Dense(64, activation="relu", input_shape=(in_size,)))
    model.add(Dense(64, activation="relu"))
    model.add(Dropout(0.2))
    model.add(Dense(nb_classes, activation="softmax"))
    model.compile(
        loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"]
    )
    return model


model = build()
model.fit(x[:120], y[:120], batch_size=20, epochs=50, verbose=0)
model.save("iris_model.keras")
model.save_weights("iris.weights.h5")
twin = build()
twin.load_weights("iris.weights.h5")
same = bool(np.allclose(twin.predict(x, verbose=0), model.predict(x, verbose=0)))
loss, accuracy = twin.evaluate(x[120:], y[120:], verbose=0)
print("METRICS", json.dumps({"accuracy": accuracy, "same_predictions": same}))
