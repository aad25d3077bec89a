"""A model file's description, checked in full before anything is built from it.

Both formats come down to the same description (``load.py``): the model's config
(``Sequential.get_config``), the compile config (``config.compile_config``), the
weights, the optimizer's state and, from a ``.npz``, the generators' states. A file
is untrusted, so each part is checked here for types, finite numbers in range and
known keys, and the weights' shapes against what the config implies, before a layer
is built or an array allocated: a config declaring ``units`` 2,000,000 over stored
weights of 128 is refused, not initialised (6 GB). Every failure is one
``ValueError`` saying which part is wrong.
"""

from __future__ import annotations

import math

import numpy as np

from minigenre import activations, initializers, losses, metrics

# Larger than any layer minigenre could train; also bounds the shape arithmetic.
MAX_UNITS = 2**24
# Each layer kind's keys (``get_config``), their types, and the ones it must have.
# A Dense layer's dict may leave its ``class_name`` out; the others name theirs.
LAYER_KEYS = {
    "Dense": {
        "class_name": str,
        "name": str,
        "units": int,
        "activation": str,
        "use_bias": bool,
        "kernel_initializer": str,
        "bias_initializer": str,
    },
    "Activation": {"class_name": str, "name": str, "activation": str},
    "Dropout": {"class_name": str, "name": str, "rate": float, "seed": int},
    "BatchNormalization": {
        "class_name": str,
        "name": str,
        "axis": int,
        "momentum": float,
        "epsilon": float,
        "center": bool,
        "scale": bool,
        "beta_initializer": str,
        "gamma_initializer": str,
        "moving_mean_initializer": str,
        "moving_variance_initializer": str,
    },
}
REQUIRED_KEYS = {
    "Dense": ("units",),
    "Activation": (),
    "Dropout": ("rate",),
    "BatchNormalization": ("class_name",),
}
WEIGHTLESS = ("Activation", "Dropout")  # layers without weights
NULLABLE = ("seed",)  # None: Dropout's generator spawned from the model's
DESCRIBED = ("class_name", "config")  # Keras's form of an optimizer or a loss
OPTIMIZER_KEYS = {
    "Adam": ("learning_rate", "beta_1", "beta_2", "epsilon"),
    "SGD": ("learning_rate", "momentum"),
    "RMSprop": ("learning_rate", "rho", "momentum", "epsilon", "centered"),
}
BOOLEAN_SETTINGS = ("centered",)  # the optimizer settings that are not numbers
LOSS_KINDS = tuple(losses.CLASSES)  # the three cross-entropies' class names
METRIC_NAMES = ("accuracy", "acc", *metrics.FUNCTIONS)


def check_type(where: str, value, kind: type):
    """``value`` if it is a ``kind`` (a bool is not an int, an int is a float)."""
    ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if kind is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and math.isfinite(value)
    if not ok:
        raise ValueError(f"{where} must be a {kind.__name__}. Received: {value!r}")
    return value


def check_keys(where: str, entry, allowed, required=True) -> dict:
    """``entry`` if it is a dict of ``allowed`` keys holding the ``required`` ones
    (all of ``allowed`` if True)."""
    check_type(where, entry, dict)
    required = allowed if required is True else required
    unknown = sorted(set(entry) - set(allowed), key=str)
    if unknown:
        raise ValueError(f"{where} has unknown entries {unknown[:5]}")
    missing = [key for key in required if key not in entry]
    if missing:
        raise ValueError(f"{where} has no {missing[0]!r} entry")
    return entry


def check_model_config(config) -> dict:
    """Checks ``Sequential.get_config``'s form: names, dtype, width and layers."""
    check_keys("the model", config, ("name", "dtype", "input_dim", "layers"))
    check_type("the model's name", config["name"], str)
    if config["dtype"] not in ("float32", "float64"):
        raise ValueError(f"unsupported dtype {config['dtype']!r}")
    if config["input_dim"] is not None:
        check_count("the input width", config["input_dim"])
    layers = check_type("the model's layers", config["layers"], list)
    if not layers:
        raise ValueError("the model has no layer")
    for i, layer in enumerate(layers):
        check_layer(f"layer {i}", layer)
    return config


