"""Training at the edges: divergence, bad labels, odd batch sizes and tiny data.

Generated over data sizes, batch sizes, epochs and values: a loss that turns
non-finite stops ``fit`` naming the epoch and batch; labels outside the output
width are refused naming the label and its row, leaving the model untouched; any
batch size at or above the data size trains exactly as one full batch; ``epochs=0``
changes nothing; one row is enough to train; constant features are scaled to zeros
and train to finite, identical predictions.
"""

import re
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from reliability import attempt, examples, record

from minigenre import SGD, Adam, Dense, Sequential
from minigenre.study.config import DataSource
from minigenre.study.data import Dataset
from minigenre.study.preprocessing import StandardScaler
from minigenre.study.workflow import train_run

SECTION = "Training guards"


def model_for(n_features: int, n_classes: int, seed: int = 0, optimizer=None):
    model = Sequential(
        [Dense(4, activation="elu"), Dense(n_classes, activation="softmax")],
        seed=seed,
    )
    model.compile(optimizer or Adam(), metrics=["accuracy"])
    model.build(n_features)
    return model


def data_for(seed: int, n: int, n_features: int, n_classes: int):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_features)), rng.integers(0, n_classes, size=n)


def same_weights(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))


# --- a loss that turns non-finite -----------------------------------------------------


class PoisonedSGD(SGD):
    """SGD that, after update number ``at``, sets weight ``index`` to ``value``.

    ``index`` counts in the model's flat vector: 0 is the first kernel's first
    entry, -1 the output layer's last bias.
    """

    def __init__(self, at: int, value: float, index: int = 0):
        super().__init__(learning_rate=0.01)
        self.at, self.value, self.index = at, value, index

    def apply_gradients(self, weights, gradients):
        super().apply_gradients(weights, gradients)
        if self.iterations == self.at:
            weights[0].flat[self.index] = self.value


# Poison that every later forward pass shows: NaN anywhere (0 * NaN is NaN), or +inf
# in an output bias (its logit wins every row, and inf - inf is NaN). An infinite
# weight that ELU saturates away stays hidden: see the hidden-weight test at the end.
VISIBLE_POISON = [(0, np.nan), (-1, np.nan), (-1, np.inf)]


