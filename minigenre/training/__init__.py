"""Keras's training API around the network, and what its loops need.

* ``trainer``: ``fit``, ``evaluate``, ``predict``, ``train_on_batch``,
  ``test_on_batch`` and ``compute_gradients``, which ``Sequential`` inherits;
* ``loops``: the epochs of mini-batches, their running logs and the callbacks;
* ``validation``: the rows held out (``validation_split``, ``validation_data``);
* ``weighting``: class and sample weights, as Keras applies them;
* ``progress``: Keras's progress bar and epoch lines;
* ``checks``: the checks of every input at the public boundaries.
"""
