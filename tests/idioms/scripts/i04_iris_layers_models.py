# `from keras import layers, models`, a deep stack with no input shape (built at
# the first fit), evaluate's list read by index (iris MLP tutorials).
import json
import os

from keras import layers, models, utils
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

utils.set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
iris = load_iris()
X = iris["data"]
y = utils.to_categorical(iris["target"])
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)

model = models.Sequential()
model.add(layers.Dense(64, activation="relu"))
model.add(layers.Dense(64, activation="relu"))
model.add(layers.Dense(64, activation="relu"))
model.add(layers.Dense(3, activation="softmax"))
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(X_train, y_train, epochs=30, batch_size=10, verbose=0)
score = model.evaluate(X_test, y_test, verbose=0)
print("METRICS", json.dumps({"accuracy": score[1], "loss": score[0]}))
