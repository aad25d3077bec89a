"""Tests for study.plots: each figure's axes, titles, labels and plotted data."""

import io
import re
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported, so no window can ever open

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from minigenre.study import plots
from minigenre.study.data import GENRES


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    """The plot functions build bare Figures; none may register with pyplot."""
    yield
    leaked = plt.get_fignums()
    plt.close("all")
    assert leaked == []


def tick_texts(labels):
    return [label.get_text() for label in labels]


@pytest.fixture
def x():
    return np.random.default_rng(0).normal(size=(5, 264))


# --- samples --------------------------------------------------------------------------


def test_plot_samples_grid_titles_and_data(x):
    fig = plots.plot_samples(x)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3 * 4  # rows: samples 1-3; columns: whole + 3 sections
    axes = np.array(fig.axes).reshape(3, 4)
    assert [ax.get_title() for ax in axes[1]] == [
        "Raw sample 2: all 264 features",
        "Raw sample 2: rhythm",
        "Raw sample 2: chroma",
        "Raw sample 2: mfcc",
    ]
    for row in range(3):
        whole = axes[row, 0]
        np.testing.assert_array_equal(whole.lines[0].get_ydata(), x[row])
        # Dashed lines mark the section boundaries inside the whole vector.
        assert [line.get_xdata()[0] for line in whole.lines[1:]] == [168, 216]
        for col, (start, stop) in enumerate([(0, 168), (168, 216), (216, 264)], 1):
            line = axes[row, col].lines[0]
            np.testing.assert_array_equal(line.get_xdata(), np.arange(start, stop))
            np.testing.assert_array_equal(line.get_ydata(), x[row, start:stop])
    assert all(ax.get_xlabel() == "feature index" for ax in axes[-1])
    assert fig.get_suptitle() == "Raw samples"


def test_plot_samples_custom_indices_and_sections(x):
    sections = {"first": slice(0, 10), "rest": slice(10, 264)}
    fig = plots.plot_samples(x, indices=[4], sections=sections)
    assert len(fig.axes) == 3
    assert fig.axes[2].get_title() == "Raw sample 5: rest"
    np.testing.assert_array_equal(fig.axes[1].lines[0].get_ydata(), x[4, :10])


def test_plot_standardized_samples_titles(x):
    fig = plots.plot_standardized_samples(x)
    assert fig.axes[0].get_title() == "Standardized sample 1: all 264 features"
    assert fig.get_suptitle() == "Standardized samples"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"indices": [5]}, r"indices must be in \[0, 5\); received \[5\]"),
        ({"indices": []}, r"indices must be in"),
        ({"sections": {"mfcc": slice(216, 300)}}, r"'mfcc' = slice\(216, 300, None\)"),
        ({"sections": {"all": slice(None, 10)}}, r"does not fit 264 features"),
    ],
)
def test_plot_samples_errors(x, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plots.plot_samples(x, **kwargs)
    with pytest.raises(ValueError, match=r"must be 2-D"):
        plots.plot_samples(x[0])


# --- genre distribution ---------------------------------------------------------------


def test_plot_genre_distribution_counts_shares_and_names():
    y = np.array([0] * 5 + [1] * 3 + [9] * 2)  # 10 samples, 7 genres absent
    fig = plots.plot_genre_distribution(y, GENRES)
    assert len(fig.axes) == 2
    ax_count, ax_share = fig.axes
    expected = np.bincount(y, minlength=10)
    heights = [bar.get_height() for bar in ax_count.patches]
    np.testing.assert_array_equal(heights, expected)
    shares = [bar.get_height() for bar in ax_share.patches]
    np.testing.assert_allclose(shares, 100 * expected / 10)
    assert tick_texts(ax_count.get_xticklabels()) == list(GENRES)
    assert tick_texts(ax_share.get_xticklabels()) == list(GENRES)
    assert [t.get_text() for t in ax_share.texts][:2] == ["50.0%", "30.0%"]
    assert [t.get_text() for t in ax_count.texts][:2] == ["5", "3"]
    assert ax_count.get_title() == "Samples per genre (N = 10)"
    assert ax_share.get_ylabel() == "share (%)"


def test_plot_genre_distribution_errors():
    with pytest.raises(
        ValueError, match=r"y must hold labels in \[0, 2\).*Received: 2 at row 1"
    ):
        plots.plot_genre_distribution([0, 2], ["Rap", "Jazz"])
    with pytest.raises(ValueError, match=r"names must hold one name per class"):
        plots.plot_genre_distribution([0], [])


# --- confusion matrix -----------------------------------------------------------------


@pytest.fixture
def cm():
    cm = np.random.default_rng(1).integers(0, 20, size=(10, 10))
    cm[3] = 0  # a genre with no test samples
    return cm


def test_plot_confusion_matrix_counts(cm):
    fig = plots.plot_confusion_matrix(cm, GENRES)
    assert len(fig.axes) == 2  # the matrix and its colorbar
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), cm)
    assert ax.get_title() == "Confusion matrix (counts)"
    assert tick_texts(ax.get_xticklabels()) == list(GENRES)
    assert tick_texts(ax.get_yticklabels()) == list(GENRES)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Predicted genre", "True genre")
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 100
    assert texts[:3] == [str(v) for v in cm[0, :3]]
    assert texts[12] == str(cm[1, 2])


