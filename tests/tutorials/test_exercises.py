"""The exercises: every blank says what to write, every solution passes, and common
wrong answers get the hint meant for them.

Each tutorial runs once, in this process (``course.run_tutorial``, quietly, as
``minigenre check`` runs it); its solutions file then runs in a copy of its
variables, as ``minigenre check NN --answers FILE`` would.
"""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from minigenre import course

TUTORIALS_DIR = Path(__file__).resolve().parents[2] / "tutorials"
SOLUTIONS_DIR = TUTORIALS_DIR / "solutions"
HAS_TF = importlib.util.find_spec("tensorflow") is not None
_NEEDS_TF = re.compile(r'^requires\("tensorflow"\)', re.M)
HAS_AUDIO = all(importlib.util.find_spec(m) for m in ("librosa", "soundfile"))
_NEEDS_AUDIO = re.compile(r'^requires\("librosa"', re.M)

_runs: dict[str, dict] = {}
_outcomes: dict[str, list[str]] = {"blank": [], "solution": []}


def _tutorial(number: str) -> Path:
    (path,) = TUTORIALS_DIR.glob(f"{number}_*.py")
    return path


def _params() -> list:
    params = []
    for path in sorted(TUTORIALS_DIR.glob("[0-9][0-9]_*.py")):
        marks = [pytest.mark.slow]
        if _NEEDS_TF.search(path.read_text()):
            marks.append(pytest.mark.tensorflow)
        if _NEEDS_AUDIO.search(path.read_text()):
            marks.append(pytest.mark.audio)
        for name in course.exercises(path.name[:2]):
            param_id = f"{path.name[:2]}-{name}"
            params.append(pytest.param(path.name[:2], name, marks=marks, id=param_id))
    return params


def _variables(number: str) -> dict:
    """The tutorial's variables after a quiet run (its blanks still in place)."""
    path = _tutorial(number)
    if _NEEDS_TF.search(path.read_text()) and not HAS_TF:
        pytest.skip('needs TensorFlow: pip install "minigenre[reference]"')
    if _NEEDS_AUDIO.search(path.read_text()) and not HAS_AUDIO:
        pytest.skip('needs librosa and soundfile: pip install "minigenre[audio]"')
    if number not in _runs:
        _runs[number] = course.run_tutorial(path)
    return _runs[number]


@pytest.fixture(scope="module", autouse=True)
def _report_counts(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not any(_outcomes.values()):
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(
            f"exercises: {len(_outcomes['blank'])} blanks answered 'not yet' with "
            f"their hint; {len(_outcomes['solution'])} solutions passed"
        )


@pytest.mark.parametrize(("number", "name"), _params())
def test_blank_says_what_to_write(number, name):
    (result,) = [
        r for r in course.check_tutorial(number, _variables(number)) if r.name == name
    ]
    assert result.status == "not yet", result
    assert result.message.startswith(f"not implemented yet: {name}(")
    assert "(hint: " in result.message
    _outcomes["blank"].append(name)


@pytest.mark.parametrize(("number", "name"), _params())
def test_solution_passes(number, name):
    (solution,) = SOLUTIONS_DIR.glob(f"{number}_*.py")
    solved = dict(_variables(number))  # a copy: the blanks stay for the other test
    exec(compile(solution.read_text(), str(solution), "exec"), solved)
    (result,) = [r for r in course.check_tutorial(number, solved) if r.name == name]
    assert result.status == "passed", result
    _outcomes["solution"].append(name)


def test_every_blank_is_an_exercise_with_a_solution():
    blank = re.compile(r"^def (\w+)\(.*\):\n    raise NotImplementedError\(", re.M)
    for path in sorted(TUTORIALS_DIR.glob("[0-9][0-9]_*.py")):
        names = blank.findall(path.read_text())
        assert names == course.exercises(path.name[:2]), path.name
        if names:
            (solution,) = SOLUTIONS_DIR.glob(f"{path.name[:2]}_*.py")
            defined = re.findall(r"^def (\w+)\(", solution.read_text(), re.M)
            assert set(names) <= set(defined), solution.name
            # The learner's file never holds the answer.
            assert "solutions/" in path.read_text()


# --- wrong answers get the hint meant for them -------------------------------------
# Each function is named after its exercise, so `course.check` finds its check.


def test_a_backward_pass_without_the_relu_mask_is_told_so():
    def relu_backward(x, W, b, G):
        return x.T @ G, G.sum(axis=0), G @ W.T

    result = course.check(relu_backward)
    assert result.status == "wrong"
    assert "ignores the ReLU" in result.message


def test_a_transposed_kernel_gradient_is_told_the_expected_shape():
    def relu_backward(x, W, b, G):
        grad_z = G * (x @ W + b > 0)
        return grad_z.T @ x, grad_z.sum(axis=0), grad_z @ W.T

    result = course.check(relu_backward)
    assert result.status == "wrong"
    assert "grad_W has shape (2, 4); expected (4, 2)" in result.message


def test_a_one_sided_difference_is_told_to_be_central():
    def directional_derivative(f, w, d, h=1e-6):
        return (f(w + h * d) - f(w)) / h

    assert "one-sided" in course.check(directional_derivative).message


def test_a_softmax_without_the_shift_is_told_to_subtract_the_maximum():
    def stable_softmax(z):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

    result = course.check(stable_softmax)
    assert result.status == "wrong"
    assert "rows [1, 2] hold nan or inf" in result.message
    assert "maximum" in result.message


def test_dividing_by_the_sum_of_the_weights_is_told_keras_does_not():
    def weighted_logit_gradient(y, probs, w):
        grad = probs.copy()
        grad[np.arange(len(y)), y] -= 1
        return grad * w[:, None] / w.sum()

    assert "not by w.sum()" in course.check(weighted_logit_gradient).message


def test_adam_without_bias_correction_is_told_so():
    def paper_adam(w, grads, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        m, v = np.zeros_like(w), np.zeros_like(w)
        for g in grads:
            m = beta_1 * m + (1 - beta_1) * g
            v = beta_2 * v + (1 - beta_2) * g**2
            w = w - lr * m / (np.sqrt(v) + epsilon)
        return w

    assert "no bias correction" in course.check(paper_adam).message


def test_precision_instead_of_recall_is_told_so():
    def recall_per_genre(cm):
        return np.diag(cm) / cm.sum(axis=0)

    assert "that is precision" in course.check(recall_per_genre).message


def test_a_swapped_confusion_is_told_which_axis_is_which():
    def most_confused(cm, names):
        off = cm - np.diag(np.diag(cm))
        row, column = np.unravel_index(off.argmax(), cm.shape)
        return names[column], names[row]

    assert "rows are the true genre" in course.check(most_confused).message


def test_a_band_counted_from_zero_is_told_to_add_one():
    pytest.importorskip("librosa", reason='needs "minigenre[audio]"')
    from minigenre.audio import extract_features

    def loudest_band(y):
        return int(np.argmax(extract_features(y, sr=44100)[:24]))

    result = course.check(loudest_band)
    assert result.status == "wrong"
    assert "counted from 0" in result.message


def test_code_that_raises_is_wrong_with_its_error_and_line():
    def majority_share(y):
        return y.no_such_attribute

    result = course.check(majority_share)
    assert result.status == "wrong"
    assert re.search(r"your code raised AttributeError \(line \d+\)", result.message)
