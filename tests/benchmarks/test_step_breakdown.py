"""benchmarks/step_breakdown.py: one row per part, never its timings."""

import pytest
import step_breakdown  # benchmarks/: tests/conftest.py puts it on the path

pytest.importorskip("numba")


def test_a_run_prints_every_part_per_step(capsys):
    step_breakdown.main(["--rounds", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("load average at the end ")
    assert lines[1].split() == ["part", "ms/440", "steps", "us/step"]
    parts = {line[:40].strip(): line[40:].split() for line in lines[2:]}
    assert list(parts) == [
        "fit, 4 epochs", "fit, 0 epochs (checks, build, probes)", "whole step",
        "5 matrix products", "forward + backward", "Adam apply_gradients",
        "weights check (vdot)", "Adam with both checks (the step's)",
        "loop: batches + running logs", "steps on 4 epochs' shuffled batches",
        "steps on one batch, gathered each time",
    ]  # fmt: skip
    for total, per_step in parts.values():
        assert float(total) > 0
        assert float(per_step) == pytest.approx(
            float(total) * 1e3 / 440, abs=0.2
        )  # both rounded
