import numpy as np
import pytest

from minigenre import metrics
from minigenre.metrics import BinaryAccuracy, CategoricalAccuracy, resolve


def test_golden_values_per_row():
    p = np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]])
    assert metrics.sparse_categorical_accuracy(np.array([1, 1, 0]), p).tolist() == [
        True,
        False,
        True,  # a tie goes to the first index, as argmax in Keras
    ]
    onehot = np.array([[0, 1], [0, 1], [1, 0]])
    assert metrics.categorical_accuracy(onehot, p).tolist() == [True, False, True]
    y = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    # 0.5 is not above the threshold: predicted 0
    assert metrics.binary_accuracy(y, p).tolist() == [0.0, 0.5, 1.0]


def test_objects_keep_a_running_weighted_mean():
    metric = BinaryAccuracy()
    metric.update_state([[1.0], [0.0]], [[0.9], [0.7]])  # 1 of 2
    metric.update_state([[1.0]], [[0.6]], sample_weight=[2.0])  # 2 of 2
    assert metric.name == "binary_accuracy"
    assert metric.result() == pytest.approx(3 / 4)
    metric.reset_state()
    assert metric.result() == 0.0
    assert CategoricalAccuracy(name="acc").name == "acc"


def test_accuracy_resolves_as_keras_3_chooses():
    assert resolve("accuracy", "binary_crossentropy", 1)[1] is metrics.binary_accuracy
    sparse = resolve("acc", "sparse_categorical_crossentropy", 10)
    assert sparse == ("acc", metrics.sparse_categorical_accuracy)
    # several sigmoid outputs: Keras 3 picks categorical accuracy for "accuracy"
    multi = resolve("accuracy", "binary_crossentropy", 4)
    assert multi[1] is metrics.categorical_accuracy
    assert resolve(BinaryAccuracy(name="bin"), "binary_crossentropy", 4)[0] == "bin"


def test_unknown_metric_is_one_line_listing_the_valid_ones():
    with pytest.raises(ValueError, match=r"^Unknown metric: 'auc'. Valid names: acc"):
        resolve("auc", "binary_crossentropy", 1)
    with pytest.raises(ValueError, match=r"^Unknown metric: array\(\['acc', 'acc'\]"):
        resolve(np.array(["acc", "acc"]), "binary_crossentropy", 1)
