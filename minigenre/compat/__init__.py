"""The TensorFlow and Keras names the study's 2018 notebook used, backed by minigenre.

The notebook runs unchanged once its two import lines are swapped::

    # import tensorflow as tf
    # from tensorflow import keras
    from minigenre.compat import keras, tf

    model = keras.Sequential([
        keras.layers.Dense(128, activation=tf.nn.elu),
        keras.layers.Dense(10, activation=tf.nn.softmax)
    ])
    model.compile(optimizer=tf.train.AdamOptimizer(),
                  loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])

``keras`` is ``minigenre.compat.keras``, Keras's modules for what minigenre
implements (``from minigenre.compat.keras.layers import Dense`` works too); each
name is minigenre's own object (``tf.nn.elu is minigenre.activations.elu``), so
nothing imports TensorFlow.
"""

from __future__ import annotations

from types import SimpleNamespace

from minigenre import activations, optimizers
from minigenre.compat import keras

__all__ = ["AdamOptimizer", "keras", "tf"]


class AdamOptimizer(optimizers.Adam):
    """TensorFlow 1's ``tf.train.AdamOptimizer``: its argument names and defaults.

    TensorFlow 1 defaults to ``epsilon=1e-8`` where Keras 3 uses 1e-7; the rest is
    the same. Its dense update (the ``ApplyAdam`` kernel that
    ``tf.compat.v1.train.AdamOptimizer`` calls for every Dense weight) is written
    in the form Keras 3 uses and ``minigenre.Adam`` implements::

        alpha = lr * sqrt(1 - beta2**t) / (1 - beta1**t)
        m += (g - m) * (1 - beta1);  v += (g * g - v) * (1 - beta2)
        w -= m * alpha / (sqrt(v) + epsilon)

    The textbook lines in TensorFlow 1's docstring (``m = beta1 * m + (1 - beta1) *
    g``) are the same update, rounded differently. One rounding detail differs:
    TensorFlow 1 keeps ``beta1**t`` as a float32 variable multiplied by ``beta1``
    after every step, where Keras 3 computes the power afresh; the two agree to
    about one float32 unit in the last place of ``alpha``.

    Args:
        learning_rate: Step size.
        beta1: Decay rate of the first-moment estimate (Keras's ``beta_1``).
        beta2: Decay rate of the second-moment estimate (Keras's ``beta_2``).
        epsilon: Added to ``sqrt(v)``; TensorFlow 1's default 1e-8.

    >>> AdamOptimizer()
    Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-08)
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
    ) -> None:
        super().__init__(learning_rate, beta_1=beta1, beta_2=beta2, epsilon=epsilon)

    def __repr__(self) -> str:  # it is an Adam, with these settings by Keras's names
        return repr(optimizers.Adam(**self.get_config()))


tf = SimpleNamespace(
    nn=SimpleNamespace(
        elu=activations.elu,
        relu=activations.relu,
        softmax=activations.softmax,
        sigmoid=activations.sigmoid,
        tanh=activations.tanh,
    ),
    train=SimpleNamespace(AdamOptimizer=AdamOptimizer),
    keras=keras,
)
