# A small sigmoid network trained by plain SGD, verbose=False, validation_split,
# evaluate unpacked into loss and accuracy, f-string report (beginner MNIST scripts).
import json
import os

from keras.layers import Dense
from keras.models import Sequential
from keras.utils import set_random_seed, to_categorical
from sklearn.datasets import load_digits

set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
digits = load_digits()
image_size, num_classes = 64, 10
x = digits.data / 16.0
y = to_categorical(digits.target, num_classes)
x_train, x_test, y_train, y_test = x[:1500], x[1500:], y[:1500], y[1500:]

model = Sequential()
model.add(Dense(units=32, activation="sigmoid", input_shape=(image_size,)))
model.add(Dense(units=num_classes, activation="softmax"))
model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(
    x_train, y_train, batch_size=32, epochs=40, verbose=False, validation_split=0.1
)
loss, accuracy = model.evaluate(x_test, y_test, verbose=False)
print(f"Test loss: {loss:.3}")
print(f"Test accuracy: {accuracy:.3}")
print("METRICS", json.dumps({"accuracy": accuracy, "loss": loss}))
