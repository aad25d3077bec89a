"""Finite float32 inputs near 3.4e38 overflow in the first Dense layer: predict and
evaluate say so on one line, naming the row and the layer, instead of returning NaN."""

import numpy as np
import pytest

from minigenre import Sequential
from minigenre.layers import Dense


def fitted_model():
    model = Sequential(
        [Dense(8, activation="elu"), Dense(3, activation="softmax")], seed=0
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).standard_normal((40, 5))
    model.fit(x, np.arange(40) % 3, epochs=1, verbose=0)
    return model, x


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("value", [3e38])
def test_predict_and_evaluate_name_the_overflowing_row_and_layer(value):
    model, x = fitted_model()
    x[7] = value  # finite in float32
    expected = (
        r"row 7 \(1 of 40 rows\) gives non-finite outputs: float32 overflows in "
        r"layer 0 \(dense\), whose inputs reach 3e\+38 and weights 0\.\d+\."
    )
    for call, what in (
        (lambda: model.predict(x), "predict"),
        (lambda: model.evaluate(x, np.arange(40) % 3, verbose=0), "evaluate"),
    ):
        with pytest.raises(ValueError, match=rf"^{what}\(\): {expected}") as error:
            call()
        assert "\n" not in str(error.value)


def test_ordinary_inputs_are_not_affected():
    model, x = fitted_model()
    out = model.predict(x)
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out, model.predict_step(x.astype(np.float32)))
    assert np.isfinite(model.evaluate(x, np.arange(40) % 3, verbose=0))
