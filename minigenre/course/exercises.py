"""The exercises of every tutorial, in order: the function a learner writes, and
the check that judges it."""

from minigenre.course import checks_audio as audio
from minigenre.course import checks_network as network
from minigenre.course import checks_study as study

# Tutorial number -> its exercises in order: (the function's name, its check).
EXERCISES = {
    "01": [("majority_share", study.check_majority_share)],
    "02": [
        ("relu_backward", network.check_relu_backward),
        ("directional_derivative", network.check_directional_derivative),
    ],
    "03": [
        ("stable_softmax", network.check_stable_softmax),
        ("weighted_logit_gradient", network.check_weighted_logit_gradient),
    ],
    "04": [("paper_adam", network.check_paper_adam)],
    "05": [
        ("recall_per_genre", study.check_recall_per_genre),
        ("most_confused", study.check_most_confused),
    ],
    "06": [("numpy_into_keras", study.check_numpy_into_keras)],
    "07": [("train_with_early_stopping", study.check_early_stopping)],
    "08": [("loudest_band", audio.check_loudest_band)],
    "09": [("tensor_tanh", network.check_tensor_tanh)],
}
