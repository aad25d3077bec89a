"""Collection rules for the whole tree (doctests in minigenre/ included).

minigenre.audio needs the optional `audio` extra (librosa, soundfile), and
minigenre/_speed/adam_compiled.py the `fast` extra (numba); without them those modules
and their doctests are left out rather than failing to import, and the tests that
need them skip themselves with pytest.importorskip.
"""

import importlib.util

collect_ignore_glob = []
if not all(importlib.util.find_spec(name) for name in ("librosa", "soundfile")):
    collect_ignore_glob.append("minigenre/audio/*")
if importlib.util.find_spec("numba") is None:
    collect_ignore_glob.append("minigenre/_speed/adam_compiled.py")
