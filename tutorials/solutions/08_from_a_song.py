"""Tutorial 8's exercise, solved (inside the tutorial's variables: extract_features,
SR)."""

import numpy as np


def loudest_band(y):
    mean_loudness = extract_features(y, sr=SR)[:24]  # ssd_mean_bark01..24
    return int(np.argmax(mean_loudness)) + 1  # bands are numbered from 1
