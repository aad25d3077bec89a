"""The study's 2018 notebook cell, run with nothing changed but its imports."""

import numpy as np
import pytest

from minigenre import Adam, activations
from minigenre.compat import AdamOptimizer
from minigenre.study.preprocessing import StandardScaler, train_test_split
from minigenre.study.synthetic import make_synthetic

# The cell as the study wrote it (2018, TensorFlow 1.x), verbatim below its imports.
STUDY_IMPORTS = """\
import tensorflow as tf
from tensorflow import keras
"""
STUDY_CELL = """
def build_model():
    model = keras.Sequential([
        keras.layers.Dense(128, activation=tf.nn.elu),
        keras.layers.Dense(10, activation=tf.nn.softmax)
    ])

    model.compile(optimizer=tf.train.AdamOptimizer(),
                  loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])
    model.fit(X_train, y_train, epochs=4)
    return model

model = build_model()
test_loss, test_acc = model.evaluate(X_test, y_test)
predictions = model.predict(test_reduced)
"""
SWAPPED_IMPORTS = "from minigenre.compat import keras, tf\n"


@pytest.fixture(scope="module")
def study_data():
    """The study's variables: standardized 80/20 split and the unlabelled test rows."""
    data = make_synthetic(seed=0)
    x_train, x_test, y_train, y_test = train_test_split(
        data.x_train, data.y_train, test_size=0.2, seed=0, stratify=data.y_train
    )
    scaler = StandardScaler().fit(x_train)
    return {
        "X_train": scaler.transform(x_train),
        "y_train": y_train,
        "X_test": scaler.transform(x_test),
        "y_test": y_test,
        "test_reduced": scaler.transform(data.x_test),
    }


def test_study_cell_runs_with_only_its_imports_swapped(study_data, capsys):
    original = STUDY_IMPORTS + STUDY_CELL
    source = original.replace(STUDY_IMPORTS, SWAPPED_IMPORTS)
    assert source == SWAPPED_IMPORTS + STUDY_CELL  # nothing else changed
    namespace = dict(study_data)
    exec(compile(source, "<study cell>", "exec"), namespace)
    log = capsys.readouterr().out
    assert log.count("Epoch ") == 4
    assert "Epoch 4/4" in log
    model = namespace["model"]
    assert [layer.activation for layer in model.layers] == ["elu", "softmax"]
    assert 0.0 < namespace["test_loss"] < np.log(10)  # better than chance
    assert 0.1 < namespace["test_acc"] <= 1.0
    predictions = namespace["predictions"]
    assert predictions.shape == (len(study_data["test_reduced"]), 10)
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-5)


def test_tf_nn_names_are_minigenres_functions():
    from minigenre.compat import tf

    assert tf.nn.elu is activations.elu
    assert tf.nn.softmax is activations.softmax
    assert tf.nn.relu is activations.relu


def test_adam_optimizer_has_tensorflow_1_defaults():
    optimizer = AdamOptimizer()
    assert isinstance(optimizer, Adam)
    assert (optimizer.learning_rate, optimizer.beta_1, optimizer.beta_2) == (
        0.001,
        0.9,
        0.999,
    )
    assert optimizer.epsilon == 1e-8  # Keras 3's default is 1e-7
    assert Adam().epsilon == 1e-7


def test_adam_optimizer_takes_tensorflow_1_argument_names():
    optimizer = AdamOptimizer(learning_rate=0.01, beta1=0.8, beta2=0.99, epsilon=1e-6)
    assert (optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == (0.8, 0.99, 1e-6)
    with pytest.raises(TypeError):
        AdamOptimizer(beta_1=0.8)  # Keras 3's name, not TensorFlow 1's
