"""Tutorial 2's exercises, solved."""


def relu_backward(x, W, b, G):
    z = x @ W + b  # (batch, units)
    grad_z = G * (z > 0)  # ReLU passes the gradient where it was active
    return x.T @ grad_z, grad_z.sum(axis=0), grad_z @ W.T


def directional_derivative(f, w, d, h=1e-6):
    return (f(w + h * d) - f(w - h * d)) / (2 * h)


def elu_grad_from_output(out):
    # For z <= 0, out = exp(z) - 1, so exp(z) = out + 1; out > 0 exactly when z > 0.
    return np.where(out > 0, 1.0, out + 1.0)
