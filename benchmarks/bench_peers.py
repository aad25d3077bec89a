"""The benchmark's peers beside Keras and scikit-learn: NumPy by hand, PyTorch, JAX.

Each trains the study's network (Dense(128, elu) -> Dense(10, softmax), Adam with
Keras's defaults and epsilon 1e-7, sparse categorical cross-entropy, batch 32,
reshuffled every epoch, float32) for the same epochs on the same rows, and predicts
class probabilities. PyTorch and JAX are optional (the ``bench`` extra): a peer that
is not installed is reported by ``missing_peers`` and skipped, never a failure.
"""

from __future__ import annotations

import importlib.util
import math

import numpy as np

UNITS, N_CLASSES = 128, 10
BETA_1, BETA_2, EPSILON, LEARNING_RATE = 0.9, 0.999, 1e-7, 0.001


def missing_peers() -> dict[str, str]:
    """The optional peers that are not installed, each with the line saying so."""
    hint = 'pip install "minigenre[bench]"'
    return {
        name: f"{name} skipped: {module} is not installed ({hint})"
        for name, module in (("pytorch", "torch"), ("jax", "jax"))
        if importlib.util.find_spec(module) is None
    }


def _glorot(rng, fan_in: int, fan_out: int) -> np.ndarray:
    limit = math.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


def initial_weights(n_features: int, seed: int) -> list[np.ndarray]:
    """Glorot-uniform kernels, zero biases: ``[kernel_0, bias_0, kernel_1, bias_1]``."""
    rng = np.random.default_rng(seed)
    return [
        _glorot(rng, n_features, UNITS),
        np.zeros(UNITS, np.float32),
        _glorot(rng, UNITS, N_CLASSES),
        np.zeros(N_CLASSES, np.float32),
    ]


# -- hand-written NumPy ---------------------------------------------------------------


def tight_numpy_fit(x, y, epochs: int, batch_size: int, seed: int) -> list[np.ndarray]:
    """The training as one tight NumPy loop: no checks, no metrics, no callbacks.

    The weights live in one flat vector (so Adam is one pass per formula line); the
    batch gather and every intermediate go into preallocated buffers. What is left
    is the arithmetic itself: the lower bound for a NumPy implementation.
    """
    n, n_features = x.shape
    shapes = [(n_features, UNITS), (UNITS,), (UNITS, N_CLASSES), (N_CLASSES,)]
    sizes = [math.prod(s) for s in shapes]
    flat_w = np.concatenate([w.ravel() for w in initial_weights(n_features, seed)])
    flat_g = np.zeros_like(flat_w)
    bounds = np.cumsum([0, *sizes])

    def views(flat):  # each weight (or its gradient) a reshaped slice of the vector
        return [
            flat[a:b].reshape(shape)
            for a, b, shape in zip(bounds, bounds[1:], shapes, strict=False)
        ]

    k0, b0, k1, b1 = views(flat_w)
    gk0, gb0, gk1, gb1 = views(flat_g)
    m, v, s, r = (np.zeros_like(flat_w) for _ in range(4))
    rng = np.random.default_rng(seed)
    xb_full = np.empty((batch_size, n_features), np.float32)
    t, loss_sum = 0, 0.0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            xb = xb_full[: len(idx)]
            np.take(x, idx, axis=0, out=xb)
            z = xb @ k0  # (batch, units)
            z += b0
            h = np.maximum(z, 0) + np.expm1(np.minimum(z, 0))  # elu
            logits = h @ k1  # (batch, classes)
            logits += b1
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            total = p.sum(axis=1, keepdims=True)
            rows = np.arange(len(idx))
            # The batch's mean loss: what every library reports as it trains.
            loss_sum += float((np.log(total[:, 0]) - logits[rows, y[idx]]).mean())
            p /= total  # softmax
            p[rows, y[idx]] -= 1  # dL/dlogits = (p - onehot) / batch
            p /= len(idx)
            np.matmul(h.T, p, out=gk1)  # (units, classes)
            p.sum(axis=0, out=gb1)
            grad_h = p @ k1.T  # (batch, units)
            grad_h *= np.minimum(h + 1, 1)  # elu' = 1 above 0, elu + 1 below
            np.matmul(xb.T, grad_h, out=gk0)  # (in, units)
            grad_h.sum(axis=0, out=gb0)
            t += 1  # Adam, Keras's form (see minigenre.optimizers.Adam)
            alpha = np.float32(
                LEARNING_RATE * math.sqrt(1 - BETA_2**t) / (1 - BETA_1**t)
            )
            np.subtract(flat_g, m, out=s)
            s *= 1 - BETA_1
            m += s
            np.square(flat_g, out=s)
            s -= v
            s *= 1 - BETA_2
            v += s
            np.multiply(m, alpha, out=s)
            np.sqrt(v, out=r)
            r += EPSILON
            s /= r
            flat_w -= s
    return [k0, b0, k1, b1]


