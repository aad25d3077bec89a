import numpy as np
import pytest

from minigenre.optimizers import get


@pytest.mark.parametrize(
    ("momentum", "centered"), [(0.0, False), (0.5, False), (0.0, True), (0.9, True)]
)
def test_rmsprop_matches_keras_formula_step_by_step(momentum, centered):
    from minigenre.optimizers import RMSprop

    rng = np.random.default_rng(0)
    w = rng.normal(size=5)
    w_ref = w.copy()
    v, mg, u = np.zeros(5), np.zeros(5), np.zeros(5)
    lr, rho, eps = 0.01, 0.9, 1e-7
    opt = RMSprop(learning_rate=lr, momentum=momentum, centered=centered)
    for _ in range(4):
        g = rng.normal(size=5)
        opt.apply_gradients([w], [g])
        v = rho * v + (1 - rho) * g**2
        mg = rho * mg + (1 - rho) * g
        denominator = v - mg**2 + eps if centered else v + eps
        step = lr * g / np.sqrt(denominator)
        u = momentum * u + step
        w_ref -= u if momentum else step
    np.testing.assert_allclose(w, w_ref, rtol=1e-14)
    assert opt.iterations == 4
    assert list(opt.get_state()) == (
        ["velocity"] + ["momentum"] * (momentum > 0) + ["average_gradient"] * centered
    )


def test_rmsprop_keeps_float32_and_refuses_bad_settings():
    from minigenre.optimizers import RMSprop

    w = np.ones(3, np.float32)
    RMSprop().apply_gradients([w], [np.ones(3, np.float32)])
    assert w.dtype == np.float32
    with pytest.raises(ValueError, match=r"^rho must be in \[0, 1\). Received: rho=1"):
        RMSprop(rho=1)
    with pytest.raises(ValueError, match=r"^momentum must be in \[0, 1\)"):
        RMSprop(momentum=-0.1)
    with pytest.raises(ValueError, match=r"^epsilon must be a finite number >= 0"):
        RMSprop(epsilon=float("nan"))  # every weight would turn NaN at once
    assert type(get("RMSprop")).__name__ == "RMSprop"
