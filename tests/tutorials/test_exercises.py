"""The exercises: every blank states its task, every solution passes, and each
planted wrong answer gets the hint meant for it.

A tutorial's exercises are loaded as ``minigenre check`` loads them
(``course.load_definitions``: the exercises' functions and what they use, in the
tutorial's prepared data), here in this process; the solutions file is loaded after
the tutorial, as ``--answers`` would.
"""

import importlib.util
import textwrap
from pathlib import Path

import numpy as np
import pytest

from minigenre import course

TUTORIALS_DIR = Path(__file__).resolve().parents[2] / "tutorials"
SOLUTIONS_DIR = TUTORIALS_DIR / "solutions"
HAS_TF = importlib.util.find_spec("tensorflow") is not None
HAS_AUDIO = all(importlib.util.find_spec(m) for m in ("librosa", "soundfile"))
# The exercises whose check needs an extra.
NEEDS = {"numpy_into_keras": "tensorflow", "loudest_band": "audio"}
ALL = [
    (f"{n:02d}", name) for n in range(1, 10) for name in course.exercises(f"{n:02d}")
]
_counts = {"blank": 0, "solution": 0, "planted": 0}


def _file(folder: Path, number: str) -> Path:
    (path,) = folder.glob(f"{number}_*.py")
    return path


def _skip_without_extra(name: str) -> None:
    extra = NEEDS.get(name)
    if extra == "tensorflow" and not HAS_TF:
        pytest.skip('needs TensorFlow: pip install "minigenre[reference]"')
    if extra == "audio" and not HAS_AUDIO:
        pytest.skip('needs librosa and soundfile: pip install "minigenre[audio]"')


