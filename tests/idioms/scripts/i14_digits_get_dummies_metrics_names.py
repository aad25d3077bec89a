# Digits with pandas' get_dummies as the one-hot target, sigmoid hidden layers,
# categorical_accuracy, and metrics_names in the report line (tutorial notebooks).
import json
import os

import pandas as pd
from keras.layers import Dense
from keras.models import Sequential
from keras.optimizers import Adam
from keras.utils import set_random_seed
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
dig = load_digits()
onehot_target = pd.get_dummies(dig.target)
x_train, x_val, y_train, y_val = train_test_split(
    dig.data, onehot_target, test_size=0.1, random_state=20
)
model = Sequential()
model.add(Dense(128, input_dim=x_train.shape[1], activation="sigmoid"))
model.add(Dense(128, activation="sigmoid"))
model.add(Dense(10, activation="softmax"))
model.summary()
model.compile(
    optimizer=Adam(), loss="categorical_crossentropy", metrics=["categorical_accuracy"]
)
model.fit(x_train, y_train, epochs=15, batch_size=64, verbose=0)
scores = model.evaluate(x_val, y_val, verbose=0)
print("\n%s: %.2f%%" % (model.metrics_names[1], scores[1] * 100))  # noqa: UP031
print("METRICS", json.dumps({"accuracy": scores[1], "name": model.metrics_names[1]}))
