"""benchmarks/thread_rule.py at a tiny size: its table, never its timings."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "thread_rule.py"


def load_script():
    spec = importlib.util.spec_from_file_location("thread_rule_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_tiny_run_prints_one_row_per_size(capsys, monkeypatch):
    script = load_script()
    monkeypatch.setattr(script, "SIZES", [(16, 8), (32, 64)])
    script.main(["--rounds", "1", "--reps", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert "multiply-adds" in lines[0]
    rows = [line.split() for line in lines[1:]]
    assert [(row[0], row[1], row[2]) for row in rows] == [
        ("16", "8", "2**11.0"),
        ("32", "64", "2**16.0"),
    ]
    for row in rows:  # milliseconds on one thread, on two, and their ratio
        assert all(float(value) > 0 for value in row[3:])
