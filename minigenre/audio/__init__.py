"""From a song to the study's 264 numbers (needs ``pip install "minigenre[audio]"``).

    from minigenre.audio import extract_features

    x = extract_features("song.flac")  # (264,): rhythm, chroma, MFCC
    x = extract_features("song.flac", layout="mlbp2018")  # the 2018 table's scale

The rhythm section's psycho-acoustic steps (Bark bands, decibels, phon, sone) are
written out in NumPy in `minigenre.audio.loudness`; chroma and MFCC come from librosa
(`minigenre.audio.tonal`). The rest of minigenre never imports this package, so it
works without librosa.
"""

try:
    import librosa  # noqa: F401
    import soundfile  # noqa: F401
except ImportError as err:
    raise ImportError(
        f'minigenre.audio needs librosa and soundfile: pip install "minigenre[audio]" '
        f"({err})"
    ) from None

from minigenre.audio.features import (
    COMPUTED_SECTIONS,
    FEATURE_NAMES,
    LAYOUTS,
    MLBP2018_NAMES,
    extract_features,
    feature_names,
)
from minigenre.audio.folder import FolderFeatures, folder_features, write_features_csv
from minigenre.audio.signal import load_audio

__all__ = [
    "COMPUTED_SECTIONS",
    "FEATURE_NAMES",
    "LAYOUTS",
    "MLBP2018_NAMES",
    "FolderFeatures",
    "extract_features",
    "feature_names",
    "folder_features",
    "load_audio",
    "write_features_csv",
]
