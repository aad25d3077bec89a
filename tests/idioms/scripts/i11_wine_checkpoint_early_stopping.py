# Wine: MinMaxScaler, metrics=["acc"], the best model kept by ModelCheckpoint with
# the epoch and val_loss in its name, EarlyStopping, verbose=2 (course scripts).
import json
import os

from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler
from tensorflow.keras.callbacks import EarlyStopping, ModelCheckpoint
from tensorflow.keras.layers import Dense
from tensorflow.keras.models import Sequential
from tensorflow.keras.utils import set_random_seed, to_categorical

set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
dataset = load_wine()
x, y = dataset.data, to_categorical(dataset.target)
x_train, x_test, y_train, y_test = train_test_split(
    x, y, test_size=0.2, random_state=45
)
scaler = MinMaxScaler()
scaler.fit(x_train)
x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)

model = Sequential()
model.add(Dense(64, activation="relu", input_shape=(13,)))
model.add(Dense(32, activation="relu"))
model.add(Dense(3, activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["acc"])
os.makedirs("modelCheckpoint", exist_ok=True)
modelpath = "./modelCheckpoint/wine_{epoch:02d}-{val_loss:.4f}.keras"
cp = ModelCheckpoint(
    filepath=modelpath, monitor="val_loss", save_best_only=True, mode="auto"
)
es = EarlyStopping(monitor="val_loss", patience=10, mode="auto")
model.fit(
    x_train,
    y_train,
    epochs=150,
    batch_size=8,
    validation_split=0.2,
    verbose=2,
    callbacks=[es, cp],
)
loss, acc = model.evaluate(x_test, y_test, verbose=0)
print("loss :", loss)
print("acc :", acc)
best_files = os.listdir("modelCheckpoint")  # one per improvement of val_loss
print(
    "METRICS", json.dumps({"accuracy": acc, "checkpoint_written": len(best_files) > 0})
)
