"""The benchmark's targets, as ratios of medians from one run, and its printed table."""

from __future__ import annotations

FIT_ROWS = [  # (key in result["fit"], label)
    ("minigenre_elu", "minigenre fit, elu (the study's)"),
    ("minigenre_elu_1_thread", "minigenre fit, 1 BLAS thread by hand"),
    ("minigenre_relu", "minigenre fit, relu"),
    ("minigenre_elu_jit", "minigenre, elu, jit_compile=True"),
    ("minigenre_relu_jit", "minigenre, relu, jit_compile=True"),
    ("numpy_tight", "tight NumPy loop, 1 thread"),
    ("jax_jit", "JAX, epoch under jit + lax.scan"),
    ("pytorch", "PyTorch (CPU)"),
    ("keras_first", "Keras fit, first call"),
    ("keras_warm", "Keras fit, warm"),
    ("keras_steps", "Keras, steps_per_execution=epoch"),
    ("keras_jit", "Keras, steps/epoch + jit_compile"),
    ("sklearn_relu", "scikit-learn MLPClassifier, relu"),
    ("sklearn_relu_1_thread", "scikit-learn, relu, 1 BLAS thread"),
    ("floor_6_gemms", "floor: 6 matrix products/batch"),
    ("floor_5_gemms", "floor: the 5 minigenre does"),
]
PREDICT_ROWS = [
    ("minigenre", "minigenre predict"),
    ("minigenre_jit", "minigenre predict, jit_compile=True"),
    ("numpy_forward", "plain NumPy forward, 1 thread"),
    ("jax", "JAX, jit forward"),
    ("pytorch", "PyTorch, no_grad forward"),
    ("keras", "Keras predict, warm"),
    ("sklearn", "scikit-learn predict_proba"),
]


# #25's targets, idle and with one core busy (the busy bound 10% looser): ratios of
# medians, each against the faster peer where it names two.
BUSY_SLACK = 1.1
SPEED_TARGETS = [
    (
        "minigenre jit / faster of PyTorch, JAX",
        "minigenre_elu_jit",
        "fastest_peer",
        0.8,
    ),
    ("minigenre jit / 5-product floor", "minigenre_elu_jit", "floor_5_gemms", 2),
    ("minigenre / tight NumPy loop", "minigenre_elu", "numpy_tight", 1.05),
]
PREDICT_TARGETS = [
    ("minigenre jit / PyTorch forward", "minigenre_jit", "pytorch", 1.2),
]


def _ratio_rows(result: dict) -> list[tuple]:
    """``(name, numerator, denominator, op, bound)``, each a ``(section, key)``."""
    idle = [
        ("fit: Keras warm / minigenre", "keras_warm", "minigenre_elu", ">=", 10),
        ("fit: Keras warm / minigenre jit", "keras_warm", "minigenre_elu_jit", ">=",
         10),
        ("fit: Keras steps/epoch / minigenre", "keras_steps", "minigenre_elu", ">=", 4),
        ("fit: scikit-learn 1 thread / minigenre, relu", "sklearn_relu_1_thread",
         "minigenre_relu", ">=", 2.5),
        ("fit: scikit-learn 1 thread / minigenre jit, relu", "sklearn_relu_1_thread",
         "minigenre_relu_jit", ">=", 2.5),
        ("fit: minigenre / 6-product floor", "minigenre_elu", "floor_6_gemms", "<=", 2),
    ]  # fmt: skip
    idle += [(f"fit: {name}", a, b, "<=", bound) for name, a, b, bound in SPEED_TARGETS]
    rows = [(name, ("fit", a), ("fit", b), op, bound) for name, a, b, op, bound in idle]
    rows += [
        ("predict: Keras / minigenre", ("predict", "keras"), ("predict", "minigenre"),
         ">=", 10),
        ("predict: minigenre / plain NumPy", ("predict", "minigenre"),
         ("predict", "numpy_forward"), "<=", 1.2),
    ]  # fmt: skip
    rows += [
        (f"predict: {name}", ("predict", a), ("predict", b), "<=", bound)
        for name, a, b, bound in PREDICT_TARGETS
    ]
    if "contention" in result:
        busy = [
            ("busy: Keras warm / minigenre", "keras_warm", "minigenre_elu", ">=", 10),
            ("busy: Keras warm / minigenre jit", "keras_warm", "minigenre_elu_jit",
             ">=", 10),
            ("busy: Keras steps / minigenre", "keras_steps", "minigenre_elu", ">=", 4),
            ("busy: minigenre / minigenre 1 thread", "minigenre_elu",
             "minigenre_elu_1_thread", "<=", 1.15),
        ]  # fmt: skip
        busy += [
            (f"busy: {name}", a, b, "<=", round(bound * BUSY_SLACK, 3))
            for name, a, b, bound in SPEED_TARGETS
        ]
        rows += [
            (name, ("contention", a), ("contention", b), op, bound)
            for name, a, b, op, bound in busy
        ]
        rows += [
            (f"busy: predict: {name}", ("contention_predict", a),
             ("contention_predict", b), "<=", round(bound * BUSY_SLACK, 3))
            for name, a, b, bound in PREDICT_TARGETS
        ]  # fmt: skip
    return rows


