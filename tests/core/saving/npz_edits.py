"""Damaging a saved ``.npz`` model on purpose, for the loaders' tests."""

import json

import numpy as np

from minigenre.saving import files


def rewrite_npz(path, edit_description=None, edit_arrays=None):
    """Rewrites the model file at ``path`` after the edits: ``edit_description``
    changes its JSON description in place, ``edit_arrays`` its dict of arrays."""
    arrays = files.load_npz(path)
    description = json.loads(str(arrays.pop("config")))
    if edit_description:
        edit_description(description)
    if edit_arrays:
        edit_arrays(arrays)
    files.save_npz(path, {"config": np.array(json.dumps(description)), **arrays})
