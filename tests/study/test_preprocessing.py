"""Tests for study.preprocessing, cross-checked against scikit-learn."""

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import model_selection
from sklearn import preprocessing as skp

from minigenre.study import preprocessing
from minigenre.study.preprocessing import StandardScaler, train_test_split
from minigenre.study.synthetic import TRAIN_COUNTS


def mixed_scales(n=200, d=6, seed=0):
    """Columns from 1e-3 to 1e4 in scale, with offsets, as in the genre data."""
    rng = np.random.default_rng(seed)
    scale = np.logspace(-3, 4, d)
    return rng.normal(size=(n, d)) * scale + rng.uniform(-1, 1, d) * scale * 3


def genre_labels(seed=0):
    rng = np.random.default_rng(seed)
    return rng.permutation(np.repeat(np.arange(10), TRAIN_COUNTS))


def test_docstring_examples():
    result = doctest.testmod(preprocessing, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


# --- StandardScaler -------------------------------------------------------------------


def test_scaler_matches_scikit_learn():
    x = mixed_scales()
    ours, theirs = StandardScaler().fit(x[:150]), skp.StandardScaler().fit(x[:150])
    np.testing.assert_allclose(ours.mean_, theirs.mean_, rtol=1e-12)
    np.testing.assert_allclose(ours.var_, theirs.var_, rtol=1e-12)
    np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-12)
    assert ours.n_features_in_ == theirs.n_features_in_ == 6
    np.testing.assert_allclose(
        ours.transform(x[150:]), theirs.transform(x[150:]), rtol=1e-12, atol=1e-12
    )
    z = ours.fit_transform(x)
    np.testing.assert_allclose(z, skp.StandardScaler().fit_transform(x), atol=1e-12)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=0), 1, rtol=1e-12)  # ddof=0


@pytest.mark.parametrize("value", [0.0, 0.1, 1e6, -3e-8])
def test_constant_columns_get_scale_one_like_scikit_learn(value):
    x = mixed_scales(n=50, d=3)
    x[:, 1] = value
    ours, theirs = StandardScaler().fit(x), skp.StandardScaler().fit(x)
    assert ours.scale_[1] == theirs.scale_[1] == 1.0
    np.testing.assert_allclose(ours.transform(x)[:, 1], 0.0, atol=1e-9)
    np.testing.assert_allclose(ours.transform(x), theirs.transform(x), atol=1e-12)


def test_inverse_transform_undoes_transform():
    x = mixed_scales()
    scaler = StandardScaler().fit(x)
    np.testing.assert_allclose(
        scaler.inverse_transform(scaler.transform(x)), x, rtol=1e-12
    )


@settings(max_examples=30, deadline=None)
@given(
    st.integers(2, 40),
    st.integers(1, 5),
    st.floats(-6, 6),
    st.integers(0, 2**32 - 1),
)
def test_round_trip_property(n, d, log_scale, seed):
    x = np.random.default_rng(seed).normal(size=(n, d)) * 10.0**log_scale
    scaler = StandardScaler().fit(x)
    z = scaler.transform(x)
    assert np.isfinite(z).all()
    np.testing.assert_allclose(
        scaler.inverse_transform(z), x, rtol=1e-9, atol=1e-9 * 10.0**log_scale
    )


def test_transform_before_fit():
    with pytest.raises(ValueError, match="not fitted yet; call fit first"):
        StandardScaler().transform(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="not fitted yet"):
        StandardScaler().inverse_transform(np.zeros((2, 2)))
    with pytest.raises(
        ValueError, match="Cannot save a StandardScaler that is not fitted"
    ):
        StandardScaler().save("never.npz")


