"""benchmarks/default_gap.py: its cases change no number, and each leaves out what
it says; the timings themselves are never asserted."""

import default_gap  # benchmarks/: tests/conftest.py puts it on the path
import numpy as np

from minigenre import train_step
from minigenre.optimizers import adam


def test_the_buffered_update_gives_update_steps_bits():
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        w, g, m = (rng.standard_normal(1000).astype(dtype) for _ in range(3))
        v = np.abs(rng.standard_normal(1000)).astype(dtype)
        readable, buffered = adam.Adam(), adam.Adam()
        mine = [a.copy() for a in (w, g, m, v)]
        theirs = [a.copy() for a in (w, g, m, v)]
        alpha = dtype(3e-4)
        for _ in range(3):
            readable.update_step(*mine, alpha)
            default_gap.buffered_update_step(buffered, *theirs, alpha)
        for a, b in zip(mine, theirs, strict=True):
            assert a.dtype == b.dtype
            assert a.tobytes() == b.tobytes()


def passes(check_gradient) -> bool:
    """Whether ``check_gradient`` lets an inf gradient through."""
    try:
        check_gradient(np.array([np.inf]))
    except ValueError:
        return False
    return True


def test_each_case_leaves_out_its_part_and_puts_it_back():
    seen = {}
    original = adam.Adam.update_step, adam.check_gradient, train_step.all_finite
    for name, (context, metrics) in default_gap.cases().items():
        with context():
            seen[name] = (
                adam.Adam.update_step is default_gap.buffered_update_step,
                passes(adam.check_gradient),
                train_step.all_finite(np.array([np.inf])),
                metrics,
            )
    assert (adam.Adam.update_step, adam.check_gradient, train_step.all_finite) == (
        original
    )
    accuracy = ["accuracy"]
    assert seen == {
        "default fit (jit_compile=False)": (False, False, False, accuracy),
        "  Adam into buffers": (True, False, False, accuracy),
        "  no checks": (False, True, True, accuracy),
        "  no accuracy": (False, False, False, []),
        "  all three left out": (True, True, True, []),
    }


def test_every_case_trains_the_default_fits_weights(blobs):
    x, y = blobs
    weights = [
        default_gap.fit(x, y, 0, *way)[1] for way in default_gap.cases().values()
    ]
    for other in weights[1:]:
        for a, b in zip(weights[0], other, strict=True):
            assert np.array_equal(a, b)


def test_a_run_prints_every_case(capsys):
    default_gap.main(["--reps", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("load average at the start ")
    assert lines[1] == "every case's weights bit-identical to the default fit's: True"
    assert lines[3].split() == ["case", "ms", "/", "tight", "saves", "ms", "us/step"]
    names = [line[:36].strip() for line in lines[4:]]
    assert names == [name.strip() for name in default_gap.cases()] + [
        "tight NumPy loop, 1 thread"
    ]
    for line in lines[4:]:
        ms, ratio, _, _ = (float(v) for v in line[36:].split())
        assert ms > 0
        assert ratio > 0
    assert lines[-1][36:].split()[1] == "1.000"  # the tight loop over itself