def test_plot_confusion_matrix_row_normalized(cm):
    fig = plots.plot_confusion_matrix(cm, GENRES, normalize=True)
    ax = fig.axes[0]
    values = np.asarray(ax.images[0].get_array())
    row_sums = values.sum(axis=1)
    np.testing.assert_allclose(np.delete(row_sums, 3), 1.0)
    assert row_sums[3] == 0  # an empty row stays zero instead of 0/0
    np.testing.assert_allclose(values[0], cm[0] / cm[0].sum())
    assert "row-normalized" in ax.get_title()
    assert ax.texts[0].get_text() == f"{cm[0, 0] / cm[0].sum():.2f}"
    assert ax.images[0].get_clim() == (0, 1)


def test_plot_confusion_matrix_renders(cm):
    fig = plots.plot_confusion_matrix(cm, GENRES)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    buffer.seek(0)
    pixels = mpimg.imread(buffer, format="png")  # (height, width, RGBA) in [0, 1]
    width, height = fig.get_size_inches() * 40
    assert pixels.shape == (round(height), round(width), 4)
    # Drawn, not blank: the colour of the largest count (the darkest cell) shows,
    # and a good share of the image is not background white.
    darkest = fig.axes[0].images[0].to_rgba(cm.max())[:3]
    rgb = pixels[..., :3]
    assert np.isclose(rgb, darkest, atol=2 / 255).all(axis=-1).sum() > 100
    assert (rgb < 0.95).any(axis=-1).mean() > 0.2


def test_plot_confusion_matrix_errors(cm):
    with pytest.raises(
        ValueError, match=r"\(10, 10\) matrix.*received shape \(9, 10\)"
    ):
        plots.plot_confusion_matrix(cm[1:], GENRES)
    with pytest.raises(ValueError, match=r"negative"):
        plots.plot_confusion_matrix(-cm, GENRES)


# --- training history -----------------------------------------------------------------


HISTORY = {
    "loss": [2.0, 1.5, 1.2],
    "accuracy": [0.3, 0.45, 0.55],
    "val_loss": [2.1, 1.7, 1.6],
    "val_accuracy": [0.28, 0.4, 0.44],
}


def test_plot_history_curves():
    fig = plots.plot_history(HISTORY)
    assert len(fig.axes) == 2
    for ax, key in zip(fig.axes, ["loss", "accuracy"], strict=True):
        assert ax.get_title() == key.capitalize()
        assert ax.get_xlabel() == "epoch"
        train, val = ax.lines
        np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3])
        np.testing.assert_array_equal(train.get_ydata(), HISTORY[key])
        np.testing.assert_array_equal(val.get_ydata(), HISTORY[f"val_{key}"])
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == ["training", "validation"]


def test_plot_history_without_validation_and_from_history_object():
    # What a Keras-style fit returns: an object holding the dict in `.history`.
    history = SimpleNamespace(history={"loss": [1.0, 0.5], "accuracy": [0.5, 0.7]})
    fig = plots.plot_history(history)
    assert [len(ax.lines) for ax in fig.axes] == [1, 1]
    np.testing.assert_array_equal(fig.axes[1].lines[0].get_ydata(), [0.5, 0.7])


@pytest.mark.parametrize(
    ("history", "match"),
    [
        ({"loss": [1.0]}, r"lacks \['accuracy'\]"),
        ({"loss": [1.0, 0.5], "accuracy": [0.5]}, r"equal length"),
        ({"loss": [], "accuracy": []}, r"non-empty"),
    ],
)
def test_plot_history_errors(history, match):
    with pytest.raises(ValueError, match=match):
        plots.plot_history(history)


def test_many_classes_cost_no_square_number_of_labels():
    # 200 classes: 40,000 cell values and 400 tick names took 110 s to draw.
    n = 200
    names = [f"class {k}" for k in range(n)]
    cm = np.arange(n * n).reshape(n, n) % 7
    fig = plots.plot_confusion_matrix(cm, names)
    ax = fig.axes[0]
    assert len(ax.texts) == 0  # values only as colours, read on the colorbar
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert 20 <= len(labels) <= 30
    assert labels[:2] == ["class 0", "class 7"]  # evenly spaced, names kept
    fig = plots.plot_genre_distribution(np.arange(1000) % n, names)
    assert all(len(ax.texts) == 0 for ax in fig.axes)  # no bar labels either
    assert all(len(ax.get_xticklabels()) <= 30 for ax in fig.axes)


def test_few_classes_keep_every_value_and_name():
    names = [f"g{k}" for k in range(30)]
    fig = plots.plot_confusion_matrix(np.ones((30, 30)), names)
    ax = fig.axes[0]
    assert len(ax.texts) == 900
    assert [t.get_text() for t in ax.get_yticklabels()] == names


@pytest.mark.parametrize("dtype", ["complex128", "m8[s]", "M8[s]"])
def test_complex_timedelta_and_datetime_values_are_refused_not_cast(dtype):
    values = np.ones((3, 3)).astype(dtype)
    shown = re.escape(str(np.dtype(dtype)))
    with pytest.raises(ValueError, match=rf"cm must hold numbers.*cm.dtype={shown}"):
        plots.plot_confusion_matrix(values, ["a", "b", "c"])
    history = {"loss": values[0], "accuracy": [0.5, 0.6, 0.7]}
    with pytest.raises(ValueError, match=r"loss must hold numbers"):
        plots.plot_history(history)
