"""Tutorial 4's exercises, solved."""

import numpy as np


def paper_adam(w, grads, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + epsilon)
    return w


def epsilon_one_first_step():
    g = np.array([1e-3, 1.0, 100.0])
    # m = 0.1 g, v = 0.001 g**2; alpha_1 = lr * sqrt(0.001) / 0.1.
    alpha = 0.001 * np.sqrt(0.001) / 0.1
    return -alpha * 0.1 * g / (np.sqrt(0.001) * np.abs(g) + 1.0)


def step_size(t):
    return 0.001 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