def check_layer(where: str, layer) -> None:
    """One layer's ``get_config``: its kind's keys, types and ranges."""
    kind = check_type(where, layer, dict).get("class_name", "Dense")
    if kind not in LAYER_KEYS:
        raise ValueError(f"{where}: unsupported layer {kind!r}")
    check_keys(where, layer, LAYER_KEYS[kind], REQUIRED_KEYS[kind])
    for key, type_ in LAYER_KEYS[kind].items():
        if key in layer and not (key in NULLABLE and layer[key] is None):
            check_type(f"{where}'s {key}", layer[key], type_)
    if kind == "Dense":
        check_count(f"{where}'s units", layer["units"])
    if kind == "Dropout" and not 0 <= layer["rate"] < 1:
        raise ValueError(f"{where}'s rate must be in [0, 1). Received: {layer['rate']}")
    if kind == "Dropout" and (layer.get("seed") or 0) < 0:
        raise ValueError(f"{where}'s seed must be >= 0. Received: {layer['seed']}")
    if kind == "BatchNormalization":
        check_batch_normalization(where, layer)
    activation = layer.get("activation", "linear")
    if activation not in activations.ACTIVATIONS:
        raise ValueError(f"{where}: unsupported activation {activation!r}")
    for key in layer:
        if key.endswith("_initializer"):
            initializers.get(layer[key])  # a ValueError listing the known ones


def check_batch_normalization(where: str, layer: dict) -> None:
    """A BatchNormalization's settings in the ranges the layer accepts."""
    if layer.get("axis", -1) not in (-1, 1):
        raise ValueError(f"{where}'s axis must be -1 or 1. Received: {layer['axis']}")
    if not 0 <= layer.get("momentum", 0.99) <= 1:
        raise ValueError(
            f"{where}'s momentum must be in [0, 1]. Received: {layer['momentum']}"
        )
    if not layer.get("epsilon", 1e-3) > 0:
        raise ValueError(f"{where}'s epsilon must be > 0. Received: {layer['epsilon']}")


def check_count(where: str, value) -> int:
    check_type(where, value, int)
    if not 1 <= value <= MAX_UNITS:
        raise ValueError(f"{where} must be in [1, {MAX_UNITS}]. Received: {value}")
    return value


def layer_weights(layer: dict, input_dim: int) -> list[tuple[str, tuple, bool]]:
    """(name, shape, trainable) of each weight of one layer's config on
    ``input_dim`` features, in Keras's order (``get_weights``)."""
    kind = layer.get("class_name", "Dense")
    if kind in WEIGHTLESS:
        return []
    if kind == "BatchNormalization":
        learned = [
            ("gamma", layer.get("scale", True)),
            ("beta", layer.get("center", True)),
        ]
        names = [(name, True) for name, present in learned if present]
        names += [("moving_mean", False), ("moving_variance", False)]
        return [(name, (input_dim,), trainable) for name, trainable in names]
    units = layer["units"]
    kernel = [("kernel", (input_dim, units), True)]  # (in, units)
    return kernel + ([("bias", (units,), True)] if layer.get("use_bias", True) else [])


def described_weights(config: dict, input_dim: int) -> list[tuple[str, tuple, bool]]:
    """``layer_weights`` of every layer, each layer's width feeding the next."""
    described = []
    for layer in config["layers"]:
        described += layer_weights(layer, input_dim)
        if layer.get("class_name", "Dense") == "Dense":
            input_dim = layer["units"]  # the other layers keep their input's width
    return described


def weight_shapes(
    config: dict, input_dim: int, trainable_only: bool = False
) -> list[tuple[int, ...]]:
    """The shapes ``get_weights`` gives for ``config`` on ``input_dim`` features
    (``trainable_only``: of ``trainable_weights``, which the optimizer's slots
    follow)."""
    described = described_weights(config, input_dim)
    return [
        shape for _, shape, trainable in described if trainable or not trainable_only
    ]


