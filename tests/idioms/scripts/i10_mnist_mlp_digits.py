# The Keras MNIST MLP on scikit-learn's 8x8 digits: Dense 512 with Dropout 0.2,
# RMSprop(), summary, history, evaluate with verbose=0 (mnist_mlp.py and its copies).
import json
import os

from keras.layers import Dense, Dropout
from keras.models import Sequential
from keras.optimizers import RMSprop
from keras.utils import set_random_seed, to_categorical
from sklearn.datasets import load_digits

set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
batch_size, num_classes, epochs = 128, 10, 8
digits = load_digits()
x = digits.data.astype("float32") / 16
y = to_categorical(digits.target, num_classes)
x_train, x_test, y_train, y_test = x[:1400], x[1400:], y[:1400], y[1400:]
print(x_train.shape[0], "train samples")

model = Sequential()
model.add(Dense(512, activation="relu", input_shape=(64,)))
model.add(Dropout(0.2))
model.add(Dense(512, activation="relu"))
model.add(Dropout(0.2))
model.add(Dense(num_classes, activation="softmax"))
model.summary()
model.compile(
    loss="categorical_crossentropy", optimizer=RMSprop(), metrics=["accuracy"]
)
history = model.fit(
    x_train,
    y_train,
    batch_size=batch_size,
    epochs=epochs,
    verbose=2,
    validation_data=(x_test, y_test),
)
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
print("METRICS", json.dumps({"accuracy": score[1], "loss": score[0]}))
