# One-hot genres with to_categorical, Dropout between Dense layers, the model saved
# and loaded back to predict (GTZAN genre scripts).
import json
import os

import numpy as np
from keras.layers import Conv2D, Dense, Dropout  # noqa: F401 (Conv2D unused here)
from keras.models import Sequential, load_model
from keras.utils import set_random_seed, to_categorical
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from minigenre.study.synthetic import make_synthetic

set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
data = make_synthetic(seed=2)
X = StandardScaler().fit_transform(data.x_train)
y = to_categorical(data.y_train, num_classes=10)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.2, random_state=42
)

model = Sequential(
    [
        Dense(128, activation="relu", input_shape=(X.shape[1],)),
        Dropout(0.3),
        Dense(64, activation="relu"),
        Dropout(0.3),
        Dense(10, activation="softmax"),
    ]
)
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(
    X_train,
    y_train,
    epochs=5,
    batch_size=32,
    validation_data=(X_test, y_test),
    verbose=0,
)
model.save("genre_model.keras")
restored = load_model("genre_model.keras")
predicted = np.argmax(restored.predict(X_test, verbose=0), axis=1)
accuracy = float(np.mean(predicted == np.argmax(y_test, axis=1)))
print("METRICS", json.dumps({"accuracy": accuracy}))
