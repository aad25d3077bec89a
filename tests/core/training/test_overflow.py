"""Finite float32 inputs near 3.4e38 overflow in the first Dense layer: predict and
evaluate say so on one line, naming the row and the layer, instead of returning NaN."""

import numpy as np
import pytest

from minigenre import Sequential
from minigenre.layers import Dense


def fitted_model():
    model = Sequential([Dense(8, activation="elu"), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).standard_normal((40, 5))
    model.fit(x, np.arange(40) % 3, epochs=1, verbose=0)
    return model, x


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("value", [3e38])
def test_predict_and_evaluate_name_the_overflowing_row_and_layer(value):
    model, x = fitted_model()
    x[7] = value  # finite in float32
    expected = r"overflow float32 in layer 0 \(dense\): row 7 \(1 of 40 rows\)"
    with pytest.raises(ValueError, match="predict\\(\\): the inputs " + expected):
        model.predict(x)
    with pytest.raises(ValueError, match="evaluate\\(\\): the inputs " + expected):
        model.evaluate(x, np.arange(40) % 3, verbose=0)


def test_ordinary_inputs_are_not_affected():
    model, x = fitted_model()
    out = model.predict(x)
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out, model.predict_step(x.astype(np.float32)))
    assert np.isfinite(model.evaluate(x, np.arange(40) % 3, verbose=0))
