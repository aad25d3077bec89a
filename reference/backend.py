"""TensorFlow and Keras, imported once and quietly.

``from reference.backend import keras, tf`` is how the project imports them. Importing
TensorFlow 2.21 prints start-up notices from its C++ libraries, e.g.::

    WARNING: All log messages before absl::InitializeLog() is called are written ...
    I0000 00:00:1796014627.738329    7751 port.cc:153] oneDNN custom operations ...
    I0000 00:00:1796014627.739097    7751 cudart_stub.cc:31] Could not find cuda ...

and, at the first operation, ``E0000 ... failed call to cuInit: ... CUDA error`` on a
machine without a GPU. They are written straight to file descriptor 2 while the shared
libraries load, before TensorFlow reads ``TF_CPP_MIN_LOG_LEVEL`` (absl's logging is
not initialised yet), so that variable cannot silence them. Here the import and the
device set-up run with descriptor 2 redirected to a temporary file; afterwards every
line except these notices is written on to the real standard error, so a genuine
error or warning still shows. Nothing about TensorFlow's computation changes (oneDNN
stays on, as users run it).

Later C++ log lines (e.g. an ``E0000 ... NodeDef mentions attribute`` notice from
``tf.data`` inside ``fit``) do obey ``TF_CPP_MIN_LOG_LEVEL``, read when the first one
is logged; this module sets it to 3 (C++ info, warning and error lines hidden; Python's
warnings and exceptions unaffected) unless it is already set.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator

# absl's line prefix "I0000 00:00:1796014627.738329    7751 file.cc:153] ", the
# pre-initialisation warning, and the CPU-instructions notice's continuation line.
NOTICE = re.compile(
    r"[IWE]\d{4} [\d:.]+ +\d+ \S+:\d+\] "
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|To enable the following instructions: "
)


@contextlib.contextmanager
def start_up_notices_held_back() -> Iterator[None]:
    """Runs the block with file descriptor 2 captured; re-emits all but the notices."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            text = held.read().decode("utf-8", errors="replace")
            kept = [
                line
                for line in text.splitlines(keepends=True)
                if not NOTICE.match(line)
            ]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()


os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
with start_up_notices_held_back():
    import keras
    import tensorflow as tf

    # The CUDA probe (cuInit's E0000 line) runs when the devices are first listed.
    tf.config.list_logical_devices()

__all__ = ["keras", "tf"]
