"""The model's files, as methods: ``save``, ``save_weights`` and ``load_weights``.

``Sequential`` inherits them through ``Trainer``; they read the model through its
public API only. ``save_model`` picks the format by the file's extension:

* ``.npz``: minigenre's own (``npz.py``), which resumes training exactly;
* ``.keras``: Keras 3's archive, written without TensorFlow (``keras_write.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

from minigenre.saving import config, files, keras_read, keras_write, npz


def save_model(model, path: str | os.PathLike) -> None:
    """Writes the whole model to ``path``: ``.npz`` (minigenre) or ``.keras``.

    Raises:
        ValueError: If the model is not built, or the extension is neither.
    """
    suffix = Path(path).suffix
    if suffix not in (".npz", ".keras"):
        raise ValueError(
            "The file name must end in .npz (minigenre's format) or .keras "
            f"(Keras 3's). Received: {path}"
        )
    if not model.built:
        raise ValueError(
            "The model is not built: there are no weights to save. Call fit(), "
            "build() or set_weights() first."
        )
    state = config.optimizer_state(model)
    if suffix == ".npz":
        npz.save(model, path, state)
        return
    layers = [[w.copy() for w in layer.weights] for layer in model.layers]
    keras_write.save(
        path, model.get_config(), config.compile_config(model), layers, state
    )


class ModelFiles:
    """``save``, ``save_weights`` and ``load_weights`` for ``Sequential``."""

    def save(self, path: str | os.PathLike) -> None:
        """Saves the whole model: ``.npz`` (minigenre's) or ``.keras`` (Keras 3's).

        See ``minigenre.save_model``; ``minigenre.load_model`` reads it back.
        """
        save_model(self, path)

    def save_weights(self, path: str | os.PathLike) -> None:
        """Writes the weights, atomically: ``.npz`` (minigenre's, without pickle)
        or ``.weights.h5`` (Keras 3's, which ``keras.Model.load_weights`` reads)."""
        if not str(path).endswith((".npz", ".weights.h5")):
            raise ValueError(
                f"The weights file must end in .npz or .weights.h5. Received: {path}"
            )
        if not self.built:
            raise ValueError("The model is not built: there are no weights to save.")
        if str(path).endswith(".weights.h5"):
            layers = [[w.copy() for w in layer.weights] for layer in self.layers]
            keras_write.save_weights(path, self.get_config(), layers)
            return
        weights = self.get_weights()
        files.save_npz(path, {f"weight_{i}": w for i, w in enumerate(weights)})

    def load_weights(self, path: str | os.PathLike) -> None:
        """Reads weights saved by ``save_weights`` (``.npz`` or Keras's
        ``.weights.h5``); checks count and shapes first."""
        if str(path).endswith(".weights.h5"):
            try:
                self.set_weights(keras_read.load_weights(path, self.get_config()))
            except ValueError as err:
                raise ValueError(f"{path}: {err}") from None
            return
        arrays = files.load_npz(path)
        keys = [f"weight_{i}" for i in range(len(arrays))]
        if sorted(arrays) != sorted(keys):
            raise ValueError(
                f"{path}: not a minigenre weights file ({sorted(arrays)})."
            )
        try:
            self.set_weights([arrays[k] for k in keys])
        except ValueError as err:
            raise ValueError(f"{path}: {err}") from None