def numpy_forward(weights: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    """Class probabilities in one plain NumPy forward pass over all rows."""
    k0, b0, k1, b1 = weights
    z = x @ k0 + b0
    h = np.where(z > 0, z, np.expm1(np.minimum(z, 0)))
    logits = h @ k1 + b1
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# -- PyTorch --------------------------------------------------------------------------


def torch_peer(x, y, epochs: int, batch_size: int):
    """``(fit(seed) -> model, predict(model, x))`` for PyTorch on the CPU."""
    import torch

    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))

    def fit(seed: int):
        torch.manual_seed(seed)
        model = torch.nn.Sequential(
            torch.nn.Linear(x.shape[1], UNITS),
            torch.nn.ELU(),
            torch.nn.Linear(UNITS, N_CLASSES),
        )
        optimizer = torch.optim.Adam(
            model.parameters(), lr=LEARNING_RATE, betas=(BETA_1, BETA_2), eps=EPSILON
        )
        loss_fn = torch.nn.CrossEntropyLoss()  # softmax + cross-entropy on logits
        for _ in range(epochs):
            order = torch.randperm(len(xt))
            for start in range(0, len(xt), batch_size):
                idx = order[start : start + batch_size]
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(xt[idx]), yt[idx])
                loss.backward()
                optimizer.step()
        return model

    def predict(model, x_new):
        with torch.no_grad():
            return torch.softmax(model(torch.from_numpy(x_new)), dim=1).numpy()

    return fit, predict, torch.__version__, torch.get_num_threads()


# -- JAX ------------------------------------------------------------------------------


def jax_peer(x, y, epochs: int, batch_size: int):
    """``(fit(seed) -> params, predict(params, x))`` for JAX, the epoch under ``jit``.

    One epoch is one compiled call: ``lax.scan`` runs the full batches, a second
    compiled step the last, shorter batch (3490 rows = 109 x 32 + 2), so JAX does
    exactly the same updates as the others.
    """
    import jax
    import jax.numpy as jnp

    n = len(x)
    full = n // batch_size
    x_dev, y_dev = jnp.asarray(x), jnp.asarray(y.astype(np.int32))

    def loss_fn(params, xb, yb):
        k0, b0, k1, b1 = params
        logits = jax.nn.elu(xb @ k0 + b0) @ k1 + b1
        log_p = jax.nn.log_softmax(logits)
        return -jnp.take_along_axis(log_p, yb[:, None], axis=1).mean()

    def step(state, batch):
        params, m, v, t = state
        grads = jax.grad(loss_fn)(params, *batch)
        t = t + 1
        alpha = LEARNING_RATE * jnp.sqrt(1 - BETA_2**t) / (1 - BETA_1**t)
        m = [mi + (g - mi) * (1 - BETA_1) for mi, g in zip(m, grads, strict=True)]
        v = [vi + (g * g - vi) * (1 - BETA_2) for vi, g in zip(v, grads, strict=True)]
        params = [
            w - alpha * mi / (jnp.sqrt(vi) + EPSILON)
            for w, mi, vi in zip(params, m, v, strict=True)
        ]
        return (params, m, v, t), None

    @jax.jit
    def epoch(state, key):
        order = jax.random.permutation(key, n)
        xs = x_dev[order[: full * batch_size]].reshape(full, batch_size, -1)
        ys = y_dev[order[: full * batch_size]].reshape(full, batch_size)
        state, _ = jax.lax.scan(step, state, (xs, ys))
        return state, order[full * batch_size :]

    last_step = jax.jit(lambda state, idx: step(state, (x_dev[idx], y_dev[idx]))[0])

    def fit(seed: int):
        params = [jnp.asarray(w) for w in initial_weights(x.shape[1], seed)]
        zeros = [jnp.zeros_like(w) for w in params]
        state = (params, zeros, list(zeros), jnp.float32(0))
        key = jax.random.PRNGKey(seed)
        for _ in range(epochs):
            key, sub = jax.random.split(key)
            state, rest = epoch(state, sub)
            if len(rest):
                state = last_step(state, rest)
        return jax.block_until_ready(state[0])

    @jax.jit
    def forward(params, xb):
        k0, b0, k1, b1 = params
        return jax.nn.softmax(jax.nn.elu(xb @ k0 + b0) @ k1 + b1)

    def predict(params, x_new):
        return np.asarray(forward(params, jnp.asarray(x_new)))

    return fit, predict, jax.__version__
