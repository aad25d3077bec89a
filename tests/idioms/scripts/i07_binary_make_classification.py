# A binary classifier: one sigmoid unit, binary cross-entropy, accuracy, stratified
# split, the optimizer named "Adam" with a capital (Stack Overflow questions).
import json
import os

from keras.layers import Dense
from keras.models import Sequential
from keras.utils import set_random_seed
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
X, y = make_classification(1000, 11, random_state=42)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.33, random_state=40, stratify=y
)
model = Sequential()
model.add(Dense(12, input_dim=11, activation="relu"))
model.add(Dense(12, activation="relu"))
model.add(Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer="Adam", metrics=["accuracy"])
model.fit(
    X_train,
    y_train,
    validation_data=(X_test, y_test),
    epochs=10,
    batch_size=16,
    verbose=0,
)
loss, accuracy = model.evaluate(X_test, y_test, verbose=0)
print("METRICS", json.dumps({"accuracy": accuracy, "loss": loss}))
