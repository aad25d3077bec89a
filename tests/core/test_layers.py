import pytest

from minigenre import Sequential
from minigenre import layers as layers_module


@pytest.mark.parametrize("name", sorted(layers_module.LAYERS))
def test_each_layer_kind_by_keras_class_name_takes_keras_default_name(name):
    kind = layers_module.LAYERS[name]
    assert kind.__name__ == name
    arguments = {"Dense": (3,), "Activation": ("relu",), "Dropout": (0.5,)}
    model = Sequential([kind(*arguments.get(name, ())), kind(*arguments.get(name, ()))])
    snake = layers_module.SNAKE_NAMES[name]
    assert [layer.name for layer in model.layers] == [snake, f"{snake}_1"]


def test_a_layer_of_another_kind_is_refused_naming_the_kinds():
    with pytest.raises(
        TypeError, match="Dense, Activation, Dropout, BatchNormalization"
    ):
        Sequential([object()])
