"""model.summary(): Keras 3's table (minigenre/training/summary.py)."""

import re

from minigenre import Dense, Sequential


def test_summary_of_an_unbuilt_model_marks_it_unbuilt_as_keras_3(capsys):
    Sequential([Dense(8), Dense(3)]).summary()
    out = capsys.readouterr().out
    assert re.search(r"dense \(Dense\) +\? +0 \(unbuilt\)", out)
    assert "Total params: 0" in out


def test_the_study_networks_table_counts_its_parameters_as_keras(capsys):
    model = Sequential([Dense(128, activation="elu"), Dense(10, activation="softmax")])
    model.build(264)
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[0] == 'Model: "sequential"'
    assert re.search(r"dense \(Dense\) +\(None, 128\) +33920", "\n".join(lines))
    assert re.search(r"dense_1 \(Dense\) +\(None, 10\) +1290", "\n".join(lines))
    assert "Total params: 35,210" in lines
    assert "Trainable params: 35,210" in lines
    assert capsys.readouterr().out == ""  # print_fn took every line
