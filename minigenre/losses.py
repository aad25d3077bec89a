"""The cross-entropies of a classifier, computed the way Keras computes them.

* sparse categorical: integer labels ``y``, class probabilities ``p``: ``-log p[y]``;
* categorical: one-hot (or soft) labels ``y``, (batch, classes): ``-sum(y log p)``;
* binary: labels 0/1 per output (binary or multi-label): the mean over the outputs
  of ``-(y log p + (1 - y) log(1 - p))``.

The batch loss is the mean over samples (Keras's ``"sum_over_batch_size"``
reduction), weighted per sample when class weights are given. Each loss object
also knows the activation it fuses with (softmax, sigmoid): a model whose last
layer has it takes the loss from the logits, as Keras does.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike, NDArray

from minigenre.training.checks import check_labels, check_targets

EPSILON = 1e-7  # keras.backend.epsilon(): probabilities are clipped to [eps, 1 - eps]


def log_softmax(logits: NDArray) -> NDArray:
    """``log(softmax(logits))`` without ever forming a probability that underflows.

    ``z - max - log(sum(exp(z - max)))``: the largest shifted logit is 0, so the sum is
    at least 1 and its log finite for logits of any size.
    """
    with np.errstate(over="ignore"):  # a span beyond float max gives -inf: exp 0
        shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def sparse_categorical_crossentropy(
    y_true: NDArray, y_pred: NDArray, from_logits: bool = False
) -> NDArray:
    """Per-sample cross-entropy ``-log p[y]`` for integer labels.

    Mirrors ``keras.losses.sparse_categorical_crossentropy``: with ``from_logits=False``
    the probabilities are clipped to ``[1e-7, 1 - 1e-7]`` and, through their logs,
    renormalised to sum to 1; with ``from_logits=True`` the stable log-softmax is used.

    Args:
        y_true: Integer labels, shape (batch,) or (batch, 1).
        y_pred: Probabilities, or logits if ``from_logits``, shape (batch, classes).
        from_logits: Whether ``y_pred`` holds logits.

    Returns:
        The loss of each sample, shape (batch,).

    >>> p = np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]])
    >>> sparse_categorical_crossentropy(np.array([0, 1]), p).round(4)
    array([0.6931, 0.2231])
    """
    y_true = np.asarray(y_true).reshape(-1).astype(np.intp)
    y_pred = np.asarray(y_pred)
    if y_pred.ndim != 2 or len(y_true) != len(y_pred):
        raise ValueError(
            "Expected y_pred of shape (batch, classes) and y_true of shape (batch,). "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"
        )
    if not from_logits:
        # Keras: log of the clipped probabilities, treated as logits.
        y_pred = np.log(np.clip(y_pred, EPSILON, 1 - EPSILON))
    log_p = log_softmax(y_pred)  # (batch, classes)
    return -log_p[np.arange(len(y_true)), y_true]


def softmax_crossentropy(y_true: NDArray, logits: NDArray) -> tuple[NDArray, NDArray]:
    """Softmax probabilities and per-sample cross-entropy, from logits, in one go.

    Both begin with ``shifted = logits - max`` and ``total = sum(exp(shifted))``, so
    they share that work: the probabilities are ``exp(shifted) / total``, the same
    values as ``activations.softmax(logits)``, and the loss ``log(total) -
    shifted[y]``, the same as ``sparse_categorical_crossentropy(y, logits,
    from_logits=True)``. Keras also takes a softmax output's loss from its logits.

    Args:
        y_true: Integer labels, shape (batch,).
        logits: Pre-softmax outputs, shape (batch, classes).

    Returns:
        ``(probabilities (batch, classes), losses (batch,))``.

    >>> probs, loss = softmax_crossentropy(np.array([0]), np.array([[0.0, 0.0]]))
    >>> probs, loss.round(4)
    (array([[0.5, 0.5]]), array([0.6931]))
    """
    shifted = logits - logits.max(axis=-1, keepdims=True)  # (batch, classes)
    exp = np.exp(shifted)
    total = exp.sum(axis=-1, keepdims=True)  # (batch, 1), at least 1
    loss = np.log(total[:, 0]) - shifted[np.arange(len(shifted)), y_true]
    return exp / total, loss


def softmax_crossentropy_grad(
    y_true: NDArray, probs: NDArray, sample_weight: NDArray | None = None
) -> NDArray:
    """dL/dlogits of the mean cross-entropy of a softmax: ``(p - onehot) / n``.

    Valid only for a softmax output feeding categorical cross-entropy: the softmax
    Jacobian ``p_i (delta_ij - p_j)`` times the loss gradient ``-onehot_j / p_j``
    collapses to ``p_i - onehot_i``, with no division by a tiny ``p``. This is what
    Keras computes too: its softmax output carries the logits, and the loss is taken
    from them.

    Args:
        y_true: Integer labels, shape (batch,).
        probs: Softmax outputs, shape (batch, classes).
        sample_weight: Optional per-sample weights, shape (batch,).

    Returns:
        The gradient with respect to the logits, shape (batch, classes).
    """
    n = len(probs)
    grad = probs.copy()  # (batch, classes)
    grad[np.arange(n), y_true] -= 1
    if sample_weight is not None:
        grad *= sample_weight[:, None]
    grad /= n  # the mean over the batch ("sum_over_batch_size")
    return grad


class SparseCategoricalCrossentropy:
    """The loss as an object, like ``keras.losses.SparseCategoricalCrossentropy``.

    Calling it returns the batch mean; ``gradient`` returns dL/dy_pred.

    Args:
        from_logits: Whether predictions are logits rather than probabilities.

    >>> loss = SparseCategoricalCrossentropy()
    >>> round(float(loss(np.array([0]), np.array([[0.5, 0.5]]))), 4)
    0.6931
    """

    name = "sparse_categorical_crossentropy"
    fuses_with = "softmax"  # a softmax output's loss comes from its logits

    def __init__(self, from_logits: bool = False) -> None:
        self.from_logits = from_logits

    def check_targets(self, y, n_outputs, n_rows, dtype: DTypeLike, name="y"):
        """Integer labels (n,), each in ``[0, n_outputs)``."""
        return check_labels(y, name, n_classes=n_outputs, n_rows=n_rows)

    def per_sample(self, y_true: NDArray, y_pred: NDArray) -> NDArray:
        """Each row's loss (batch,) from the output (probabilities or logits)."""
        return sparse_categorical_crossentropy(y_true, y_pred, self.from_logits)

    def from_logits_output(self, y_true: NDArray, logits: NDArray):
        """``(softmax(logits), each row's loss)`` in one go (the fused path)."""
        return softmax_crossentropy(y_true, logits)

    def logits_gradient(self, y_true, probs, sample_weight=None) -> NDArray:
        """dL/dlogits of the fused path, ``(p - onehot) / n``."""
        return softmax_crossentropy_grad(y_true, probs, sample_weight)

    def __call__(
        self, y_true: NDArray, y_pred: NDArray, sample_weight: NDArray | None = None
    ) -> np.floating:
        losses = sparse_categorical_crossentropy(y_true, y_pred, self.from_logits)
        if sample_weight is not None:
            losses = losses * sample_weight
        return losses.mean()  # Keras divides by the batch size, weighted or not

    def gradient(
        self, y_true: NDArray, y_pred: NDArray, sample_weight: NDArray | None = None
    ) -> NDArray:
        """dL/dy_pred of the weighted batch mean, shape (batch, classes)."""
        y_true = np.asarray(y_true).reshape(-1).astype(np.intp)
        n = len(y_pred)
        if self.from_logits:
            probs = np.exp(log_softmax(y_pred))
            return softmax_crossentropy_grad(y_true, probs, sample_weight)
        # L = -log(clip(p)[y]) + log(sum(clip(p))): the second term is Keras's
        # renormalisation; the clip passes no gradient outside [eps, 1 - eps].
        clipped = np.clip(y_pred, EPSILON, 1 - EPSILON)
        inside = (y_pred >= EPSILON) & (y_pred <= 1 - EPSILON)
        grad = np.broadcast_to(1 / clipped.sum(axis=-1, keepdims=True), y_pred.shape)
        grad = grad.copy()
        grad[np.arange(n), y_true] -= 1 / clipped[np.arange(n), y_true]
        grad *= inside
        if sample_weight is not None:
            grad *= sample_weight[:, None]
        return grad / n

    def __repr__(self) -> str:
        return f"SparseCategoricalCrossentropy(from_logits={self.from_logits})"


