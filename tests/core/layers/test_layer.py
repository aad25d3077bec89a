import numpy as np
import pytest

from minigenre.layers import BatchNormalization, Dense
from minigenre.layers.layer import Layer


@pytest.mark.parametrize("layer", [Dense(3), BatchNormalization()])
def test_get_weights_are_copies_and_set_weights_writes_in_place(layer):
    assert isinstance(layer, Layer)
    layer.build(4, np.random.default_rng(0))
    arrays = layer.weights
    copies = layer.get_weights()
    pairs = zip(copies, arrays, strict=True)
    assert all(c is not a and np.array_equal(c, a) for c, a in pairs)
    new = [np.full_like(w, 0.5) for w in copies]
    layer.set_weights(new)
    assert all(
        a is b for a, b in zip(layer.weights, arrays, strict=True)
    )  # the same arrays
    assert all(np.array_equal(a, n) for a, n in zip(layer.weights, new, strict=True))
    assert layer.count_params() == sum(w.size for w in new)


def test_set_weights_checks_count_and_shapes_before_changing_anything():
    layer = Dense(3)
    layer.build(4, np.random.default_rng(0))
    before = layer.get_weights()
    with pytest.raises(ValueError, match=r"shape \(4, 2\)"):
        layer.set_weights([np.zeros((4, 2)), np.zeros(3)])
    with pytest.raises(ValueError, match=r"Expected 2 weight arrays\. Received: 1"):
        layer.set_weights([np.zeros((4, 3))])
    kept = zip(layer.weights, before, strict=True)
    assert all(np.array_equal(a, b) for a, b in kept)


def every_kind():
    from minigenre.layers import Activation, Dropout

    return [
        lambda **kw: Dense(3, **kw),
        lambda **kw: Activation("relu", **kw),
        lambda **kw: Dropout(0.5, seed=0, **kw),
        lambda **kw: BatchNormalization(**kw),
    ]


@pytest.mark.parametrize("make", every_kind())
def test_every_layer_takes_name_and_input_shape_or_keras_2s_input_dim(make):
    layer = make(name="mine", input_shape=(7,))
    assert isinstance(layer, Layer)
    assert (layer.name, layer.input_shape) == ("mine", (7,))
    assert make(input_dim=7).input_shape == (7,)
    assert make().input_shape is None
    with pytest.raises(ValueError, match="Give input_shape or input_dim, not both"):
        make(input_shape=(7,), input_dim=7)
    with pytest.raises(ValueError, match="The input shape must be"):
        make(input_dim=0)


@pytest.mark.parametrize("make", every_kind()[1:3])
def test_a_layer_without_weights_is_as_wide_as_its_input(make):
    layer = make()
    assert not layer.built
    layer.build(5, np.random.default_rng(0))
    assert layer.built
    assert layer.input_width == layer.units == 5
    assert (layer.weights, layer.get_weights(), layer.count_params()) == ([], [], 0)
    assert layer.kernel is None
    assert layer.bias is None
    layer.set_weights([])
    with pytest.raises(ValueError, match="Expected 0 weight arrays"):
        layer.set_weights([np.zeros(5)])
