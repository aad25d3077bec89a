"""benchmarks/thread_rule.py at a tiny size: its table, never its timings."""

import thread_rule  # benchmarks/: tests/conftest.py puts it on the path


def test_a_tiny_run_prints_one_row_per_size(capsys, monkeypatch):
    monkeypatch.setattr(thread_rule, "SIZES", [(16, 8), (32, 64)])
    thread_rule.main(["--rounds", "1", "--reps", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert "multiply-adds" in lines[0]
    rows = [line.split() for line in lines[1:]]
    assert [(row[0], row[1], row[2]) for row in rows] == [
        ("16", "8", "2**11.0"),
        ("32", "64", "2**16.0"),
    ]
    for row in rows:  # milliseconds on one thread, on two, and their ratio
        assert all(float(value) > 0 for value in row[3:])
