# Species names through LabelEncoder then to_categorical, tensorflow.keras imports,
# validation_split (iris-from-CSV scripts).
import json
import os

import numpy as np
from sklearn.datasets import load_iris
from sklearn.preprocessing import LabelEncoder
from tensorflow.keras.layers import Dense
from tensorflow.keras.models import Sequential
from tensorflow.keras.utils import set_random_seed, to_categorical

set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
iris = load_iris()
X = iris.data.astype(float)
names = np.array(iris.target_names)[iris.target]  # the CSV's text column
encoder = LabelEncoder()
encoder.fit(names)
dummy_y = to_categorical(encoder.transform(names))
order = np.random.default_rng(0).permutation(len(X))  # the CSV is sorted by class
X, dummy_y = X[order], dummy_y[order]

model = Sequential()
model.add(Dense(8, activation="relu"))
model.add(Dense(3, activation="softmax"))
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(
    X, dummy_y, epochs=80, batch_size=10, validation_split=0.1, verbose=0
)
print("METRICS", json.dumps({"val_accuracy": history.history["val_accuracy"][-1]}))
