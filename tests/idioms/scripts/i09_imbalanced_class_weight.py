# Imbalanced binary data: class weights from the counts, keras.Input first, Dropout,
# metric objects, a checkpoint every epoch (the Keras imbalanced-classification
# example).
import json
import os

import keras
import numpy as np
from keras import layers
from sklearn.datasets import make_classification

keras.utils.set_random_seed(int(os.environ.get("IDIOM_SEED", "0")))
features, targets = make_classification(
    3000, 30, n_informative=8, weights=[0.93, 0.07], random_state=5
)
num_val = int(len(features) * 0.2)
train_features, val_features = features[:-num_val], features[-num_val:]
train_targets, val_targets = targets[:-num_val], targets[-num_val:]
mean, std = np.mean(train_features, axis=0), np.std(train_features, axis=0)
train_features = (train_features - mean) / std
val_features = (val_features - mean) / std

counts = np.bincount(train_targets)
weight_for_0 = 1.0 / counts[0]
weight_for_1 = 1.0 / counts[1]

model = keras.Sequential(
    [
        keras.Input(shape=train_features.shape[1:]),
        layers.Dense(64, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dropout(0.3),
        layers.Dense(1, activation="sigmoid"),
    ]
)
metrics = [keras.metrics.BinaryAccuracy(name="acc")]
model.compile(
    optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=metrics
)
callbacks = [keras.callbacks.ModelCheckpoint("fraud_model_at_epoch_{epoch}.keras")]
class_weight = {0: weight_for_0, 1: weight_for_1}
model.fit(
    train_features,
    train_targets,
    batch_size=256,
    epochs=10,
    verbose=0,
    callbacks=callbacks,
    validation_data=(val_features, val_targets),
    class_weight=class_weight,
)
predicted = model.predict(val_features, verbose=0)[:, 0] > 0.5
recall = float(np.mean(predicted[val_targets == 1]))
saved = len([f for f in os.listdir(".") if f.startswith("fraud_model_at_epoch_")])
print("METRICS", json.dumps({"recall": recall, "checkpoints": saved}))
