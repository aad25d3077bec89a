"""minigenre's own model file: one .npz with a JSON description and the arrays."""

import json
import re

import numpy as np
import pytest

from minigenre import SGD
from minigenre.saving import config, files, npz


def saved(model, path):
    npz.save(model, path, config.optimizer_state(model))
    return path


def rewrite_description(path, edit):
    """Rewrites the file's JSON description through ``edit``, arrays unchanged."""
    arrays = files.load_npz(path)
    description = json.loads(str(arrays.pop("config")))
    files.save_npz(path, {"config": np.array(json.dumps(edit(description))), **arrays})


def test_save_then_load_gives_back_every_part(tmp_path, tiny_model, tiny_data):
    model = tiny_model()
    model.fit(*tiny_data, verbose=0)
    state = config.optimizer_state(model)
    path = saved(model, tmp_path / "m.npz")
    model_config, compiled, weights, loaded, generators = npz.load(path)
    assert model_config == model.get_config()
    assert compiled == config.compile_config(model)
    assert [w.tobytes() for w in weights] == [w.tobytes() for w in model.get_weights()]
    assert loaded["iterations"] == 2
    assert list(loaded["slots"]) == ["momentum", "velocity"]
    for name, arrays in state["slots"].items():
        assert [a.tobytes() for a in loaded["slots"][name]] == [
            a.tobytes() for a in arrays
        ]
    assert generators == config.generator_states(model)


def test_the_file_holds_the_documented_arrays(tmp_path, tiny_model):
    path = saved(tiny_model(), tmp_path / "m.npz")
    per_weight = [f"weight_{i}" for i in range(4)]
    slots = [f"optimizer_{s}_{i}" for s in ("momentum", "velocity") for i in range(4)]
    assert sorted(files.load_npz(path)) == sorted(
        ["config", *per_weight, "optimizer_iterations", *slots]
    )
    description = json.loads(str(files.load_npz(path)["config"]))
    assert (description["format"], description["format_version"]) == (
        "minigenre.Sequential",
        1,
    )
    assert list(description) == [
        "format",
        "format_version",
        "model",
        "compile",
        "state",
    ]


def test_an_uncompiled_model_has_no_compile_config_and_no_state(tmp_path, tiny_model):
    path = saved(tiny_model(compiled=False), tmp_path / "m.npz")
    _, compiled, weights, state, _ = npz.load(path)
    assert (compiled, state, len(weights)) == (None, None, 4)


def test_sgd_without_momentum_keeps_only_the_step_count(
    tmp_path, tiny_model, tiny_data
):
    model = tiny_model(SGD(0.1))
    model.fit(*tiny_data, epochs=3, verbose=0)
    _, _, _, state, _ = npz.load(saved(model, tmp_path / "m.npz"))
    assert state == {"iterations": 6, "slots": {}}


def test_another_format_is_refused(tmp_path, tiny_model):
    path = saved(tiny_model(), tmp_path / "m.npz")
    rewrite_description(path, lambda d: {**d, "format": "keras.Model"})
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"{path}: not a minigenre model file (no valid config: format "
            "'keras.Model'). Weights saved by save_weights() load with load_weights()."
        ),
    ):
        npz.load(path)


def test_another_format_version_is_refused(tmp_path, tiny_model):
    path = saved(tiny_model(), tmp_path / "m.npz")
    rewrite_description(path, lambda d: {**d, "format_version": 2})
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"{path}: unsupported model format version 2; this minigenre reads "
            "version 1."
        ),
    ):
        npz.load(path)


@pytest.mark.parametrize(
    ("description", "reason"),
    [
        (None, "'config'"),
        ("{not json", "config is not valid JSON (Expecting property name enclosed"),
        ("[1, 2]", "config holds a list, not a JSON object"),
    ],
    ids=["missing", "not-json", "not-a-dict"],
)
def test_a_file_without_a_valid_description_is_refused(tmp_path, description, reason):
    arrays = {"weight_0": np.zeros((2, 3), np.float32)}
    if description is not None:
        arrays["config"] = np.array(description)
    files.save_npz(tmp_path / "m.npz", arrays)
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"{tmp_path / 'm.npz'}: not a minigenre model file (no valid config: "
            f"{reason}"
        ),
    ):
        npz.load(tmp_path / "m.npz")


def test_numbered_reads_until_the_first_gap():
    a, b, c = np.zeros(1), np.ones(1), np.full(1, 2.0)
    assert npz.numbered({"w_1": b, "w_0": a, "w_3": c}, "w_") == [a, b]
    assert npz.numbered({"w_1": b}, "w_") == []
    assert npz.numbered({}, "w_") == []


def test_numbered_orders_by_number_not_by_text():
    arrays = {f"weight_{i}": np.array(i) for i in range(12)}  # weight_10 < weight_2
    assert [int(a) for a in npz.numbered(arrays, "weight_")] == list(range(12))


def test_numbered_takes_only_its_own_prefix():
    arrays = {"optimizer_momentum_0": np.zeros(1), "optimizer_velocity_0": np.ones(1)}
    (only,) = npz.numbered(arrays, "optimizer_velocity_")
    assert only.tobytes() == np.ones(1).tobytes()