def test_wrong_width_names_both_widths():
    scaler = StandardScaler().fit(np.zeros((3, 4)))
    with pytest.raises(
        ValueError, match=r"x has 3 features, but this StandardScaler expects 4"
    ):
        scaler.transform(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"x has 5 features.*expects 4"):
        scaler.inverse_transform(np.zeros((2, 5)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_name_row_and_column(bad):
    x = np.ones((4, 3))
    x[2, 1] = bad
    with pytest.raises(
        ValueError,
        match=rf"x must hold finite numbers. Received: {bad} at row 2, column 1",
    ):
        StandardScaler().fit(x)
    scaler = StandardScaler().fit(np.ones((4, 3)))
    with pytest.raises(ValueError, match="at row 2, column 1"):
        scaler.transform(x)


@pytest.mark.parametrize(
    ("x", "match"),
    [
        (np.zeros(3), r"must be 2-D .*Received: x.shape=\(3,\)"),
        (np.zeros((0, 3)), "0 samples"),
    ],
)
def test_fit_rejects_bad_shapes(x, match):
    with pytest.raises(ValueError, match=match):
        StandardScaler().fit(x)


def test_save_and_load_round_trip(tmp_path):
    x = mixed_scales()
    x[:, 2] = 7.0  # a constant column keeps scale 1 after loading
    scaler = StandardScaler().fit(x)
    scaler.save(tmp_path / "scaler.npz")
    loaded = StandardScaler.load(tmp_path / "scaler.npz")
    for name in ("mean_", "var_", "scale_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(scaler, name))
    assert loaded.n_features_in_ == 6
    np.testing.assert_array_equal(loaded.transform(x), scaler.transform(x))
    assert repr(loaded) == "StandardScaler(n_features_in_=6)"


def test_load_missing_and_corrupt_files(tmp_path):
    with pytest.raises(ValueError, match=r"missing.npz: file not found"):
        StandardScaler.load(tmp_path / "missing.npz")
    # numpy takes bytes that are neither zip nor .npy for a pickle, so the loader's
    # message for them is "refusing to load pickled data"; either way a ValueError.
    (tmp_path / "junk.npz").write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match=r"junk.npz: (not a readable|refusing)"):
        StandardScaler.load(tmp_path / "junk.npz")
    StandardScaler().fit(mixed_scales()).save(tmp_path / "cut.npz")
    whole = (tmp_path / "cut.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ValueError, match=r"cut.npz: not a readable .npz"):
        StandardScaler.load(tmp_path / "cut.npz")


def test_load_refuses_pickled_arrays(tmp_path):
    path = tmp_path / "evil.npz"
    objects = np.array([{"a": 1}, None], dtype=object)
    np.savez(path, format_version=np.array(1), mean=objects, var=objects, scale=objects)
    with pytest.raises(ValueError, match=r"evil.npz: refusing to load pickled data"):
        StandardScaler.load(path)


@pytest.mark.parametrize(
    ("arrays", "match"),
    [
        ({"mean": np.zeros(3), "var": np.ones(3)}, r"expected arrays 'mean', 'scale'"),
        (
            {"mean": np.zeros(3), "var": np.ones(2), "scale": np.ones(3)},
            r"'var' must be",
        ),
        ({"mean": np.zeros((3, 1)), "var": np.ones(3), "scale": np.ones(3)}, "'mean'"),
        ({"mean": np.zeros(3), "var": np.ones(3), "scale": np.ones(3, int)}, "'scale'"),
        (
            {"mean": np.zeros(0), "var": np.ones(0), "scale": np.ones(0)},
            "1\\+ features",
        ),
        ({"mean": [0.0, np.nan], "var": [1.0, 1], "scale": [1.0, 1]}, "'mean' has NaN"),
        ({"mean": [0.0, 0], "var": [1.0, -1], "scale": [1.0, 1]}, "var >= 0"),
        ({"mean": [0.0, 0], "var": [1.0, 1], "scale": [1.0, 0]}, "scale > 0"),
    ],
)
def test_load_checks_keys_shapes_and_values(tmp_path, arrays, match):
    path = tmp_path / "bad.npz"
    StandardScaler().fit(np.eye(2)).save(path)  # a valid file, to take its version
    with np.load(path, allow_pickle=False) as saved:
        version = saved["format_version"]
    np.savez(path, format_version=version, **arrays)
    with pytest.raises(ValueError, match=match):
        StandardScaler.load(path)


# --- train_test_split -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "test_size"), [(4363, 0.2), (10, 0.2), (11, 0.25), (7, 0.5), (100, 0.01)]
)
def test_split_sizes_match_scikit_learn(n, test_size):
    x, y = np.arange(n), np.arange(n) % 2
    ours = train_test_split(x, y, test_size=test_size, seed=0)
    theirs = model_selection.train_test_split(x, y, test_size=test_size, random_state=0)
    assert [len(a) for a in ours] == [len(a) for a in theirs]


def test_study_split_is_3490_by_873_and_a_partition():
    x = np.arange(4363 * 2).reshape(4363, 2)
    y = np.arange(4363)
    x_train, x_test, y_train, y_test = train_test_split(x, y, seed=1)
    assert (len(x_train), len(x_test)) == (3490, 873)
    np.testing.assert_array_equal(x_train[:, 0], 2 * y_train)  # rows stay paired
    np.testing.assert_array_equal(x_test[:, 0], 2 * y_test)
    assert sorted(np.concatenate([y_train, y_test])) == list(range(4363))


def test_stratified_counts_are_within_one_of_scikit_learn():
    y = genre_labels()
    x = np.arange(len(y))
    _, _, y_train, y_test = train_test_split(x, y, seed=0, stratify=y)
    _, _, sk_train, sk_test = model_selection.train_test_split(
        x, y, test_size=0.2, random_state=0, stratify=y
    )
    ours, theirs = np.bincount(y_test, minlength=10), np.bincount(sk_test, minlength=10)
    assert np.abs(ours - theirs).max() <= 1
    assert np.abs(np.bincount(y_train) - np.bincount(sk_train)).max() <= 1
    assert (len(y_train), len(y_test)) == (3490, 873)
    np.testing.assert_allclose(
        ours / 873, np.array(TRAIN_COUNTS) / 4363, atol=1.5 / 873
    )


def test_stratified_split_shuffles_sorted_data():
    y = np.sort(genre_labels())  # sorted by class, as some label files are
    _, _, y_train, y_test = train_test_split(
        np.zeros((len(y), 1)), y, seed=0, stratify=y
    )
    assert not np.all(np.diff(y_train) >= 0)
    assert not np.all(np.diff(y_test) >= 0)


def test_split_is_deterministic_per_seed():
    x, y = np.arange(100), np.arange(100) % 3
    for stratify in (None, y):
        first = train_test_split(x, y, seed=5, stratify=stratify)
        again = train_test_split(x, y, seed=5, stratify=stratify)
        other = train_test_split(x, y, seed=6, stratify=stratify)
        for a, b in zip(first, again, strict=True):
            np.testing.assert_array_equal(a, b)
        assert not np.array_equal(first[1], other[1])
    from_generator = train_test_split(x, y, seed=np.random.default_rng(5))
    np.testing.assert_array_equal(from_generator[1], train_test_split(x, y, seed=5)[1])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"y": np.arange(9)}, r"x and y differ in length. Received: 10 and 9"),
        ({"test_size": 0.0}, r"test_size must be in \(0, 1\). Received: 0.0"),
        ({"test_size": 1.0}, r"Received: 1.0"),
        ({"test_size": -0.1}, r"Received: -0.1"),
        ({"test_size": 1.5}, r"Received: 1.5"),
        ({"test_size": 0.95}, r"leaves no training rows"),
        ({"stratify": np.array([0] * 9 + [1])}, r"at least 2 rows per class.*count=1"),
        (
            {"stratify": np.arange(10) % 5, "test_size": 0.2},
            r"need a row of each of the 5",
        ),
    ],
)
def test_split_rejects_bad_arguments(kwargs, match):
    args = {"x": np.arange(10), "y": np.arange(10), **kwargs}
    with pytest.raises(ValueError, match=match):
        train_test_split(**args)