@examples(60)
@given(
    n=st.integers(1, 40),
    batch_size=st.integers(1, 50),
    epochs=st.integers(1, 4),
    poison=st.sampled_from(VISIBLE_POISON),
    data=st.data(),
)
def test_a_diverging_fit_stops_naming_the_epoch_and_batch(
    n, batch_size, epochs, poison, data
):
    steps = -(-n // batch_size)  # batches per epoch
    total = steps * epochs
    if total < 2:
        return  # no update is followed by a forward pass (see the tests at the end)
    at = data.draw(st.integers(1, total - 1), label="poisoned after update")
    x, y = data_for(at, n, 3, 3)
    index, value = poison
    model = model_for(3, 3, optimizer=PoisonedSGD(at, value, index))
    # The forward pass after update `at` has a non-finite loss; a fit that also
    # checks its weights may stop at that update itself.
    epoch, batch = divmod(at, steps)
    updated = divmod(at - 1, steps)
    where = (
        rf"Non-finite loss \S+ at epoch {epoch + 1}, batch {batch + 1}:"
        rf"|Non-finite weights .*epoch {updated[0] + 1}, batch {updated[1] + 1}:"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=where):
            model.fit(
                x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0
            )
    noise = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    outcome = "ValueError naming epoch and batch" + (
        " (after a NumPy RuntimeWarning)" if noise else ""
    )
    record(SECTION, "Weights turn NaN/inf mid-training", outcome)


@examples(40)
@given(
    n=st.integers(2, 30),
    batch_size=st.integers(1, 40),
    row=st.data(),
    magnitude=st.sampled_from([1e30, 1e35, 3e38]),
)
def test_a_row_that_overflows_float32_stops_fit_at_its_batch(
    n, batch_size, row, magnitude
):
    x, y = data_for(n, n, 3, 3)
    r = row.draw(st.integers(0, n - 1), label="overflowing row")
    x[r] = magnitude  # finite in float32, but x @ kernel overflows downstream
    model = model_for(3, 3)
    model.set_weights([np.full(w.shape, 1e8) for w in model.get_weights()])
    where = rf"Non-finite loss \S+ at epoch 1, batch {r // batch_size + 1}:"
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        _, err = attempt(
            model.fit, x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0
        )
    assert err is not None
    assert re.search(where, str(err))
    record(
        SECTION,
        "A row whose logits overflow float32",
        "ValueError naming epoch and batch",
    )


# --- labels that do not fit the output ------------------------------------------------


@st.composite
def bad_labels(draw, n: int, n_classes: int):
    """Labels with at least one outside [0, n_classes), or not a label at all."""
    kind = draw(st.sampled_from(["int", "float", "nan", "text", "shape"]))
    y = draw(arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    if kind == "int":
        bad = draw(
            st.one_of(
                st.integers(max_value=-1), st.integers(min_value=n_classes)
            ).filter(lambda v: -(2**62) < v < 2**62)
        )
        rows = draw(st.lists(st.integers(0, n - 1), min_size=1, unique=True))
        y[rows] = bad
        return "Label outside [0, classes)", y, (bad, min(rows))
    if kind == "float":
        y = y.astype(np.float64)
        y[draw(st.integers(0, n - 1))] += draw(st.floats(0.01, 0.99))
        return "Label not a whole number", y, None
    if kind == "nan":
        y = y.astype(np.float64)
        y[draw(st.integers(0, n - 1))] = draw(
            st.sampled_from([np.nan, np.inf, -np.inf])
        )
        return "Label NaN or infinite", y, None
    if kind == "text":
        return (
            "Labels as text or booleans",
            draw(st.sampled_from([y.astype(str), y > 0, y.astype(object)])),
            None,
        )
    return (
        "Labels of the wrong shape or length",
        draw(
            st.sampled_from(
                [y[:-1], np.stack([y, y], axis=1), y[:, None, None], np.append(y, 0)]
            )
        ),
        None,
    )


@examples(120)
@given(
    n=st.integers(1, 12),
    n_classes=st.integers(2, 6),
    data=st.data(),
)
def test_labels_that_do_not_fit_are_refused_and_change_nothing(n, n_classes, data):
    category, y, culprit = data.draw(bad_labels(n, n_classes), label="labels")
    x, _ = data_for(n, n, 3, n_classes)
    model = model_for(3, n_classes)
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"\by\b|[Ll]abels") as raised:
        model.fit(x, y, verbose=0)
    if culprit is not None:  # the first bad label and its row are named
        value, row = culprit
        first = int(np.flatnonzero((y < 0) | (y >= n_classes))[0])
        assert first == row
        assert f"Received: {value} at row {row}" in str(raised.value)
    assert same_weights(model.get_weights(), before)
    record(SECTION, category, "ValueError; weights untouched")


# --- batch size, epochs, a single row -------------------------------------------------


@examples(40)
@given(
    n=st.integers(1, 30),
    extra=st.sampled_from([0, 1, 7, 10**6, 2**62]),
    epochs=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_any_batch_size_above_the_data_trains_as_one_full_batch(n, extra, epochs, seed):
    x, y = data_for(seed, n, 3, 3)
    histories, weights = [], []
    for batch_size in (n, n + extra):
        model = model_for(3, 3, seed=seed)
        histories.append(
            model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)
        )
        weights.append(model.get_weights())
    assert histories[0].history == histories[1].history
    assert same_weights(*weights)
    assert len(histories[1].history["loss"]) == epochs
    record(SECTION, "batch_size larger than the data", "one full batch, bit-identical")


@examples(30)
@given(n=st.integers(1, 30), seed=st.integers(0, 2**16), built=st.booleans())
def test_zero_epochs_change_nothing(n, seed, built):
    x, y = data_for(seed, n, 3, 3)
    model = model_for(3, 3, seed=seed)
    if not built:
        model = Sequential([Dense(4, activation="elu"), Dense(3, activation="softmax")])
        model.compile("adam")
    before = model.get_weights()
    history = model.fit(x, y, epochs=0, verbose=0)
    assert history.history == {}
    assert history.epoch == []
    if built:
        assert same_weights(model.get_weights(), before)
    else:
        assert model.built  # built from the data's width, not trained
    assert model.optimizer.iterations == 0
    record(SECTION, "epochs=0", "empty history, weights unchanged")


@examples(40)
@given(
    x=arrays(np.float64, (1, 3), elements=st.floats(-1e3, 1e3)),
    label=st.integers(0, 2),
    batch_size=st.integers(1, 100),
    epochs=st.integers(1, 5),
)
def test_a_single_row_trains(x, label, batch_size, epochs):
    model = model_for(3, 3)
    history = model.fit(x, [label], batch_size=batch_size, epochs=epochs, verbose=0)
    assert len(history.history["loss"]) == epochs
    assert np.isfinite(history.history["loss"]).all()
    assert model.predict(x).shape == (1, 3)
    with pytest.raises(ValueError, match="leaves no rows"):
        model.fit(x, [label], validation_split=0.5, verbose=0)
    record(SECTION, "A single-row dataset", "trains; validation_split refused")


# --- constant features ----------------------------------------------------------------


@examples(40)
@given(
    n=st.integers(2, 30),
    values=arrays(
        np.float64,
        st.integers(1, 4),
        elements=st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False),
    ),
)
def test_constant_features_standardize_to_zero(n, values):
    x = np.tile(values, (n, 1))  # every column constant
    scaler = StandardScaler().fit(x)
    np.testing.assert_array_equal(scaler.scale_, 1.0)
    np.testing.assert_array_equal(scaler.transform(x), 0.0)
    record(SECTION, "Constant features (any value up to ±1e300)", "standardized to 0")


