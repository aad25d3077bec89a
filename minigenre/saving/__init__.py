"""A model's files: one module per format, and what they share.

* ``model_files``: ``save_model`` and the model's ``save``, ``save_weights`` and
  ``load_weights``; ``load``: ``load_model`` (both also ``minigenre.save_model``
  and ``minigenre.load_model``);
* ``npz``: minigenre's own format; ``keras_read`` and ``keras_write``: Keras 3's
  ``.keras`` archive, without TensorFlow;
* ``config``: the compile settings and optimizer state both formats hold;
* ``files``: atomic writes and ``.npz`` reading without pickle, for every file
  minigenre writes.

Nothing is imported here: ``load`` needs the model, whose ``Trainer`` needs
``model_files``, so each is imported from its own module.
"""
