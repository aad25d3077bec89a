"""benchmarks/thread_rule.py at a tiny size: its table, never its timings."""

import importlib.util

import thread_rule  # benchmarks/: tests/conftest.py puts it on the path


def test_a_tiny_run_prints_one_row_per_size(capsys, monkeypatch):
    monkeypatch.setattr(thread_rule, "SIZES", [(16, 8), (32, 64)])
    monkeypatch.setattr(thread_rule, "STUDY_CHUNKS", [32, 6544])
    thread_rule.main(["--rounds", "1", "--reps", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert "multiply-adds" in lines[0]
    rows = [(line[:26].strip(), line[26:].split()) for line in lines[1:]]
    expected = [("Dense(16), 8 rows", "2**11.0"), ("Dense(32), 64 rows", "2**16.0")]
    expected += [("study, chunks 32", "2**20.0"), ("study, chunks 6544", "2**27.7")]
    if importlib.util.find_spec("numba") is not None:  # the compiled forward too
        expected += [("study, chunks 32, jit", "2**20.0")]
        expected += [("study, chunks 6544, jit", "2**27.7")]
    assert [(label, values[0]) for label, values in rows] == expected
    for _, values in rows:  # milliseconds on one thread, on two, and their ratio
        assert all(float(value) > 0 for value in values[1:])


def test_the_count_is_restored_after_a_run(monkeypatch):
    from minigenre import get_blas_threads

    monkeypatch.setattr(thread_rule, "SIZES", [(16, 8)])
    monkeypatch.setattr(thread_rule, "STUDY_CHUNKS", [])
    thread_rule.main(["--rounds", "1", "--reps", "1"])
    assert get_blas_threads() is None
