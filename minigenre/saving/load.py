"""``load_model``: a whole model back from a ``.npz`` or a Keras 3 ``.keras`` file.

The reverse of ``save_model`` (``model_files.py``): the layers, the compile
settings, the weights, the optimizer's state and, from a ``.npz``, the random
generators' positions, so that training resumes exactly where it stopped.
"""

from __future__ import annotations

import os
from pathlib import Path

from minigenre.model import Sequential
from minigenre.saving import config, keras_read, npz


def load_model(path: str | os.PathLike, compile: bool = True) -> Sequential:
    """Reads a model written by ``save_model``, or a Keras 3 ``.keras`` file.

    Args:
        path: A ``.npz`` file from ``save_model`` or a ``.keras`` archive.
        compile: Also restore the optimizer (with its state), loss and metrics.

    Raises:
        ValueError: If the file is missing, damaged, or holds something minigenre
            does not implement; the message names the file and the part.
    """
    path = Path(path)
    if path.suffix not in (".npz", ".keras"):
        raise ValueError(
            f"Cannot tell the format of {path}: the name must end in .npz "
            "(minigenre's format) or .keras (Keras 3's)."
        )
    try:
        if path.suffix == ".keras":
            layers, compiled, weights, state = keras_read.load(path, compile)
            generators = None
        else:
            layers, compiled, weights, state, generators = npz.load(path)
        model = Sequential.from_config(layers)
        if layers["input_dim"] is not None:
            model.set_weights(weights)
        if compile and compiled is not None:
            config.compile_from_config(model, compiled)
            if state is not None:
                config.set_optimizer_state(model, state)
        if generators is not None:
            config.set_generator_states(model, generators)
    except (KeyError, TypeError) as err:
        what = f"no {err} entry" if isinstance(err, KeyError) else str(err)
        raise ValueError(f"{path}: damaged model description ({what}).") from None
    except ValueError as err:
        if str(err).startswith(str(path)):
            raise
        raise ValueError(f"{path}: {err}") from None
    return model
