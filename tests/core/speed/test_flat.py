"""The flat weight vector: every kernel and bias a view of one array, same bits."""

import numpy as np

from minigenre import Adam, Dense, Sequential
from minigenre.study.network import study_model


def model_on(x, seed=0):
    model = Sequential(
        [Dense(5, activation="elu"), Dense(3, activation="softmax")], seed=seed
    )
    model.compile(Adam(learning_rate=0.01), jit_compile=False)
    model.build(x.shape[1])
    return model


def test_the_layers_arrays_are_views_of_one_vector():
    model = study_model(seed=0)
    model.build(264)
    kernel, bias = model.layers[0].kernel, model.layers[1].bias
    assert kernel.base is bias.base  # one flat vector behind them all
    assert kernel.base.size == model.count_params() == 35_210


def test_one_update_of_the_flat_vector_equals_adam_on_each_array():
    # The readable reference: Adam on each weight array separately, with the
    # gradients compute_gradients returns. The model updates one flat vector.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = np.arange(32) % 3
    model = model_on(x)
    separate = [w.copy() for w in model.get_weights()]
    optimizer = Adam(learning_rate=0.01, jit_compile=False)
    for _ in range(3):
        gradients = model.compute_gradients(x, y)
        reference = model_on(x)
        reference.set_weights(separate)
        assert [g.tobytes() for g in reference.compute_gradients(x, y)] == [
            g.tobytes() for g in gradients
        ]
        optimizer.apply_gradients(separate, gradients)
        model.train_on_batch(x, y)
    for mine, theirs in zip(model.get_weights(), separate, strict=True):
        assert mine.tobytes() == theirs.tobytes()


def test_an_array_assigned_to_a_layer_is_flattened_again_before_training():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((16, 4)).astype(np.float32)
    model = model_on(x)
    model.layers[0].kernel = np.ones((4, 5), np.float32)  # no longer a view
    model.fit(x, np.arange(16) % 3, verbose=0)
    assert model.layers[0].kernel.base is model.layers[1].kernel.base
    assert not np.array_equal(model.layers[0].kernel, np.ones((4, 5)))
