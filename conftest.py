"""Collection rules for the whole tree (doctests in minigenre/ included).

minigenre.audio needs the optional `audio` extra (librosa, soundfile); without it
its modules and doctests are left out rather than failing to import, and the tests
in tests/audio skip themselves with pytest.importorskip.
"""

try:
    import librosa  # noqa: F401
    import soundfile  # noqa: F401

    collect_ignore_glob = []
except ImportError:
    collect_ignore_glob = ["minigenre/audio/*"]