def categorical_crossentropy(
    y_true: NDArray, y_pred: NDArray, from_logits: bool = False
) -> NDArray:
    """Per-sample cross-entropy ``-sum(y * log p)`` for one-hot (or soft) labels.

    Mirrors ``keras.losses.categorical_crossentropy``: with ``from_logits=False``
    the rows of ``y_pred`` are divided by their sums, clipped to ``[1e-7, 1 -
    1e-7]`` and their logs taken; with ``from_logits=True`` the stable log-softmax.

    Args:
        y_true: Labels, (batch, classes), e.g. ``keras.utils.to_categorical(y)``.
        y_pred: Probabilities, or logits if ``from_logits``, (batch, classes).

    Returns:
        The loss of each sample, shape (batch,).

    >>> p = np.array([[0.5, 0.25, 0.25]])
    >>> categorical_crossentropy(np.array([[1.0, 0.0, 0.0]]), p).round(4)
    array([0.6931])
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_pred.ndim != 2:
        raise ValueError(
            "Expected y_true and y_pred of the same shape (batch, classes). "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"
        )
    if from_logits:
        return -(y_true * log_softmax(y_pred)).sum(axis=-1)
    y_pred = y_pred / y_pred.sum(axis=-1, keepdims=True)  # rows sum to 1
    return -(y_true * np.log(np.clip(y_pred, EPSILON, 1 - EPSILON))).sum(axis=-1)


def softmax_categorical_crossentropy(y_true: NDArray, logits: NDArray):
    """``(softmax(logits), -sum(y * log_softmax(logits)))`` sharing their work, as
    TensorFlow's ``softmax_cross_entropy_with_logits``, which Keras calls for a
    softmax output: (batch, classes), (batch,)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)  # (batch, classes)
    exp = np.exp(shifted)
    total = exp.sum(axis=-1, keepdims=True)  # (batch, 1), at least 1
    loss = (y_true * (np.log(total) - shifted)).sum(axis=-1)
    return exp / total, loss


