import numpy as np

from minigenre import Dense


def test_activation_layer_is_dense_with_that_activation_to_the_bit():
    from minigenre import Sequential
    from minigenre.layers import Activation

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 5)).astype(np.float32)
    y = rng.integers(0, 3, size=40)
    histories = []
    for layers in (
        [Dense(4, activation="relu"), Dense(3, activation="softmax")],
        [Dense(4), Activation("relu"), Dense(3), Activation("softmax")],
    ):
        model = Sequential(layers, seed=0)
        model.compile(metrics=["accuracy"])
        histories.append((model.fit(x, y, epochs=2, verbose=0).history, model(x)))
    assert histories[0][0] == histories[1][0]
    assert np.array_equal(histories[0][1], histories[1][1])
    assert model.layers[1].name == "activation"
    assert model.layers[3].count_params() == 0
