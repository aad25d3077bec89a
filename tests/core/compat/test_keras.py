"""Keras's modules for what minigenre implements: imports as Keras code writes them."""

import subprocess
import sys

import numpy as np
import pytest

from minigenre import Dense
from minigenre.compat import keras


def test_submodules_import_the_way_keras_code_imports_them():
    from minigenre.compat.keras import layers
    from minigenre.compat.keras.callbacks import ModelCheckpoint
    from minigenre.compat.keras.layers import BatchNormalization, Dropout
    from minigenre.compat.keras.utils import to_categorical

    assert layers.Dense is Dense
    assert Dropout.__module__ == "minigenre.layers.dropout"
    assert BatchNormalization.__module__ == "minigenre.layers.batch_normalization"
    assert ModelCheckpoint.__module__ == "minigenre.callbacks"
    assert to_categorical is keras.utils.to_categorical


def test_a_keras_name_minigenre_lacks_imports_and_refuses_only_when_used():
    from minigenre.compat.keras.layers import Conv2D, LayerNormalization
    from minigenre.compat.keras.optimizers import Nadam

    assert repr(Conv2D) == "<keras.layers.Conv2D: not in minigenre>"
    with pytest.raises(
        ValueError,
        match=r"^keras.layers.Conv2D is a Keras feature minigenre does not implement; "
        r"minigenre has the layers Dense, Activation, Dropout, BatchNormalization "
        r"and Input\.$",
    ):
        Conv2D(32, 3)
    with pytest.raises(ValueError, match=r"^keras.optimizers.Nadam is a Keras feature"):
        Nadam(learning_rate=0.01)
    with pytest.raises(ValueError, match=r"^keras.Model is a Keras feature"):
        keras.Model(inputs=None, outputs=None)
    with pytest.raises(ValueError, match="LayerNormalization"):
        LayerNormalization.epsilon  # noqa: B018 (using it is what refuses)
    with pytest.raises(AttributeError, match="has no attribute 'not_a_keras_name'"):
        keras.utils.not_a_keras_name  # noqa: B018


def test_to_categorical_matches_keras_shapes_and_values():
    onehot = keras.utils.to_categorical(np.array([[2], [0], [1]]))
    assert onehot.dtype == np.float64
    assert onehot.tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    assert keras.utils.to_categorical([1], num_classes=4).shape == (1, 4)
    with pytest.raises(ValueError, match=r"^to_categorical needs labels in \[0, 2\)"):
        keras.utils.to_categorical([0, 2], num_classes=2)
    with pytest.raises(ValueError, match=r"^to_categorical needs integer labels"):
        keras.utils.to_categorical([0.5])


def test_set_random_seed_makes_keras_sequentials_repeat():
    def run():
        keras.utils.set_random_seed(7)
        model = keras.Sequential([keras.layers.Dense(3), keras.layers.Dense(2)])
        model.build(4)
        return model.get_weights()

    for a, b in zip(run(), run(), strict=True):
        assert np.array_equal(a, b)


def test_clone_model_keeps_the_architecture_with_new_weights():
    model = keras.Sequential(
        [keras.Input(shape=(4,)), keras.layers.Dense(3), keras.layers.Dropout(0.2)]
    )
    clone = keras.models.clone_model(model)
    assert [type(layer) for layer in clone.layers] == [type(x) for x in model.layers]
    assert clone.input_dim == 4
    assert not np.array_equal(clone.get_weights()[0], model.get_weights()[0])
    assert clone.optimizer is None


def test_nothing_here_imports_tensorflow():
    code = (
        "import sys\n"
        "sys.modules['tensorflow'] = None\n"
        "sys.modules['keras'] = None\n"
        "from minigenre.compat.keras.layers import Dense, Conv2D\n"
        "import minigenre.compat.keras.metrics\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "ok", result.stderr
