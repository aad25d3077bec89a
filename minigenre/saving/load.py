"""``load_model``: a whole model back from a ``.npz`` or a Keras 3 ``.keras`` file.

The reverse of ``save_model`` (``model_files.py``): the layers, the compile
settings, the weights, the optimizer's state and, from a ``.npz``, the random
generators' positions, so that training resumes exactly where it stopped.
"""

from __future__ import annotations

import os
from pathlib import Path

from minigenre.model import Sequential
from minigenre.saving import config, descriptions, keras_read, npz


def load_model(path: str | os.PathLike, compile: bool = True) -> Sequential:
    """Reads a model written by ``save_model``, or a Keras 3 ``.keras`` file.

    The file is treated as untrusted input: nothing in it is unpickled or run, no
    other file is opened on its behalf (HDF5 external storage, external links and
    virtual datasets are refused), no size it declares is allocated before it is
    checked against a cap and against the config, and the whole description is
    checked (``descriptions.py``) before a layer is built.

    Args:
        path: A ``.npz`` file from ``save_model`` or a ``.keras`` archive.
        compile: Also restore the optimizer (with its state), loss and metrics.

    Raises:
        ValueError: If the file is missing, unreadable, damaged, hostile, or holds
            something minigenre does not implement; one line naming the file and
            the part. Nothing else is raised.
    """
    path = Path(path)
    if path.suffix not in (".npz", ".keras"):
        raise ValueError(
            f"Cannot tell the format of {path}: the name must end in .npz "
            "(minigenre's format) or .keras (Keras 3's)."
        )
    try:
        return _load(path, compile)
    except (KeyError, TypeError, AttributeError, IndexError) as err:
        what = f"no {err} entry" if isinstance(err, KeyError) else str(err)
        raise ValueError(f"{path}: damaged model description ({what}).") from None
    except (OverflowError, RecursionError) as err:
        raise ValueError(f"{path}: damaged model file ({err}).") from None
    except ValueError as err:
        if str(err).startswith(str(path)):
            raise
        raise ValueError(f"{path}: {str(err).rstrip('.')}.") from None


def _load(path: Path, compile: bool) -> Sequential:
    """Reads, checks every part of the description, then builds."""
    if path.suffix == ".keras":
        layers, compiled, weights, state = keras_read.load(path, compile)
        generators = None
    else:
        layers, compiled, weights, state, generators = npz.load(path)
    descriptions.check_model_config(layers)
    if layers["input_dim"] is not None:
        descriptions.check_weights(layers, weights)  # before a layer is built
    if compile and compiled is not None:
        descriptions.check_compile_config(compiled)
        if state is not None:
            descriptions.check_optimizer_state(state)
    if generators is not None:
        descriptions.check_generator_states(generators)
    model = Sequential.from_config(layers)
    if layers["input_dim"] is not None:
        model.set_weights(weights)
    if compile and compiled is not None:
        config.compile_from_config(model, compiled)
        if state is not None:
            config.set_optimizer_state(model, state)
    if generators is not None:
        config.set_generator_states(model, generators)
    return model