def binary_crossentropy(
    y_true: NDArray, y_pred: NDArray, from_logits: bool = False
) -> NDArray:
    """Per-sample binary cross-entropy, the mean over the outputs of each row.

    Mirrors ``keras.losses.binary_crossentropy``: with ``from_logits=False`` the
    probabilities are clipped to ``[1e-7, 1 - 1e-7]`` and each output's loss is
    ``-(y log p + (1 - y) log(1 - p))``; with ``from_logits=True`` the stable form
    of ``sigmoid_binary_crossentropy``. One output (binary) or several (multi-label).

    Args:
        y_true: 0/1 labels (or probabilities), (batch, outputs).
        y_pred: Probabilities, or logits if ``from_logits``, (batch, outputs).

    >>> binary_crossentropy(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]])).round(4)
    array([0.6931])
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_pred.ndim != 2:
        raise ValueError(
            "Expected y_true and y_pred of the same shape (batch, outputs). "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"
        )
    if from_logits:
        return sigmoid_binary_crossentropy(y_true, y_pred)[1]
    p = np.clip(y_pred, EPSILON, 1 - EPSILON)
    bce = y_true * np.log(p)
    bce += (1 - y_true) * np.log(1 - p)
    return (-bce).mean(axis=-1)


def sigmoid_binary_crossentropy(y_true: NDArray, logits: NDArray):
    """``(sigmoid(logits), each row's binary cross-entropy)`` from the logits.

    TensorFlow's ``sigmoid_cross_entropy_with_logits``, which Keras calls for a
    sigmoid output: ``max(z, 0) - z * y + log1p(exp(-|z|))``, finite for any ``z``
    (``log(sigmoid(z))`` would be ``log(0)`` for large negative ``z``).
    """
    with np.errstate(over="ignore"):
        probs = 1 / (1 + np.exp(-logits))  # activations.sigmoid
    loss = np.maximum(logits, 0) - logits * y_true + np.log1p(np.exp(-np.abs(logits)))
    return probs, loss.mean(axis=-1)


class _DenseTargets:
    """What categorical and binary cross-entropy share: labels of the output's
    shape, the loss of the weighted batch mean, and ``from_logits``."""

    name = fuses_with = ""

    def __init__(self, from_logits: bool = False) -> None:
        self.from_logits = from_logits

    def check_targets(self, y, n_outputs, n_rows, dtype: DTypeLike, name="y"):
        """Labels of the output's shape (n, n_outputs), in [0, 1]."""
        return check_targets(y, self.name, n_outputs, n_rows, dtype, name)

    def __call__(self, y_true, y_pred, sample_weight=None) -> np.floating:
        losses = self.per_sample(np.asarray(y_true), np.asarray(y_pred))
        if sample_weight is not None:
            losses = losses * sample_weight
        return losses.mean()  # Keras divides by the batch size, weighted or not

    def gradient(self, y_true, y_pred, sample_weight=None) -> NDArray:
        """dL/dy_pred of the weighted batch mean, shape (batch, outputs)."""
        grad = self.output_gradient(y_true, y_pred)
        if sample_weight is not None:
            grad *= sample_weight[:, None]
        return grad / len(y_pred)

    def logits_gradient(self, y_true, probs, sample_weight=None) -> NDArray:
        """dL/dlogits of the fused path: ``(p - y) / n`` (over ``outputs`` too for
        binary cross-entropy, the mean over the outputs)."""
        grad = (probs - y_true) / self.outputs_in_mean(probs)  # (batch, outputs)
        if sample_weight is not None:
            grad *= sample_weight[:, None]
        return grad / len(probs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(from_logits={self.from_logits})"


class CategoricalCrossentropy(_DenseTargets):
    """``keras.losses.CategoricalCrossentropy``: one-hot labels (batch, classes).

    >>> loss = CategoricalCrossentropy()
    >>> round(float(loss(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]]))), 4)
    0.6931
    """

    name = "categorical_crossentropy"
    fuses_with = "softmax"

    def per_sample(self, y_true: NDArray, y_pred: NDArray) -> NDArray:
        return categorical_crossentropy(y_true, y_pred, self.from_logits)

    def from_logits_output(self, y_true, logits):
        return softmax_categorical_crossentropy(y_true, logits)

    def outputs_in_mean(self, probs) -> int:
        return 1  # the loss sums over the classes

    def output_gradient(self, y_true, y_pred) -> NDArray:
        if self.from_logits:  # the softmax's own: p * sum(y) - y
            probs = np.exp(log_softmax(y_pred))
            return probs * y_true.sum(axis=-1, keepdims=True) - y_true
        # L = -sum(y log clip(p / s)), s = sum(p): through the clip where inside it.
        s = y_pred.sum(axis=-1, keepdims=True)
        q = y_pred / s
        inside = (q >= EPSILON) & (q <= 1 - EPSILON)
        dq = np.where(inside, -y_true / np.clip(q, EPSILON, 1 - EPSILON), 0)
        return (dq - (dq * q).sum(axis=-1, keepdims=True)) / s


class BinaryCrossentropy(_DenseTargets):
    """``keras.losses.BinaryCrossentropy``: labels 0/1 per output, (batch, outputs).

    >>> loss = BinaryCrossentropy()
    >>> round(float(loss(np.array([[1.0]]), np.array([[0.5]]))), 4)
    0.6931
    """

    name = "binary_crossentropy"
    fuses_with = "sigmoid"

    def per_sample(self, y_true: NDArray, y_pred: NDArray) -> NDArray:
        return binary_crossentropy(y_true, y_pred, self.from_logits)

    def from_logits_output(self, y_true, logits):
        return sigmoid_binary_crossentropy(y_true, logits)

    def outputs_in_mean(self, probs) -> int:
        return probs.shape[-1]  # the loss is the mean over the outputs

    def output_gradient(self, y_true, y_pred) -> NDArray:
        k = y_pred.shape[-1]
        if self.from_logits:
            with np.errstate(over="ignore"):
                return (1 / (1 + np.exp(-y_pred)) - y_true) / k
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        inside = (y_pred >= EPSILON) & (y_pred <= 1 - EPSILON)
        return inside * (-(y_true / p) + (1 - y_true) / (1 - p)) / k


LOSSES = {
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
}
CLASSES = {cls.__name__: cls for cls in LOSSES.values()}
Loss = SparseCategoricalCrossentropy | CategoricalCrossentropy | BinaryCrossentropy


def get(identifier) -> Loss:
    """Resolves a loss name (Keras's function or class name) or instance.

    Raises:
        ValueError: If the name is unknown; the message lists the valid names.
    """
    if isinstance(identifier, tuple(LOSSES.values())):
        return identifier
    if isinstance(identifier, str) and identifier in CLASSES:
        return CLASSES[identifier]()
    if not isinstance(identifier, str) or identifier not in LOSSES:
        raise ValueError(
            f"Unknown loss: {identifier!r}. Valid names: {', '.join(sorted(LOSSES))}."
        )
    return LOSSES[identifier]()
