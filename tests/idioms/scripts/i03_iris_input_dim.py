# Iris with input_dim on the first layer, one-hot targets and validation_data, in
# small batches (iris MLP tutorials).
import json
import os

from keras.layers import Dense
from keras.models import Sequential
from keras.utils import set_random_seed, to_categorical
from sklearn import preprocessing
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
iris = load_iris()
X = preprocessing.scale(iris["data"])
Y = to_categorical(iris["target"])
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=0.2, random_state=1)

model = Sequential()
model.add(Dense(6, input_dim=4, activation="relu"))
model.add(Dense(3, activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(
    X_train,
    Y_train,
    validation_data=(X_test, Y_test),
    epochs=60,
    batch_size=10,
    verbose=0,
)
loss, accuracy = model.evaluate(X_test, Y_test, verbose=0)
print("METRICS", json.dumps({"accuracy": accuracy, "loss": loss}))
