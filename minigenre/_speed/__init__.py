"""Private: the speed paths, each giving the bits of the readable code it stands for.

* ``flat``: all of a model's weights (and gradients) in one flat vector, each
  kernel and bias a view into it, so the optimizer updates them in one go;
* ``threads``: how many BLAS threads a call's matrix products get;
* ``chunks``: ``predict`` and ``evaluate`` in large chunks, with batch-by-batch bits;
* ``jit`` and ``adam_compiled``: ``Adam.update_step`` as one compiled loop (the
  ``fast`` extra), chosen once per fit, and only where it gives the same bits;
* ``step_compiled`` and ``step_kernels``: the study's training step with its
  elementwise work fused into compiled loops (``jit_compile``), same bits.

Only the core imports this package; a learner never needs to read it.
"""