def _with_fastest_peer(cases: dict) -> dict:
    """``cases`` plus ``fastest_peer``: the faster of PyTorch and JAX, if any ran."""
    peers = [cases[k] for k in ("pytorch", "jax_jit") if k in cases]
    if not peers:
        return cases
    return cases | {"fastest_peer": min(peers, key=lambda stats: stats["median"])}


def targets(result: dict) -> list[dict]:
    """The targets, each with its measured value and whether it is met.

    A target whose peer did not run (not installed) is left out.
    """
    sections = {"fit": _with_fastest_peer(result["fit"]), "predict": result["predict"]}
    if "contention" in result:
        sections["contention"] = _with_fastest_peer(result["contention"]["fit"])
        sections["contention_predict"] = result["contention"].get("predict", {})
    rows = []
    for name, (sa, a), (sb, b), op, bound in _ratio_rows(result):
        if a in sections[sa] and b in sections[sb]:
            value = sections[sa][a]["median"] / sections[sb][b]["median"]
            rows.append((name, value, op, bound))
    scaling = result["scaling"]
    per_sample = [row["us_per_sample"]["median"] for row in scaling]
    drift = max(abs(p / per_sample[0] - 1) for p in per_sample)
    # What fit allocates beyond the data should not grow with the rows: the growth
    # from the smallest to the largest size, as a share of the largest data.
    first, last = scaling[0], scaling[-1]
    growth = (last["fit_extra_mb"] - first["fit_extra_mb"]) / last["data_mb"]
    rows += [
        ("scaling: time/sample drift from smallest", drift, "<=", 0.2),
        ("scaling: fit's extra memory growth / data", growth, "<=", 0.05),
    ]
    return [
        {
            "name": name,
            "value": value,
            "target": f"{op} {bound}",
            "met": bool(value >= bound if op == ">=" else value <= bound),
        }
        for name, value, op, bound in rows
    ]


def _ms(stats: dict) -> str:
    return "".join(f"{1e3 * stats[k]:>10.1f}" for k in ("min", "median", "max"))


def _print_cases(rows: list[tuple[str, str]], cases: dict) -> None:
    for key, label in rows:
        if key in cases:
            print(f"  {label:<36}{_ms(cases[key])}")


def print_table(result: dict) -> None:
    """Prints the result as a plain-text table (every time: min, median, max)."""
    s, env = result["settings"], result
    machine, threads = env["machine"], env["threads"]
    start, end = machine["load_average_at_start"], machine["load_average_at_end"]
    print(
        f"benchmarks/bench.py: {s['train_rows']} training rows x {s['features']} "
        f"features, {s['epochs']} epochs, batch {s['batch_size']}, float32; "
        f"{s['reps']} repetitions after a warm-up"
    )
    load = f", load average {start[0]:.2f} at start, {end[0]:.2f} at end"
    print(
        f"machine: {machine['cpu']}, {machine['cpus']} CPUs, {machine['system']}"
        + (load if start else "")
    )
    print(
        "versions: " + ", ".join(f"{name} {v}" for name, v in env["versions"].items())
    )
    print(
        f"threads: {'; '.join(threads['blas'])}; TensorFlow intra-op "
        f"{threads['tensorflow_intra_op']}, inter-op {threads['tensorflow_inter_op']}"
        " (0: one per core)"
        + "".join(f"; {k}={v}" for k, v in threads["environment"].items())
    )
    for note in result["notes"]:
        print(f"note: {note}")
    header = f"{'':<38}{'min':>10}{'median':>10}{'max':>10}   (ms)"
    print(f"\nfit, {s['train_rows']} rows\n{header}")
    _print_cases(FIT_ROWS, result["fit"])
    print(f"\npredict, {s['predict_rows']} rows\n{header}")
    _print_cases(PREDICT_ROWS, result["predict"])
    print(
        f"\nscaling: minigenre fit, elu, {s['scaling_epochs']} epoch(s), "
        "synthetic float32 rows"
    )
    print(
        f"  {'rows':>9}{'us/sample: min':>16}{'median':>8}{'max':>8}"
        f"{'data MB':>10}{'fit extra MB':>14}{'peak MB':>10}"
    )
    for row in result["scaling"]:
        us = row["us_per_sample"]
        print(
            f"  {row['rows']:>9}{us['min']:>16.2f}{us['median']:>8.2f}{us['max']:>8.2f}"
            f"{row['data_mb']:>10.1f}{row['fit_extra_mb']:>14.1f}{row['peak_mb']:>10.1f}"
        )
    if "contention" in result:
        busy = result["contention"]
        print(
            "\ncontention: the same fits while another process keeps one core busy, "
            f"load average {busy['load_average_at_end'][0]:.2f} at end\n{header}"
        )
        _print_cases(FIT_ROWS, busy["fit"])
        if busy.get("predict"):
            print(f"  predict, {s['predict_rows']} rows")
            _print_cases(PREDICT_ROWS, busy["predict"])
    print("\ntargets (ratios of medians from this run)")
    for t in result["targets"]:
        verdict = "met" if t["met"] else "NOT MET"
        print(f"  {t['name']:<52}{t['value']:>8.2f}  {t['target']:<7} {verdict}")
