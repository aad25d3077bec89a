"""The progress bar: Keras's log lines, printed whole or redrawn on a terminal."""

import io
import re

from minigenre.study.network import study_model
from minigenre.training.progress import ProgressBar, format_logs


def test_verbose_prints_keras_progress_lines(blobs, capsys):
    x, y = blobs
    study_model(seed=0).fit(x, y, epochs=2, validation_split=0.2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2"
    # Keras 3's line: a bar of 20, the time, the logs in alphabetical order
    pattern = (
        r"^5/5 ━{20} \d+s \d+(ms|us)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}"
        r" - val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}$"
    )
    assert re.match(pattern, lines[1]), lines[1]
    assert lines[2] == "Epoch 2/2"


def test_verbose_zero_prints_nothing(blobs, capsys):
    x, y = blobs
    model = study_model(seed=0)
    model.fit(x, y, verbose=0)
    model.evaluate(x, y, verbose=0)
    assert capsys.readouterr().out == ""


def test_logs_have_four_decimals_or_an_exponent_when_tiny():
    assert format_logs({"loss": 1.48834, "accuracy": 0.5}) == (
        " - loss: 1.4883 - accuracy: 0.5000"
    )
    assert format_logs({"loss": 0.00012345}) == " - loss: 1.2345e-04"


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_file_gets_the_finished_line_and_a_terminal_redraws_in_place():
    to_file, to_terminal = io.StringIO(), Terminal()
    for stream in (to_file, to_terminal):
        bar = ProgressBar(4, stream=stream, interval=0.0)
        bar.update(2, {"loss": 1.0})
        bar.update(4, {"loss": 0.5}, final=True)
    lines = to_file.getvalue().splitlines()
    assert len(lines) == 1
    assert re.match(r"^4/4 ━{20} \d+s \d+(us|ms)/step - loss: 0.5000$", lines[0])
    drawn = to_terminal.getvalue()
    # half done: 10 green, 10 grey, as Keras 3 colours them; then the time left
    green, grey = "\33[32m" + "━" * 10 + "\x1b[0m", "\33[37m" + "━" * 10 + "\x1b[0m"
    assert drawn.startswith(f"\r2/4 {green}{grey} 0s ")
    assert drawn.endswith("loss: 0.5000\n")
    assert drawn.count("\r") == 2


def test_a_single_epoch_prints_no_epoch_line_as_keras_3(blobs, capsys):
    x, y = blobs
    study_model(seed=0).fit(x, y, epochs=1, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert re.match(
        r"^7/7 - \d+s - \d+(ms|us)/step - accuracy: \d\.\d{4} - loss: ", lines[0]
    )
