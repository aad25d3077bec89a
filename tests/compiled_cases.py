"""Networks the compiled forms (``jit_compile``) do not take: each falls back to
the readable step or pass. Shared by the compiled step's and predict's tests."""

import pytest

from minigenre import Dense
from minigenre.layers import Dropout

UNSUPPORTED = pytest.mark.parametrize(
    "layers",
    [
        lambda: [Dense(6, activation="relu"), Dense(3, activation="softmax")],
        lambda: [Dense(6, activation="elu"), Dropout(0.5), Dense(3, "softmax")],
        lambda: [Dense(6, activation="elu", use_bias=False), Dense(3, "softmax")],
        lambda: [Dense(3, activation="sigmoid")],
    ],
    ids=["relu", "dropout", "no-bias", "sigmoid"],
)
