# Multi-label: one sigmoid per label, binary cross-entropy, Dropout on the input,
# predictions thresholded at 0.5 and scored with F1 (multi-label scripts).
import json
import os

from keras.layers import Dense, Dropout
from keras.models import Sequential
from keras.optimizers import Adam
from keras.utils import set_random_seed
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import f1_score

set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
X, Y = make_multilabel_classification(600, 20, n_classes=5, random_state=3)
X = X / X.max()
xt, yt, xs, ys = X[:450], Y[:450], X[450:], Y[450:]

clf = Sequential()
clf.add(Dropout(0.1, input_shape=(xt.shape[1],)))
clf.add(Dense(64, activation="relu"))
clf.add(Dropout(0.3))
clf.add(Dense(yt.shape[1], activation="sigmoid"))
clf.compile(optimizer=Adam(), loss="binary_crossentropy", metrics=["binary_accuracy"])
clf.fit(xt, yt, batch_size=64, epochs=40, validation_data=(xs, ys), verbose=0)
preds = clf.predict(xs, verbose=0)
preds[preds >= 0.5] = 1
preds[preds < 0.5] = 0
binary_accuracy = clf.evaluate(xs, ys, verbose=0)[1]
print(
    "METRICS",
    json.dumps(
        {
            "f1_macro": f1_score(ys, preds, average="macro"),
            "binary_accuracy": binary_accuracy,
        }
    ),
)
