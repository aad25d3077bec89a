"""Tests for study.synthetic: shapes, determinism, scales and the study's figures.

Run with ``-s`` to see the calibration figures the module docstring quotes.
"""

import doctest

import numpy as np
import pytest

from minigenre.study import synthetic
from minigenre.study.data import GENRES, N_FEATURES, SECTIONS
from minigenre.study.preprocessing import StandardScaler, train_test_split
from minigenre.study.synthetic import N_TEST, TRAIN_COUNTS, make_synthetic

MODEL_SEEDS = (0, 1, 2)
MINORITY = range(4, 10)  # Latin .. Blues, each under 5% of the songs


@pytest.fixture(scope="module")
def dataset():
    return make_synthetic(0)


def test_docstring_examples():
    assert doctest.testmod(synthetic).failed == 0


def test_shapes_and_types(dataset):
    assert dataset.x_train.shape == (4363, N_FEATURES)
    assert dataset.x_test.shape == (N_TEST, N_FEATURES) == (6544, 264)
    assert dataset.y_test.shape == (6544,)
    assert dataset.x_train.dtype == dataset.x_test.dtype == np.float64
    assert dataset.y_train.dtype == dataset.y_test.dtype == np.int64
    assert dataset.genre_names == GENRES
    assert dataset.feature_names is None  # like the headerless Kaggle files
    assert np.isfinite(dataset.x_train).all()
    assert np.isfinite(dataset.x_test).all()


def test_training_labels_have_the_real_counts(dataset):
    counts = np.bincount(dataset.y_train, minlength=10)
    np.testing.assert_array_equal(
        counts, [2178, 618, 326, 253, 214, 260, 141, 195, 92, 86]
    )
    assert tuple(counts) == TRAIN_COUNTS
    assert counts[0] / counts.sum() == pytest.approx(0.499, abs=1e-3)


def test_test_labels_keep_the_proportions(dataset):
    counts = np.bincount(dataset.y_test, minlength=10)
    assert counts.sum() == 6544
    ideal = np.array(TRAIN_COUNTS) * 6544 / 4363
    assert np.abs(counts - ideal).max() < 1


def test_rows_are_shuffled(dataset):
    assert not np.all(np.diff(dataset.y_train) >= 0)
    assert not np.all(np.diff(dataset.y_test) >= 0)


def test_same_seed_same_bits_other_seed_other_data(dataset):
    again = make_synthetic(0)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        assert getattr(again, name).tobytes() == getattr(dataset, name).tobytes()
    other = make_synthetic(1)
    assert not np.array_equal(other.x_train, dataset.x_train)
    assert not np.array_equal(other.y_train, dataset.y_train)
    np.testing.assert_array_equal(np.bincount(other.y_train), TRAIN_COUNTS)


def test_sections_have_the_real_data_scales(dataset):
    x = np.concatenate([dataset.x_train, dataset.x_test])
    rhythm, chroma, mfcc = (x[:, s] for s in SECTIONS.values())
    assert rhythm.min() > 0  # magnitudes: small and non-negative
    assert np.median(rhythm) < 0.1
    assert chroma.min() > 0
    assert chroma.max() < 1
    assert 500 < mfcc[:, 0].mean() < 5000  # the first MFCC coefficient
    assert mfcc[:, 0].std() > 100
    stds = x.std(axis=0)
    assert stds.max() / stds.min() > 1e4  # why standardizing matters


def test_rhythm_features_are_correlated(dataset):
    corr = np.corrcoef(dataset.x_train[:, SECTIONS["rhythm"]], rowvar=False)
    off_diagonal = corr[~np.eye(len(corr), dtype=bool)]
    assert off_diagonal.mean() > 0.2  # independent columns would average ~0


# --- calibration against the study ----------------------------------------------------


def train_study_model(x_train, y_train, x_val, y_val, seed):
    """The study's network; returns validation loss, accuracy and per-genre recall."""
    from minigenre.layers import Dense
    from minigenre.model import Sequential
    from minigenre.optimizers import Adam

    model = Sequential(
        [Dense(128, activation="elu"), Dense(10, activation="softmax")], seed=seed
    )
    model.compile(
        optimizer=Adam(), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    model.fit(x_train, y_train, epochs=4, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate(x_val, y_val, verbose=0)
    predicted = model.predict(x_val).argmax(axis=1)
    recall = np.array([np.mean(predicted[y_val == k] == k) for k in range(10)])
    return loss, accuracy, recall


@pytest.fixture(scope="module")
def split(dataset):
    x_train, x_val, y_train, y_val = train_test_split(
        dataset.x_train,
        dataset.y_train,
        test_size=0.2,
        seed=0,
        stratify=dataset.y_train,
    )
    return x_train, x_val, y_train, y_val


@pytest.fixture(scope="module")
def study_runs(split):
    x_train, x_val, y_train, y_val = split
    scaler = StandardScaler().fit(x_train)
    x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
    runs = {
        s: train_study_model(x_train, y_train, x_val, y_val, s) for s in MODEL_SEEDS
    }
    for seed, (loss, accuracy, recall) in runs.items():
        print(
            f"\nminigenre model seed {seed}: val accuracy {accuracy:.3f}, "
            f"log-loss {loss:.3f}, recall "
            + ", ".join(f"{g} {r:.2f}" for g, r in zip(GENRES, recall, strict=True))
        )
    return runs


def test_split_has_the_study_sizes_and_baseline(split):
    _, _, y_train, y_val = split
    assert (len(y_train), len(y_val)) == (3490, 873)
    baseline = np.mean(y_val == 0)  # always answer Pop_Rock
    assert baseline == pytest.approx(0.50, abs=0.01)


@pytest.mark.parametrize("seed", MODEL_SEEDS)
def test_the_study_model_reaches_the_study_figures(study_runs, seed):
    loss, accuracy, recall = study_runs[seed]
    assert 0.60 <= accuracy <= 0.72
    assert 0.90 <= loss <= 1.25
    assert np.sum(recall[list(MINORITY)] < 0.20) >= 3
    assert recall[0] > 0.7  # the majority genre is found


def test_without_standardization_the_model_does_clearly_worse(split, study_runs):
    x_train, x_val, y_train, y_val = split
    loss, accuracy, _ = train_study_model(x_train, y_train, x_val, y_val, seed=0)
    print(f"\nunscaled, model seed 0: val accuracy {accuracy:.3f}, log-loss {loss:.3f}")
    scaled_loss, scaled_accuracy, _ = study_runs[0]
    assert accuracy < scaled_accuracy - 0.05
    assert loss > scaled_loss + 1.0
