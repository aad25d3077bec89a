import numpy as np
import pytest

from minigenre import Dense, Input, Sequential
from minigenre.layers import check_shape


def test_an_input_first_builds_each_layer_as_it_is_added():
    model = Sequential([Input(shape=(5,)), Dense(3, activation="relu")])
    assert model.built
    assert model.input_dim == 5
    assert model.layers[0].kernel.shape == (5, 3)
    assert repr(Input(shape=(5,))) == "Input(shape=(5,))"


@pytest.mark.parametrize("shape", [(5,), [5], (np.int64(5),)])
def test_a_width_is_one_positive_integer(shape):
    assert check_shape(shape) == (5,)


@pytest.mark.parametrize("shape", [5, (), (5, 2), (0,), (-1,), (True,), (5.0,)])
def test_any_other_shape_is_one_line_naming_it(shape):
    with pytest.raises(ValueError, match=r"one positive integer.*Received") as error:
        Input(shape=shape)
    assert "\n" not in str(error.value)


def test_an_input_after_a_layer_is_refused():
    model = Sequential([Dense(3)])
    with pytest.raises(ValueError, match="must come first"):
        model.add(Input(shape=(4,)))
