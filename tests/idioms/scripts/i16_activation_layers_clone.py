# Keras 1-era layers: Dense then a separate Activation, Dropout 0.5, the history read
# from model.history, a fresh copy by clone_model trained again (Reuters MLP style).
import json
import os

import keras
from keras.layers import Activation, Dense, Dropout
from keras.models import Sequential, clone_model
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from minigenre.study.synthetic import make_synthetic

keras.utils.set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
data = make_synthetic(seed=3)
x = StandardScaler().fit_transform(data.x_train)
y = keras.utils.to_categorical(data.y_train)
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=3)

model = Sequential()
model.add(Dense(128, input_shape=(x.shape[1],)))
model.add(Activation("relu"))
model.add(Dropout(0.5))
model.add(Dense(10))
model.add(Activation("softmax"))
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=4, verbose=0, validation_split=0.1)
val_accuracy = model.history.history["val_accuracy"][-1]
copy = clone_model(model)
copy.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
copy.fit(x_train, y_train, batch_size=32, epochs=4, verbose=0)
score = model.evaluate(x_test, y_test, verbose=0)
copy_score = copy.evaluate(x_test, y_test, verbose=0)
print(
    "METRICS",
    json.dumps(
        {
            "accuracy": score[1],
            "copy_accuracy": copy_score[1],
            "val_accuracy": val_accuracy,
        }
    ),
)
