"""What a model file holds beyond the layers and weights: the compile settings and
the optimizer's state, read from the model's public API and given back to it.

Both formats (``npz.py``, ``keras_write.py``) save these descriptions, and
``load.py`` rebuilds a model from them.
"""

from __future__ import annotations

import numpy as np

from minigenre import losses, optimizers
from minigenre._speed import flat

OPTIMIZERS = {
    "Adam": optimizers.Adam,
    "SGD": optimizers.SGD,
    "RMSprop": optimizers.RMSprop,
}


def compile_config(model) -> dict | None:
    """The optimizer, loss and metrics given to ``compile``, or None before it."""
    if model.optimizer is None:
        return None
    kind = type(model.optimizer).__name__  # Adam, SGD, RMSprop: Keras's names
    if kind not in OPTIMIZERS:  # a subclass, e.g. compat's AdamOptimizer
        kind = next(n for n, c in OPTIMIZERS.items() if isinstance(model.optimizer, c))
    return {
        "optimizer": {"class_name": kind, "config": model.optimizer.get_config()},
        "loss": {
            "class_name": type(model.loss).__name__,
            "config": {"from_logits": model.loss.from_logits},
        },
        "metrics": list(model.metrics),
    }


def compile_from_config(model, config: dict) -> None:
    """Compiles ``model`` as ``compile_config`` describes."""
    optimizer = config["optimizer"]
    kind = OPTIMIZERS[optimizer["class_name"]]
    loss = losses.CLASSES[config["loss"]["class_name"]](**config["loss"]["config"])
    model.compile(kind(**optimizer["config"]), loss, metrics=config["metrics"])


def optimizer_state(model) -> dict | None:
    """The optimizer's step count, learning rate and per-weight slots, or None.

    ``{"iterations": t, "learning_rate": lr, "slots": {"momentum": [m_0, m_1,
    ...], "velocity": [...]}}`` with one array per trainable weight, in
    ``trainable_weights`` order, as Keras's optimizer keeps them (Adam's slots; SGD
    with momentum has ``momentum`` only). Before the first step
    the slots are zeros, which is what they start from.
    """
    optimizer = model.optimizer
    if optimizer is None:
        return None
    shapes = [w.shape for w in model.trainable_weights]
    slots = {}
    for name, arrays in optimizer.get_state().items():
        if not arrays:  # not stepped yet
            slots[name] = [np.zeros(shape, model.dtype) for shape in shapes]
            continue
        # Sequential updates one flat vector of weights, so the optimizer keeps
        # one flat array per slot: cut it into the weights' shapes.
        (vector,) = arrays
        slots[name] = flat.split(vector, shapes)
    return {
        "iterations": int(optimizer.iterations),
        "learning_rate": optimizer.learning_rate,
        "slots": slots,
    }


def set_optimizer_state(model, state: dict) -> None:
    """Restores ``optimizer_state``'s output; checks every shape first."""
    shapes = [w.shape for w in model.trainable_weights]
    vectors = {}
    for name, arrays in state["slots"].items():
        if [a.shape for a in arrays] != shapes:
            raise ValueError(
                f"the optimizer's {name} arrays have shapes "
                f"{[a.shape for a in arrays]}; the weights have {shapes}."
            )
        vectors[name] = [flat.join(arrays, model.dtype)]
    model.optimizer.set_state(state["iterations"], vectors)


def generator_states(model) -> dict:
    """The model's random generators' exact positions (PCG64 states are integers,
    exact in JSON): after loading, the next epoch's shuffle is the one training
    would have drawn."""
    return {
        "init": model.init_generator.bit_generator.state,
        "shuffle": model.shuffle_generator.bit_generator.state,
    }


def set_generator_states(model, states: dict) -> None:
    model.init_generator.bit_generator.state = states["init"]
    model.shuffle_generator.bit_generator.state = states["shuffle"]
