# Wine with scikit-learn's OneHotEncoder, a second split for validation, input_dim,
# evaluate with a batch size, loss[0] and loss[1] (course scripts).
import json
import os

from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder
from tensorflow.keras.callbacks import EarlyStopping
from tensorflow.keras.layers import Dense
from tensorflow.keras.models import Sequential
from tensorflow.keras.utils import set_random_seed

set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
early_stopping = EarlyStopping(monitor="loss", patience=10)
datasets = load_wine()
x, y = datasets.data, datasets.target
encoder = OneHotEncoder()
y = encoder.fit_transform(y.reshape(-1, 1)).toarray()
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=7)
x_train, x_val, y_train, y_val = train_test_split(
    x_train, y_train, test_size=0.2, random_state=7
)
scaler = MinMaxScaler()
x_train = scaler.fit_transform(x_train)
x_test, x_val = scaler.transform(x_test), scaler.transform(x_val)

model = Sequential()
model.add(Dense(64, activation="relu", input_dim=13))
model.add(Dense(32, activation="relu"))
model.add(Dense(16, activation="relu"))
model.add(Dense(3, activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(
    x_train,
    y_train,
    validation_data=(x_val, y_val),
    epochs=60,
    batch_size=4,
    callbacks=[early_stopping],
    verbose=0,
)
loss = model.evaluate(x_test, y_test, batch_size=4, verbose=0)
y_pred = model.predict(x_test, verbose=0)
print("loss : ", loss[0], "\naccuracy : ", loss[1])
print("METRICS", json.dumps({"accuracy": loss[1], "loss": loss[0]}))
