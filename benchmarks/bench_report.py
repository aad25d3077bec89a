"""The benchmark's targets, as ratios of medians from one run, and its printed table."""

from __future__ import annotations

FIT_ROWS = [  # (key in result["fit"], label)
    ("minigenre_elu", "minigenre fit, elu (the study's)"),
    ("minigenre_relu", "minigenre fit, relu"),
    ("keras_first", "Keras fit, first call"),
    ("keras_warm", "Keras fit, warm"),
    ("sklearn_relu", "scikit-learn MLPClassifier, relu"),
    ("floor_6_gemms", "floor: 6 matrix products/batch"),
    ("floor_5_gemms", "floor: the 5 minigenre does"),
]
PREDICT_ROWS = [
    ("minigenre", "minigenre predict"),
    ("keras", "Keras predict, warm"),
    ("sklearn", "scikit-learn predict_proba"),
]


def targets(result: dict) -> list[dict]:
    """The issue's targets, each with its measured value and whether it is met."""
    fit, predict, scaling = result["fit"], result["predict"], result["scaling"]

    def ratio(stats_a, stats_b):
        return stats_a["median"] / stats_b["median"]

    per_sample = [row["us_per_sample"]["median"] for row in scaling]
    drift = max(abs(p / per_sample[0] - 1) for p in per_sample)
    # What fit allocates beyond the data should not grow with the rows: the growth
    # from the smallest to the largest size, as a share of the largest data.
    first, last = scaling[0], scaling[-1]
    growth = (last["fit_extra_mb"] - first["fit_extra_mb"]) / last["data_mb"]
    minigenre = fit["minigenre_elu"]
    rows = [
        ("fit: Keras warm / minigenre", ratio(fit["keras_warm"], minigenre), ">=", 10),
        (
            "fit: scikit-learn / minigenre, relu",
            ratio(fit["sklearn_relu"], fit["minigenre_relu"]),
            ">=",
            2,
        ),
        (
            "fit: minigenre / 6-product floor",
            ratio(minigenre, fit["floor_6_gemms"]),
            "<=",
            2,
        ),
        (
            "fit: minigenre / 5-product floor",
            ratio(minigenre, fit["floor_5_gemms"]),
            "<=",
            2,
        ),
        (
            "predict: Keras / minigenre",
            ratio(predict["keras"], predict["minigenre"]),
            ">=",
            10,
        ),
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
    header = f"{'':<36}{'min':>10}{'median':>10}{'max':>10}   (ms)"
    print(f"\nfit, {s['train_rows']} rows\n{header}")
    for key, label in FIT_ROWS:
        print(f"  {label:<34}{_ms(result['fit'][key])}")
    print(f"\npredict, {s['predict_rows']} rows\n{header}")
    for key, label in PREDICT_ROWS:
        print(f"  {label:<34}{_ms(result['predict'][key])}")
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
    print("\ntargets (ratios of medians from this run)")
    for t in result["targets"]:
        verdict = "met" if t["met"] else "NOT MET"
        print(f"  {t['name']:<42}{t['value']:>8.2f}  {t['target']:<7} {verdict}")
