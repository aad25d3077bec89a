"""The compile settings, optimizer state and generator states a model file holds."""

import json

import numpy as np
import pytest

from minigenre import SGD, Adam, SparseCategoricalCrossentropy
from minigenre.saving import config

ADAM = {
    "optimizer": {
        "class_name": "Adam",
        "config": {
            "learning_rate": 0.01,
            "beta_1": 0.9,
            "beta_2": 0.999,
            "epsilon": 1e-7,
        },
    },
    "loss": {
        "class_name": "SparseCategoricalCrossentropy",
        "config": {"from_logits": False},
    },
    "metrics": ["accuracy"],
}
SGD_LOGITS = {
    "optimizer": {
        "class_name": "SGD",
        "config": {"learning_rate": 0.1, "momentum": 0.9},
    },
    "loss": {
        "class_name": "SparseCategoricalCrossentropy",
        "config": {"from_logits": True},
    },
    "metrics": [],
}


def test_compile_config_of_adam_names_every_setting(tiny_model):
    assert config.compile_config(tiny_model()) == ADAM


def test_compile_config_of_sgd_keeps_momentum_and_from_logits(tiny_model):
    model = tiny_model(compiled=False)
    model.compile(SGD(0.1, momentum=0.9), SparseCategoricalCrossentropy(True))
    assert config.compile_config(model) == SGD_LOGITS


def test_compile_config_is_none_before_compile(tiny_model):
    assert config.compile_config(tiny_model(compiled=False)) is None


@pytest.mark.parametrize("described", [ADAM, SGD_LOGITS], ids=["adam", "sgd"])
def test_compile_from_config_gives_back_the_same_description(tiny_model, described):
    model = tiny_model(compiled=False)
    config.compile_from_config(model, described)
    assert config.compile_config(model) == described
    kind = described["optimizer"]["class_name"]
    assert type(model.optimizer) is {"Adam": Adam, "SGD": SGD}[kind]


def test_optimizer_state_is_none_before_compile(tiny_model):
    assert config.optimizer_state(tiny_model(compiled=False)) is None


@pytest.mark.parametrize(
    ("optimizer", "names"),
    [
        (lambda: Adam(0.01), ["momentum", "velocity"]),
        (lambda: SGD(0.01, momentum=0.5), ["momentum"]),
        (lambda: SGD(0.01), []),
    ],
    ids=["adam", "sgd-momentum", "sgd"],
)
def test_optimizer_state_before_any_step_is_zeros_of_the_weights_shapes(
    tiny_model, optimizer, names
):
    state = config.optimizer_state(tiny_model(optimizer()))
    assert (state["iterations"], state["learning_rate"]) == (0, 0.01)
    assert list(state["slots"]) == names
    for arrays in state["slots"].values():
        assert [(a.shape, a.dtype) for a in arrays] == [
            ((6, 4), np.float32),
            ((4,), np.float32),
            ((4, 3), np.float32),
            ((3,), np.float32),
        ]
        assert not any(a.any() for a in arrays)


def test_optimizer_state_after_fit_cuts_the_flat_state_bit_for_bit(
    tiny_model, tiny_data
):
    model = tiny_model()
    model.fit(*tiny_data, epochs=2, verbose=0)
    state = config.optimizer_state(model)
    assert state["iterations"] == 4  # two batches (32 + 8) per epoch
    shapes = [w.shape for w in model.get_weights()]
    for name, arrays in model.optimizer.get_state().items():
        assert [a.shape for a in state["slots"][name]] == shapes
        ours = np.concatenate([a.ravel() for a in state["slots"][name]])
        theirs = np.concatenate([a.ravel() for a in arrays])
        assert ours.tobytes() == theirs.tobytes()
        assert ours.any()  # trained: not the zeros it starts from


def test_set_optimizer_state_then_optimizer_state_gives_it_back(tiny_model, tiny_data):
    trained = tiny_model()
    trained.fit(*tiny_data, verbose=0)
    state = config.optimizer_state(trained)
    fresh = tiny_model()
    config.set_optimizer_state(fresh, state)
    again = config.optimizer_state(fresh)
    assert again["iterations"] == 2
    for name in ("momentum", "velocity"):
        for ours, theirs in zip(
            again["slots"][name], state["slots"][name], strict=True
        ):
            assert ours.tobytes() == theirs.tobytes()


def test_restored_optimizer_state_makes_the_next_step_identical(tiny_model, tiny_data):
    trained = tiny_model()
    trained.fit(*tiny_data, verbose=0)
    resumed = tiny_model(seed=1)
    resumed.set_weights(trained.get_weights())
    config.set_optimizer_state(resumed, config.optimizer_state(trained))
    x, y = tiny_data
    trained.train_on_batch(x[:8], y[:8])
    resumed.train_on_batch(x[:8], y[:8])
    for ours, theirs in zip(resumed.get_weights(), trained.get_weights(), strict=True):
        assert ours.tobytes() == theirs.tobytes()


@pytest.mark.parametrize("damage", ["transpose", "drop"])
def test_set_optimizer_state_refuses_wrong_shapes(tiny_model, damage):
    model = tiny_model()
    state = config.optimizer_state(model)
    velocity = state["slots"]["velocity"]
    if damage == "transpose":
        velocity[0] = velocity[0].T
        shapes = r"\[\(4, 6\), \(4,\), \(4, 3\), \(3,\)\]"
    else:
        del velocity[-1]
        shapes = r"\[\(6, 4\), \(4,\), \(4, 3\)\]"
    state["iterations"] = 7
    with pytest.raises(
        ValueError,
        match=rf"^the optimizer's velocity arrays have shapes {shapes}; the weights "
        r"have \[\(6, 4\), \(4,\), \(4, 3\), \(3,\)\]\.$",
    ):
        config.set_optimizer_state(model, state)
    assert model.optimizer.iterations == 0  # checked before anything changed


def test_generator_states_survive_json_exactly(tiny_model):
    states = config.generator_states(tiny_model())
    assert list(states) == ["init", "shuffle"]
    assert states["shuffle"]["bit_generator"] == "PCG64"
    assert json.loads(json.dumps(states)) == states


def test_set_generator_states_puts_both_generators_where_they_were(tiny_model):
    model, other = tiny_model(seed=0), tiny_model(seed=1)
    config.set_generator_states(other, config.generator_states(model))
    assert other.init_generator.random() == model.init_generator.random()
    assert other.shuffle_generator.random() == model.shuffle_generator.random()


def resumed_copy(tiny_model, model, generators):
    """A seed-1 model given ``model``'s weights, compile settings, optimizer state
    and, if ``generators``, its generator states."""
    copy = tiny_model(seed=1, compiled=False)
    copy.set_weights(model.get_weights())
    config.compile_from_config(copy, config.compile_config(model))
    config.set_optimizer_state(copy, config.optimizer_state(model))
    if generators:
        config.set_generator_states(copy, config.generator_states(model))
    return copy


def test_generator_states_round_trip_makes_the_next_fit_shuffle_identically(
    tiny_model, tiny_data
):
    model = tiny_model(seed=0)
    model.fit(*tiny_data, verbose=0)
    restored = resumed_copy(tiny_model, model, generators=True)
    unrestored = resumed_copy(tiny_model, model, generators=False)
    for m in (model, restored, unrestored):
        m.fit(*tiny_data, verbose=0)  # shuffle=True
    expected = [w.tobytes() for w in model.get_weights()]
    assert [w.tobytes() for w in restored.get_weights()] == expected
    # Seed 1 shuffles otherwise: the restored generator is what made them agree.
    assert [w.tobytes() for w in unrestored.get_weights()] != expected
