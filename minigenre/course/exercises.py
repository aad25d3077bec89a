"""The exercises of every tutorial, in order: the function a learner writes, the
check that judges it, and its hints, from a nudge to the answer's shape.

A blank's own message states the task; ``minigenre check NN --hint`` shows each
unfinished exercise's first hint, ``--hint --hint`` the second, and so on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from minigenre.course import checks_audio as audio
from minigenre.course import checks_network as network
from minigenre.course import checks_study as study


@dataclass(frozen=True)
class Exercise:
    """One exercise: ``uses`` names what its check reads from the tutorial file."""

    name: str
    check: Callable
    hints: tuple[str, ...]
    uses: tuple[str, ...] = ()


_E = Exercise
_AUTOGRAD = ("Tensor", "mean")

# Tutorial number -> its exercises in order.
EXERCISES: dict[str, list[Exercise]] = {
    "01": [
        _E("majority_share", study.check_majority_share, (
            "The accuracy of always answering one genre is the share of that genre.",
            "Count each label (np.bincount), take the largest count, divide by len(y).",
        )),
        _E("standardize", study.check_standardize, (
            "Which rows may the mean and standard deviation come from, if the "
            "validation rows stand for songs not yet heard?",
            "mean = x_train.mean(axis=0), std = x_train.std(axis=0); apply both to "
            "both parts.",
        )),
        _E("prior_log_loss", study.check_prior_log_loss, (
            "A model that knows only the genre counts gives every song the same "
            "probabilities: each genre's share.",
            "shares = np.bincount(y, minlength=classes) / len(y); the loss is the "
            "mean of -log(shares[y]).",
        )),
    ],
    "02": [
        _E("relu_backward", network.check_relu_backward, (
            "Start from the gradient at z, the pre-activation: where does ReLU let it "
            "through?",
            "grad_z = G * (z > 0) with z = x @ W + b; then the three products of the "
            "Dense layer's backward pass.",
            "grad_W = x.T @ grad_z, grad_b = grad_z.sum(axis=0), grad_x = grad_z @ W.T",
        )),
        _E("directional_derivative", network.check_directional_derivative, (
            "Two evaluations of f, one on each side of w along d.",
            "(f(w + h * d) - f(w - h * d)) / (2 * h); w + h * d is a new array.",
        )),
        _E("elu_grad_from_output", network.check_elu_grad_from_output, (
            "For z <= 0, ELU's output is exp(z) - 1: what is exp(z) in terms of it?",
            "np.where(out > 0, 1.0, out + 1.0): the output is positive exactly when "
            "z is.",
        )),
    ],
    "03": [
        _E("stable_softmax", network.check_stable_softmax, (
            "exp(1000) overflows; softmax does not change when the same number is "
            "subtracted from a whole row.",
            "e = np.exp(z - z.max(axis=-1, keepdims=True)); e / e.sum(axis=-1, "
            "keepdims=True)",
        )),
        _E("weighted_logit_gradient", network.check_weighted_logit_gradient, (
            "Start from the unweighted gradient (probs - one-hot) / n; a row's weight "
            "multiplies that row's loss.",
            "grad = probs.copy(); grad[range(n), y] -= 1; return grad * w[:, None] / n",
        )),
        _E("untrained_loss", network.check_untrained_loss, (
            "Fresh weights make nearly equal logits: what probability does each "
            "genre get?",
            "Each of 10 genres gets 0.1; the loss is -log(0.1).",
        )),
    ],
    "04": [
        _E("paper_adam", network.check_paper_adam, (
            "m and v both start at 0: both are too small early on, each by its own "
            "factor, and the factors change with every step.",
            "for t, g in enumerate(grads, start=1): update m and v, then "
            "m_hat = m / (1 - beta_1**t), v_hat = v / (1 - beta_2**t).",
            "w = w - lr * m_hat / (np.sqrt(v_hat) + epsilon), epsilon outside the "
            "root.",
        )),
        _E("epsilon_one_first_step", network.check_epsilon_one_first_step, (
            "After one step m = 0.1 g and v = 0.001 g**2; Keras's step is "
            "alpha_1 * m / (sqrt(v) + epsilon).",
            "alpha_1 = 0.001 * sqrt(0.001) / 0.1; compare sqrt(v) = 0.0316 |g| with "
            "epsilon = 1 for each g.",
            "-0.001 * 0.0316 g / (0.0316 |g| + 1), for g = 0.001, 1 and 100.",
        )),
        _E("step_size", network.check_step_size, (
            "Keras folds both bias corrections into one step size alpha_t.",
            "lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)",
        )),
    ],
    "05": [
        _E("recall_per_genre", study.check_recall_per_genre, (
            "A row holds where one true genre's songs went; which entry of it was "
            "right?",
            "np.diag(cm) / cm.sum(axis=1)",
        )),
        _E("most_confused", study.check_most_confused, (
            "The diagonal holds correct predictions; the largest count elsewhere is "
            "the commonest mistake.",
            "off = cm - np.diag(np.diag(cm)); np.unravel_index(off.argmax(), "
            "cm.shape) gives (row, column) = (true, predicted).",
        )),
        _E("swallowing_genre", study.check_swallowing_genre, (
            "A genre that swallows others is predicted for their songs: look down "
            "its column.",
            "Sum each column without its diagonal entry; take the largest.",
        )),
    ],
    "06": [
        _E("numpy_into_keras", study.check_numpy_into_keras, (
            "Train the NumPy model first, then copy its weights into a fresh Keras "
            "model.",
            "study_model(seed=1).fit(x_train, y_train, epochs=1, verbose=0); "
            "numpy_to_keras(trained, build_model(seed=2))",
        )),
        _E("ulp_distance", study.check_ulp_distance, (
            "Adjacent float32 numbers of one sign have adjacent bit patterns.",
            "a.view(np.int32) and b.view(np.int32), as int64, subtracted, absolute.",
        )),
        _E("welch_t", study.check_welch_t, (
            "The difference of the means, in units of its standard error.",
            "(a.mean() - b.mean()) / sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / "
            "len(b))",
        )),
    ],
    "07": [
        _E("train_with_early_stopping", study.check_early_stopping, (
            "Stopping needs something to watch: a validation score per epoch.",
            "network(seed=0).fit(..., epochs=50, validation_data=(x_val, y_val), "
            "callbacks=[EarlyStopping(monitor='val_accuracy', patience=5, "
            "restore_best_weights=True)])",
        )),
        _E("balanced_class_weights", study.check_balanced_class_weights, (
            "A rare genre should weigh more, and a row's weight should be 1 on "
            "average, so the loss keeps its scale.",
            "counts = np.bincount(y); len(y) / (len(counts) * counts)",
        )),
        _E("macro_recall", study.check_macro_recall, (
            "Each genre's recall counts equally, however many songs it has.",
            "For each genre c present in y_true: mean(y_pred[y_true == c] == c); "
            "then the mean of those.",
        )),
    ],
    "08": [
        _E("loudest_band", audio.check_loudest_band, (
            "The first 24 features are the mean loudness of the 24 Bark bands.",
            "np.argmax(extract_features(y, sr=44100)[:24]) + 1: bands count from 1.",
        )),
        _E("frame_count", audio.check_frame_count, (
            "A frame must fit whole inside the signal; frames start every hop.",
            "0 if n < frame, else 1 + (n - frame) // hop",
        )),
        _E("power_to_db", audio.check_power_to_db, (
            "Decibels compare powers on a log scale, relative to a reference.",
            "10 * np.log10(power / ref)",
        )),
    ],
    "09": [
        _E("tensor_tanh", network.check_tensor_tanh, (
            "Like expm1, tanh's derivative can be written with its own output.",
            "out = np.tanh(a.value); Tensor(out, (a,), (lambda g: g * (1 - out**2),))",
        ), _AUTOGRAD),
        _E("tensor_mul", network.check_tensor_mul, (
            "Each factor's gradient is g times the other factor; b may have been "
            "broadcast.",
            "vjps: lambda g: unbroadcast(g * b.value, a.value.shape), and the same "
            "with a and b swapped.",
        ), (*_AUTOGRAD, "unbroadcast")),
        _E("tensor_div", network.check_tensor_div, (
            "a / b: the derivative by a is 1 / b; by b, differentiate b**-1.",
            "vjps: g / b.value and -g * a.value / b.value**2",
        ), _AUTOGRAD),
    ],
}  # fmt: skip
