import pytest

from minigenre import SGD, Adam
from minigenre.optimizers import get


def test_names_resolve():
    assert isinstance(get("adam"), Adam)
    assert isinstance(get("SGD"), SGD)


def test_unknown_optimizer_lists_valid_names():
    with pytest.raises(
        ValueError, match=r"Unknown optimizer: 'adamm'.*adam, rmsprop, sgd"
    ):
        get("adamm")


def test_a_keras_optimizer_minigenre_lacks_is_refused_naming_what_it_has():
    with pytest.raises(
        ValueError,
        match=r"^The Keras optimizer 'Nadam' is not in minigenre; use one of "
        r"adam, rmsprop, sgd\.$",
    ):
        get("Nadam")


def test_bad_hyperparameters():
    with pytest.raises(ValueError, match=r"learning_rate must be > 0. Received: -1"):
        Adam(learning_rate=-1)
    with pytest.raises(ValueError, match=r"beta_1 must be in \[0, 1\). Received"):
        Adam(beta_1=1.0)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\]"):
        SGD(momentum=2)
