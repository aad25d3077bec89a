"""What ``model.summary()`` prints: Keras 3's table of layers and parameters."""

from __future__ import annotations

import sys


def print_summary(model, print_fn=None) -> None:
    """Prints ``model``'s layers with their output shapes and parameter counts.

    As Keras 3, an unbuilt model (input width not known yet) shows its layers with
    output shape ``?`` and ``0 (unbuilt)`` parameters. ``print_fn`` takes each
    line (``print`` by default).
    """
    print_fn = print_fn or (lambda line: print(line, file=sys.stdout))
    rule, thick = "_" * 65, "=" * 65
    print_fn(f'Model: "{model.name}"')
    print_fn(rule)
    print_fn(f" {'Layer (type)':<28}{'Output Shape':<26}{'Param #'}")
    print_fn(thick)
    for i, layer in enumerate(model.layers):
        kind = f"{layer.name} ({type(layer).__name__})"
        shape = f"(None, {layer.units})" if layer.built else "?"
        params = layer.count_params() if layer.built else "0 (unbuilt)"
        print_fn(f" {kind:<27} {shape:<25} {params}")
        print_fn(thick if i == len(model.layers) - 1 else "")
    total = model.count_params()
    trainable = sum(w.size for w in model.trainable_weights)
    print_fn(f"Total params: {total:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {total - trainable:,}")
    print_fn(rule)
