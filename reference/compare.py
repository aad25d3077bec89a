"""``minigenre compare``: the NumPy and the Keras model on one split, side by side."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

import minigenre
from minigenre.study.staging import write_staged
from reference.backend import keras, tf
from reference.parity import train_side_by_side

ROWS = [  # (label, history key)
    ("training accuracy", "accuracy"),
    ("training loss", "loss"),
    ("validation accuracy", "val_accuracy"),
    ("validation loss", "val_loss"),
]


def compare(split, epochs: int = 4, batch_size: int = 32, seed: int = 0) -> dict:
    """Trains both models on ``split`` from one start; returns a JSON-ready dict."""
    run = train_side_by_side(
        split.x_train, split.y_train, split.x_val, split.y_val, epochs, batch_size, seed
    )

    def side(history, seconds):
        final = {key: float(history[key][-1]) for _, key in ROWS}
        curves = {key: [float(v) for v in history[key]] for _, key in ROWS}
        return {"final": final, "history": curves, "seconds": seconds}

    return {
        "rows": {"train": len(split.x_train), "validation": len(split.x_val)},
        "epochs": epochs,
        "batch_size": batch_size,
        "seed": seed,
        "versions": {
            "minigenre": minigenre.__version__,
            "numpy": np.__version__,
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "python": platform.python_version(),
        },
        "numpy": side(run.numpy_history, run.numpy_seconds),
        "keras": side(run.keras_history, run.keras_seconds),
        "parity": {
            "max_weight_diff": max(run.max_weight_diff),
            "max_weight_diff_per_epoch": run.max_weight_diff,
            "max_loss_diff": run.max_history_diff("loss"),
            "max_val_loss_diff": run.max_history_diff("val_loss"),
            "max_accuracy_diff": run.max_history_diff("accuracy"),
            "max_val_proba_diff": run.max_proba_diff,
        },
    }


def print_report(result: dict, as_json: bool = False) -> None:
    """Prints the side-by-side table, or the whole result as JSON."""
    if as_json:
        print(json.dumps(result, indent=2))
        return
    rows, versions = result["rows"], result["versions"]
    print(
        f"minigenre compare: {result['data']}, {rows['train']} training / "
        f"{rows['validation']} validation rows, {result['epochs']} epochs, "
        f"batch {result['batch_size']}, seed {result['seed']}"
    )
    print()
    keras_name = f"Keras {versions['keras']}"
    print(f"{'':<22}{'minigenre (NumPy)':>19}{keras_name:>19}")
    for label, key in ROWS:
        a, b = result["numpy"]["final"][key], result["keras"]["final"][key]
        print(f"{label:<22}{a:>19.4f}{b:>19.4f}")
    a, b = result["numpy"]["seconds"], result["keras"]["seconds"]
    print(f"{'training time (s)':<22}{a:>19.2f}{b:>19.2f}")
    parity = result["parity"]
    print()
    print("Trajectory parity (same initial weights, same batches in the same order):")
    print(f"  max |weight difference|              {parity['max_weight_diff']:.2e}")
    print(f"  max |training loss difference|       {parity['max_loss_diff']:.2e}")
    print(f"  max |validation loss difference|     {parity['max_val_loss_diff']:.2e}")
    print(f"  max |validation probability diff.|   {parity['max_val_proba_diff']:.2e}")
    if "plot" in result:
        print(f"\nFigure: {result['plot']}")


def save_plot(result: dict, directory: str | os.PathLike) -> str:
    """Saves both loss curves and the per-epoch weight difference; returns the path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    fig = Figure(figsize=(11, 4), layout="constrained")
    loss_ax, diff_ax = fig.subplots(1, 2)
    epochs = np.arange(1, result["epochs"] + 1)
    for name, style in (("numpy", "-"), ("keras", "--")):
        history = result[name]["history"]
        label = "minigenre" if name == "numpy" else "Keras"
        loss_ax.plot(
            epochs, history["loss"], style, marker="o", label=f"{label} training"
        )
        loss_ax.plot(
            epochs, history["val_loss"], style, marker="s", label=f"{label} validation"
        )
    loss_ax.set(title="Loss per epoch", xlabel="epoch", ylabel="cross-entropy")
    loss_ax.legend()
    diff_ax.semilogy(epochs, result["parity"]["max_weight_diff_per_epoch"], marker="o")
    diff_ax.set(
        title="Largest weight difference, NumPy vs Keras",
        xlabel="epoch",
        ylabel="max |w_numpy - w_keras|",
    )
    for ax in (loss_ax, diff_ax):
        ax.set_xticks(epochs)
    write_staged(
        directory, lambda staging: fig.savefig(staging / "compare.png", dpi=100)
    )
    return str(directory / "compare.png")