@examples(40)
@given(
    x=arrays(
        np.float64,
        st.tuples(st.integers(2, 8), st.integers(1, 3)),
        elements=st.floats(allow_nan=False, allow_infinity=False),
    )
)
def test_standard_scaler_standardizes_any_finite_table_or_says_which_column(x):
    scaler, err = attempt(StandardScaler().fit, x)
    if err is not None:
        assert re.search(r"x column \d+ \(0-based\) is too large", str(err))
        outcome = "ValueError naming the column (variance overflows float64)"
    else:
        z = scaler.transform(x)
        assert np.isfinite(z).all()
        np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-6)
        # Columns scaled by their standard deviation (not constant), whose variance
        # is a normal float: below 2.2e-308 (a spread under ~1e-154) it is
        # subnormal and holds fewer digits, in scikit-learn as here.
        scaled = np.sqrt(scaler.var_) == scaler.scale_
        full = scaler.var_ >= np.finfo(np.float64).tiny
        np.testing.assert_allclose(z.std(axis=0)[scaled & full], 1, rtol=1e-6)
        outcome = "standardized: mean 0, std 1 (or constant: 0)"
        if (scaled & ~full).any():
            outcome = "standardized; spread < 1e-154: subnormal variance, fewer digits"
    record(SECTION, "StandardScaler on any finite values (to ±1.8e308)", outcome)


@examples(15)
@given(
    value=st.floats(-1e6, 1e6),
    constant_columns=st.sampled_from(["all", "some"]),
    seed=st.integers(0, 2**16),
)
def test_constant_features_train_to_finite_predictions(value, constant_columns, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(40, 4))
    y = np.arange(40) % 2
    columns = slice(None) if constant_columns == "all" else slice(0, 2)
    x[:, columns] = value
    dataset = Dataset(x, y, x[:5], genre_names=("a", "b"))
    run = train_run(dataset, DataSource(), seed=seed, epochs=2, verbose=0)
    assert all(np.isfinite(v).all() for v in run.history.values())
    proba = run.model.predict(run.scaler.transform(x))
    assert np.isfinite(proba).all()
    if constant_columns == "all":  # nothing tells the rows apart
        np.testing.assert_array_equal(proba, np.broadcast_to(proba[0], proba.shape))
    category = f"Constant features ({constant_columns} columns), whole workflow"
    record(SECTION, category, "finite history and predictions")


# --- gaps these tests found in the core, now closed ------------------------------


@pytest.mark.parametrize(("at", "epochs"), [(1, 3), (3, 3)])
def test_fit_never_returns_non_finite_weights(at, epochs):
    x = np.array([[1.0, 0.5, -0.5]])  # x[0] > 0: z = -inf * 1.0 for unit 0
    model = model_for(3, 3, optimizer=PoisonedSGD(at, -np.inf))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            model.fit(x, [1], batch_size=1, epochs=epochs, verbose=0)
        except ValueError:
            return  # stopped: the promise holds
    assert all(np.isfinite(w).all() for w in model.get_weights())


@pytest.mark.parametrize("y", [np.array([1e300]), np.array([2**64 - 1], np.uint64)])
def test_huge_labels_are_echoed_as_given(y):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=re.escape(f"Received: {y[0]}")):
            model_for(3, 3).fit(np.ones((1, 3)), y, verbose=0)


@pytest.mark.parametrize("call", ["fit", "evaluate", "validation_data"])
def test_zero_rows_are_refused_with_a_value_error(call):
    model = model_for(3, 3)
    empty_x, empty_y = np.ones((0, 3)), np.array([], dtype=int)
    calls = {
        "fit": lambda: model.fit(empty_x, empty_y, verbose=0),
        "evaluate": lambda: model.evaluate(empty_x, empty_y, verbose=0),
        "validation_data": lambda: model.fit(
            np.ones((2, 3)), [0, 1], validation_data=(empty_x, empty_y), verbose=0
        ),
    }
    with pytest.raises(ValueError, match=r"rows|empty|samples"):
        calls[call]()


def test_values_beyond_float32_are_named_as_out_of_range():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"1e\+300"):
            model_for(3, 3).fit(np.array([[1e300, 0.0, 0.0]]), [0], verbose=0)


@pytest.mark.parametrize("jit_compile", [False, True])
def test_huge_but_finite_weights_are_not_taken_for_non_finite(jit_compile):
    # A bias of 1e20 makes the weights' sum of squares overflow float32 (1e40), the
    # quick test of the weight check; the exact test that follows must let it pass.
    if jit_compile:
        pytest.importorskip("numba")
    model = Sequential([Dense(3, activation="softmax")], seed=0)
    model.compile("adam", jit_compile=jit_compile)
    x = np.random.default_rng(0).standard_normal((8, 4)).astype(np.float32)
    model.build(4)
    kernel, _ = model.get_weights()
    model.set_weights([kernel, np.array([1e20, 0, 0], np.float32)])
    loss = model.train_on_batch(x, np.arange(8) % 3)
    assert np.isfinite(loss)
    assert model.get_weights()[1][0] == pytest.approx(1e20)