def check_weights(config: dict, weights: list) -> None:
    """The stored weights must be exactly what ``config`` implies, real and finite;
    a moving variance (an average of squares) >= 0."""
    described = described_weights(config, config["input_dim"])
    if len(weights) != len(described):
        raise ValueError(f"{len(weights)} weights; the config implies {len(described)}")
    for i, (w, (_, shape, _)) in enumerate(zip(weights, described, strict=True)):
        if tuple(w.shape) != shape:
            raise ValueError(
                f"Weight {i} has shape {tuple(w.shape)}; the model expects {shape}"
            )
    for i, (w, (name, _, _)) in enumerate(zip(weights, described, strict=True)):
        check_real(f"weight {i}", w)
        if name == "moving_variance" and (w < 0).any():
            raise ValueError(f"weight {i} (a moving variance) is negative")


def check_real(where: str, array) -> None:
    if array.dtype.kind not in "fiu" or array.dtype.itemsize > 8:
        raise ValueError(f"{where} holds {array.dtype}, not real numbers")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{where} holds NaN or infinity")


def check_compile_config(compiled) -> dict:
    """Checks ``config.compile_config``'s form: optimizer, loss, metrics."""
    check_keys("the compile config", compiled, ("optimizer", "loss", "metrics"))
    optimizer = check_keys("the optimizer", compiled["optimizer"], DESCRIBED)
    kind = optimizer["class_name"]
    if kind not in OPTIMIZER_KEYS:
        raise ValueError(f"unsupported optimizer {kind!r}")
    allowed = OPTIMIZER_KEYS[kind]
    settings = check_keys(f"{kind}'s config", optimizer["config"], allowed, ())
    for key, value in settings.items():
        check_type(f"{kind}'s {key}", value, bool if key in BOOLEAN_SETTINGS else float)
    loss = check_keys("the loss", compiled["loss"], DESCRIBED)
    if loss["class_name"] not in LOSS_KINDS:
        raise ValueError(f"unsupported loss {loss['class_name']!r}")
    check_keys("the loss's config", loss["config"], ("from_logits",), ())
    check_type("from_logits", loss["config"].get("from_logits", False), bool)
    metrics = check_type("the metrics", compiled["metrics"], list)
    if not all(isinstance(m, str) and m in METRIC_NAMES for m in metrics):
        raise ValueError(f"unsupported metrics {metrics[:5]!r}")
    return compiled


def check_optimizer_state(state: dict) -> None:
    """The step count an integer >= 0; every slot real and finite; Adam's second
    moment (``velocity``, an average of squares) >= 0."""
    iterations = state["iterations"]
    if not 0 <= iterations < 2**62:
        raise ValueError(f"the optimizer's iterations must be >= 0: {iterations}")
    for name, arrays in state["slots"].items():
        for i, array in enumerate(arrays):
            check_real(f"the optimizer's {name} {i}", array)
            if name == "velocity" and (array < 0).any():
                raise ValueError(f"the optimizer's velocity {i} is negative")


def iterations_of(array) -> int:
    """A stored step count: a real scalar holding an integer."""
    array = np.asarray(array)
    if array.shape != () or array.dtype.kind not in "fiu":
        raise ValueError(f"the optimizer's iterations are {array.dtype} {array.shape}")
    value = array.reshape(()).item()
    if not (math.isfinite(value) and value == int(value)):
        raise ValueError(f"the optimizer's iterations are {value}")
    return int(value)


def check_generator_states(states) -> dict:
    """The ``.npz``'s PCG64 states: integers in range, checked before use."""
    check_keys("the generator states", states, ("init", "shuffle"))
    for key, state in states.items():
        where = f"the {key} generator's state"
        check_keys(where, state, ("bit_generator", "state", "has_uint32", "uinteger"))
        if state["bit_generator"] != "PCG64":
            raise ValueError(f"{where}: unsupported {state['bit_generator']!r}")
        inner = check_keys(where, state["state"], ("state", "inc"))
        ranges = ((inner["state"], 2**128), (inner["inc"], 2**128))
        ranges += ((state["has_uint32"], 2), (state["uinteger"], 2**32))
        for value, top in ranges:
            if not 0 <= check_type(where, value, int) < top:
                raise ValueError(f"{where} holds {value}, out of range")
    return states
