"""The study's figures, one function each, every one returning a ``Figure``.

Figures are built as ``matplotlib.figure.Figure`` objects, not through pyplot: they
need no backend or global figure list, so nothing leaks when a script or test makes
many of them. Show one in a notebook by leaving it as the cell's value, or save it
with ``fig.savefig("confusion.png")``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

from minigenre.training.checks import check_features, check_labels, check_real

# The study's feature layout (264 values per song); data.SECTIONS holds the same.
DEFAULT_SECTIONS: Mapping[str, slice] = MappingProxyType(
    {"rhythm": slice(0, 168), "chroma": slice(168, 216), "mfcc": slice(216, 264)}
)


# Up to this many classes, figures write every class name and every value.
ANNOTATED_CLASSES = 30


def _class_ticks(n_classes: int) -> np.ndarray:
    """Every class up to ``ANNOTATED_CLASSES``; beyond, about that many, evenly
    spaced: more names overlap, and laying each one out costs time."""
    step = -(-n_classes // ANNOTATED_CLASSES)  # ceil
    return np.arange(0, n_classes, step)


def _check_names(names: Sequence[str]) -> list[str]:
    names = [str(name) for name in names]
    if not names:
        raise ValueError("names must hold one name per class; received none.")
    return names


def plot_samples(
    x: ArrayLike,
    indices: Sequence[int] = (0, 1, 2),
    sections: Mapping[str, slice] = DEFAULT_SECTIONS,
    title_prefix: str = "Raw",
) -> Figure:
    """Plots samples whole and split into their feature sections.

    The grid has one row per sample and ``1 + len(sections)`` columns: the whole
    vector first (dashed lines at the section boundaries), then each section on its
    own axes, so the small chroma and MFCC values are not flattened by the rhythm
    ones. The x axis is the feature index within the whole vector, so the views line
    up. Titles number samples from 1, like the study and the Kaggle ``Sample_id``.

    Args:
        x: Samples, shape ``(n_samples, n_features)``.
        indices: 0-based rows of ``x`` to draw.
        sections: Section name -> slice of the feature axis.
        title_prefix: First word of each title, e.g. ``"Standardized"``.
    """
    x = check_features(x)
    n_samples, n_features = x.shape
    indices = [int(i) for i in indices]
    if not indices or any(not 0 <= i < n_samples for i in indices):
        raise ValueError(f"indices must be in [0, {n_samples}); received {indices}.")
    for name, part in sections.items():
        bounds = (part.start, part.stop)
        fits = all(isinstance(b, int) for b in bounds) and part.step in (None, 1)
        if not fits or not 0 <= part.start < part.stop <= n_features:
            raise ValueError(
                f"Section {name!r} = {part} does not fit {n_features} features."
            )
    ncols = 1 + len(sections)
    fig = Figure(figsize=(4 * ncols, 2.6 * len(indices)), layout="constrained")
    axes = fig.subplots(len(indices), ncols, squeeze=False)
    for row, i in enumerate(indices):
        ax = axes[row, 0]
        ax.plot(np.arange(n_features), x[i], linewidth=0.8)
        for part in sections.values():
            if 0 < part.start < n_features:
                ax.axvline(part.start, color="grey", linestyle="--", linewidth=0.8)
        ax.set_title(f"{title_prefix} sample {i + 1}: all {n_features} features")
        ax.set_ylabel("value")
        for col, (name, part) in enumerate(sections.items(), start=1):
            ax = axes[row, col]
            ax.plot(np.arange(part.start, part.stop), x[i, part], linewidth=0.8)
            ax.set_title(f"{title_prefix} sample {i + 1}: {name}")
    for ax in axes[-1]:
        ax.set_xlabel("feature index")
    fig.suptitle(f"{title_prefix} samples")
    return fig


def plot_standardized_samples(
    x: ArrayLike,
    indices: Sequence[int] = (0, 1, 2),
    sections: Mapping[str, slice] = DEFAULT_SECTIONS,
) -> Figure:
    """:func:`plot_samples` for standardized features, titled "Standardized"."""
    return plot_samples(x, indices, sections, title_prefix="Standardized")


def plot_genre_distribution(y: ArrayLike, names: Sequence[str]) -> Figure:
    """Bar charts of the number and the share of samples per genre.

    Args:
        y: 0-based labels, shape ``(n_samples,)``.
        names: One name per class, in label order.

    Returns:
        A figure with two axes: counts (left) and shares in percent (right), each
        bar labelled with its value.
    """
    names = _check_names(names)
    y = check_labels(y, "y", n_classes=len(names))
    counts = np.bincount(y, minlength=len(names))  # (n_classes,)
    shares = 100 * counts / counts.sum()
    positions = np.arange(len(names))
    fig = Figure(figsize=(12, 4.5), layout="constrained")
    ax_count, ax_share = fig.subplots(1, 2)
    bars = ax_count.bar(positions, counts)
    few = len(names) <= ANNOTATED_CLASSES  # else the labels overlap
    if few:
        ax_count.bar_label(bars, labels=[str(c) for c in counts])
    ax_count.set(title=f"Samples per genre (N = {counts.sum()})", ylabel="samples")
    bars = ax_share.bar(positions, shares, color="tab:orange")
    if few:
        ax_share.bar_label(bars, labels=[f"{s:.1f}%" for s in shares])
    ax_share.set(title="Share of samples per genre", ylabel="share (%)")
    for ax in (ax_count, ax_share):
        ticks = _class_ticks(len(names))
        ax.set_xticks(ticks, [names[k] for k in ticks], rotation=45, ha="right")
        ax.margins(y=0.12)  # room for the bar labels
    return fig


def plot_confusion_matrix(
    cm: ArrayLike, names: Sequence[str], normalize: bool = False
) -> Figure:
    """Draws a confusion matrix as a heat map with a colorbar, each cell annotated
    with its value for up to ``ANNOTATED_CLASSES`` classes.

    Args:
        cm: Counts, shape ``(n_classes, n_classes)``, rows true, columns predicted.
        names: One name per class.
        normalize: If True, divide each row by its total so a row sums to 1 and the
            diagonal is each genre's recall; a row with no samples stays 0.
    """
    cm = check_real(cm, "cm")
    names = _check_names(names)
    if cm.shape != (len(names), len(names)) or not np.isfinite(cm).all():
        raise ValueError(
            f"cm must be a finite ({len(names)}, {len(names)}) matrix to match names; "
            f"received shape {cm.shape}."
        )
    if (cm < 0).any():
        raise ValueError("cm must not hold negative counts.")
    values = cm
    if normalize:
        totals = cm.sum(axis=1, keepdims=True)  # (n_classes, 1)
        values = np.divide(cm, totals, out=np.zeros_like(cm), where=totals > 0)
    vmax = 1.0 if normalize else max(float(cm.max()), 1.0)
    fig = Figure(figsize=(8, 7), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=vmax)
    fig.colorbar(image, ax=ax, label="share of true genre" if normalize else "samples")
    # n^2 numbers: beyond ANNOTATED_CLASSES they overlap at any size, and drawing
    # them took 110 s for 200 classes; the colours and the colorbar say it all then.
    annotated = values if len(names) <= ANNOTATED_CLASSES else np.empty((0, 0))
    for (i, j), value in np.ndenumerate(annotated):
        # White text on the dark half of the colour map keeps every value readable.
        color = "white" if value > vmax / 2 else "black"
        text = f"{value:.2f}" if normalize else f"{value:.0f}"
        ax.text(j, i, text, ha="center", va="center", color=color, fontsize=8)
    ticks = _class_ticks(len(names))
    ax.set_xticks(ticks, [names[k] for k in ticks], rotation=45, ha="right")
    ax.set_yticks(ticks, [names[k] for k in ticks])
    ax.set(xlabel="Predicted genre", ylabel="True genre")
    kind = "row-normalized: recall on the diagonal" if normalize else "counts"
    ax.set_title(f"Confusion matrix ({kind})")
    return fig


def plot_history(history: Mapping[str, Sequence[float]] | Any) -> Figure:
    """Plots loss and accuracy per epoch from a Keras-style training history.

    Args:
        history: A dict with per-epoch lists ``loss`` and ``accuracy`` and optionally
            ``val_loss`` and ``val_accuracy``, or an object with such a dict in its
            ``history`` attribute (what Keras's and minigenre's ``fit`` return).

    Returns:
        A figure with two axes, loss and accuracy, against epochs 1..N.
    """
    history = getattr(history, "history", history)
    missing = [key for key in ("loss", "accuracy") if key not in history]
    if missing:
        raise ValueError(f"history lacks {missing}; received keys {list(history)}.")
    n_epochs = len(history["loss"])
    plotted = ("loss", "accuracy", "val_loss", "val_accuracy")
    lengths = {key: len(history[key]) for key in plotted if key in history}
    if n_epochs == 0 or any(n != n_epochs for n in lengths.values()):
        raise ValueError(f"history lists must be non-empty, equal length: {lengths}.")
    history = {key: check_real(history[key], key) for key in lengths}
    epochs = np.arange(1, n_epochs + 1)
    fig = Figure(figsize=(11, 4), layout="constrained")
    for ax, key in zip(fig.subplots(1, 2), ("loss", "accuracy"), strict=True):
        ax.plot(epochs, history[key], marker=".", label="training")
        if f"val_{key}" in history:
            ax.plot(epochs, history[f"val_{key}"], marker=".", label="validation")
        ax.set(title=key.capitalize(), xlabel="epoch", ylabel=key)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend()
    return fig