def _params():
    marks = {"tensorflow": pytest.mark.tensorflow, "audio": pytest.mark.audio}
    return [
        pytest.param(n, name, id=f"{n}-{name}",
                     marks=[marks[NEEDS[name]]] if name in NEEDS else [])
        for n, name in ALL
    ]  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def _report_counts(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not any(_counts.values()):
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(
            f"\nexercises: {_counts['blank']} blanks failed with their task, "
            f"{_counts['solution']} solutions passed, {_counts['planted']} planted "
            "wrong answers got their hint"
        )


def test_at_least_three_exercises_per_tutorial_each_with_hints():
    for number in [f"{n:02d}" for n in range(1, 10)]:
        assert len(course.exercises(number)) >= 3, number
    assert len(ALL) >= 27
    for _, name in ALL:
        assert len(course.hints(name)) >= 2, name


@pytest.mark.parametrize(("number", "name"), _params())
def test_blank_states_its_task(number, name):
    _skip_without_extra(name)
    path = _file(TUTORIALS_DIR, number)
    namespace, error = course.load_definitions(number, [path], [name])
    assert error == ""
    (result,) = [r for r in course.check_tutorial(number, namespace) if r.name == name]
    assert result.status == "not yet", result
    assert result.message.startswith(f"not implemented yet: {name}(")
    assert "hint" not in result.message  # the hints come on request, in levels
    _counts["blank"] += 1


@pytest.mark.parametrize(("number", "name"), _params())
def test_solution_passes(number, name):
    _skip_without_extra(name)
    files = [_file(TUTORIALS_DIR, number), _file(SOLUTIONS_DIR, number)]
    namespace, error = course.load_definitions(number, files, [name])
    assert error == ""
    (result,) = [r for r in course.check_tutorial(number, namespace) if r.name == name]
    assert result.status == "passed", result
    _counts["solution"] += 1


# --- planted wrong answers: (exercise, its code, a piece of the hint it must get) ---
PLANTED = [
    ("majority_share", "return np.bincount(y).max()", "returned the count"),
    ("standardize",
     "both = np.concatenate([a, b]); m, s = both.mean(0), both.std(0)\n"
     "return (a - m) / s, (b - m) / s", "include the validation rows"),
    ("standardize", "return (a - a.mean(0)) / a.std(0), (b - b.mean(0)) / b.std(0)",
     "their own statistics"),
    ("standardize",
     "m, s = a.mean(0), a.std(0, ddof=1)\nreturn (a - m) / s, (b - m) / s", "ddof=1"),
    ("standardize",
     "m, s = a.mean(0), a.std(0)\nreturn (a - m) / s, (b - m) / s", "never change"),
    ("prior_log_loss", "return np.log(classes)", "uniform guess"),
    ("relu_backward",
     "z = x @ W + b; gz = G * (z > 0)\nreturn x.T @ gz, gz.mean(axis=0), gz @ W.T",
     "grad_b is the mean over the batch"),
    ("relu_backward",
     "gz = G * (G > 0)\nreturn x.T @ gz, gz.sum(axis=0), gz @ W.T",
     "masks where G > 0"),
    ("relu_backward", "return x.T @ G, G.sum(axis=0), G @ W.T", "ignores the ReLU"),
    ("relu_backward",
     "gz = G * (x @ W + b > 0)\nreturn gz.T @ x, gz.sum(axis=0), gz @ W.T",
     "grad_W has shape (2, 4); expected (4, 2)"),
    ("directional_derivative", "return (f(w + h * d) - f(w)) / h", "one-sided"),
    ("directional_derivative", "return (f(w + h * d) - f(w - h * d)) / h",
     "twice the derivative"),
    ("elu_grad_from_output", "return np.where(out > 0, 1.0, np.exp(out))",
     "exp(output) is not exp(z)"),
    ("stable_softmax", "e = np.exp(z)\nreturn e / e.sum(axis=-1, keepdims=True)",
     "rows [1, 2] hold nan or inf"),
    ("weighted_logit_gradient",
     "g = probs.copy(); g[np.arange(len(y)), y] -= 1\nreturn g * w[:, None] / w.sum()",
     "not by w.sum()"),
    ("untrained_loss", "return 0.1", "the loss is minus its logarithm"),
    ("untrained_loss", "return np.log10(10)", "log base 10"),
    ("paper_adam", "return _adam(w, grads, lr, beta_1, beta_2, epsilon, fix=(1, 0))",
     "only m is corrected"),
    ("paper_adam", "return _adam(w, grads, lr, beta_1, beta_2, epsilon, fix=(0, 0))",
     "no bias correction"),
    ("paper_adam", "return _adam(w, grads, lr, beta_1, beta_2, epsilon, stuck=True)",
     "is t incremented at every step?"),
    ("epsilon_one_first_step", "return np.full(3, -0.001)",
     "epsilon is negligible"),
    ("step_size", "return 0.001 * (1 - 0.999**t) / (1 - 0.9**t)", "the square root"),
    ("step_size", "return 0.001 * np.sqrt(1 - 0.9**t) / (1 - 0.999**t)", "swapped"),
    ("recall_per_genre", "return np.diag(cm) / cm.sum(axis=0)", "that is precision"),
    ("most_confused",
     "off = cm - np.diag(np.diag(cm))\n"
     "r, c = np.unravel_index(off.argmax(), cm.shape)\n"
     "return names[c], names[r]", "rows are the true genre"),
    ("swallowing_genre",
     "return names[int((cm.sum(axis=1) - np.diag(cm)).argmax())]", "counts rows"),
    ("ulp_distance", "return np.abs(a - b)", "difference in value"),
    ("welch_t",
     "return (a.mean() - b.mean()) / np.sqrt(a.var() / len(a) + b.var() / len(b))",
     "n - 1"),
    ("balanced_class_weights", "return 1 / np.bincount(y)", "mean weight per row"),
    ("macro_recall", "return np.mean(y_true == y_pred)", "that is accuracy"),
    ("frame_count", "return n // hop", "a frame must fit whole"),
    ("power_to_db", "return 20 * np.log10(power / ref)", "20 log10 is for amplitudes"),
    ("train_with_early_stopping",
     "model = network(seed=0)\n"
     "return model, model.fit(x_train, y_train, epochs=2, verbose=0)",
     "the history has no val_accuracy"),
    ("numpy_into_keras",
     "trained = study_model(seed=1)\ntrained.build(x_train.shape[1])\n"
     "fresh = build_model(seed=2)\nnumpy_to_keras(trained, fresh)\n"
     "return trained, fresh",
     "look untrained"),
    ("loudest_band", "return int(np.argmax(extract_features(y, sr=SR)[:24]))",
     "counted from 0"),
    ("tensor_tanh",
     "return Tensor(np.tanh(a.value), (a,), (lambda g: g * (1 - a.value**2),))",
     "1 - x**2"),
    ("tensor_mul",
     "return Tensor(a.value * b.value, (a, b),\n"
     "              (lambda g: g * b.value, lambda g: g * a.value))",
     "broadcast b along the batch"),
    ("tensor_div",
     "return Tensor(a.value / b.value, (a, b),\n"
     "              (lambda g: g / b.value, lambda g: -g * a.value / b.value))",
     "the square is missing"),
]  # fmt: skip
SIGNATURES = {
    "majority_share": "y", "standardize": "a, b", "prior_log_loss": "y, classes",
    "relu_backward": "x, W, b, G", "directional_derivative": "f, w, d, h=1e-6",
    "elu_grad_from_output": "out", "stable_softmax": "z",
    "weighted_logit_gradient": "y, probs, w", "untrained_loss": "",
    "paper_adam": "w, grads, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8",
    "epsilon_one_first_step": "", "step_size": "t", "recall_per_genre": "cm",
    "most_confused": "cm, names", "swallowing_genre": "cm, names",
    "ulp_distance": "a, b", "welch_t": "a, b", "balanced_class_weights": "y",
    "macro_recall": "y_true, y_pred", "frame_count": "n, frame, hop",
    "power_to_db": "power, ref", "tensor_tanh": "a", "tensor_mul": "a, b",
    "tensor_div": "a, b", "train_with_early_stopping": "", "numpy_into_keras": "",
    "loudest_band": "y",
}  # fmt: skip
# What a planted answer uses from its tutorial, beyond the prepared data.
USES = {"train_with_early_stopping": ["network"],
        "numpy_into_keras": ["study_model", "build_model", "numpy_to_keras"],
        "loudest_band": ["extract_features", "SR"]}  # fmt: skip


def _adam(w, grads, lr, beta_1, beta_2, epsilon, fix=(1, 1), stuck=False):
    """The paper's Adam with a slip: a correction left out, or t never advanced."""
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        step = 1 if stuck else t
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        m_hat = m / (1 - beta_1**step) if fix[0] else m
        v_hat = v / (1 - beta_2**step) if fix[1] else v
        w = w - lr * m_hat / (np.sqrt(v_hat) + epsilon)
    return w


def _planted():
    marks = {"tensorflow": pytest.mark.tensorflow, "audio": pytest.mark.audio}
    return [
        pytest.param(name, body, hint, id=f"{name}-{i}",
                     marks=[marks[NEEDS[name]]] if name in NEEDS else [])
        for i, (name, body, hint) in enumerate(PLANTED)
    ]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "hint"), _planted())
def test_a_planted_wrong_answer_gets_its_hint(name, body, hint):
    _skip_without_extra(name)
    number = next(n for n, e in ALL if e == name)
    path = _file(TUTORIALS_DIR, number)
    uses = [name, *USES.get(name, [])]
    namespace, _ = course.load_definitions(number, [path], uses)
    namespace.update(np=np, _adam=_adam)
    source = f"def {name}({SIGNATURES[name]}):\n{textwrap.indent(body, '    ')}\n"
    exec(compile(source, "planted.py", "exec"), namespace)
    result = course.judge(number, name, namespace[name], namespace)
    assert result.status == "wrong", result
    assert hint in result.message, result
    _counts["planted"] += 1


def test_every_exercise_has_a_planted_wrong_answer():
    planted = {name for name, _, _ in PLANTED}
    assert [name for _, name in ALL if name not in planted] == []
