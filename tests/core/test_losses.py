import pytest

from minigenre import losses


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy),
        ("categorical_crossentropy", losses.CategoricalCrossentropy),
        ("binary_crossentropy", losses.BinaryCrossentropy),
        ("CategoricalCrossentropy", losses.CategoricalCrossentropy),
    ],
)
def test_keras_function_and_class_names_resolve(name, kind):
    assert type(losses.get(name)) is kind


def test_an_instance_passes_through():
    loss = losses.BinaryCrossentropy(from_logits=True)
    assert losses.get(loss) is loss


@pytest.mark.parametrize("name", ["mse", "hinge", None, 3])
def test_an_unknown_loss_lists_the_valid_names(name):
    with pytest.raises(ValueError, match="Valid names: binary_crossentropy, "):
        losses.get(name)
