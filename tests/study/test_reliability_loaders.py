"""The loaders against generated malformed files: the right array or a ValueError.

Each case starts from valid files, applies one generated fault (a cut, an extra or
missing cell, stray text, NaN, a blank line, a BOM, other line ends, a huge value,
...) and asks an independent reference parser what the result means: the exact array
a valid text holds (a CRLF file, a cut that happens to leave whole rows), or the
file, line and column of the first problem. The loader must then return exactly that
array, bit for bit, or raise a ``ValueError`` naming that file, line and column:
never any other exception, never a different array.
"""

import math
import re
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from reliability import attempt, examples, record

from minigenre.study import kaggle
from minigenre.study.data import (
    N_FEATURES,
    TEST_DATA,
    TRAIN_DATA,
    TRAIN_LABELS,
    load_csv,
    load_kaggle,
    load_unlabelled_csv,
)

SECTION = "CSV loaders"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("loaders")


def fresh_dir(workdir: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=workdir))


# --- the reference: what a text means, written from the format, not the loader -------

# A decimal number as the files' writers produce it: ASCII digits, optional sign,
# point and exponent. No "nan", "inf", underscores, hex or thousands separators.
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


class Bad:
    """Where the reference found the first problem (line and column are 1-based)."""

    def __init__(self, line: int | None = None, column: int | None = None, why=""):
        self.line, self.column, self.why = line, column, why

    def __repr__(self) -> str:
        return f"Bad(line={self.line}, column={self.column}, {self.why!r})"


def reference_number(cell: str) -> float | None:
    text = cell.strip()  # whitespace around a number is fine
    if NUMBER.fullmatch(text):
        value = float(text)  # correctly rounded, as every reader must be
        if math.isfinite(value):
            return value
    return None


def reference_text(data: bytes) -> str | Bad:
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return Bad(why="not UTF-8")
    if not text.strip():
        return Bad(why="empty")
    return text


def reference_table(data: bytes, n_columns: int) -> np.ndarray | Bad:
    """A headerless table of finite numbers, ``n_columns`` to a line."""
    text = reference_text(data)
    if isinstance(text, Bad):
        return text
    # Trailing blank lines (and whitespace) end a file without adding rows.
    lines = re.split(r"\r\n|\r|\n", text.rstrip())
    rows = []
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            return Bad(i, why="blank line")
        cells = line.split(",")
        values = [reference_number(cell) for cell in cells]
        if i == 1 and all(v is None for v in values):
            return Bad(1, why="header")
        if len(cells) != n_columns:
            return Bad(i, why="column count")
        for j, value in enumerate(values, start=1):
            if value is None:
                return Bad(i, j, why="not a finite number")
        rows.append(values)
    return np.array(rows, dtype=np.float64)


def reference_kaggle(files: dict[str, bytes]) -> tuple[str, object]:
    """``(file, Bad)`` for the first problem, in the loader's order, else the arrays."""
    x_train = reference_table(files[TRAIN_DATA], N_FEATURES)
    if isinstance(x_train, Bad):
        return TRAIN_DATA, x_train
    labels = reference_table(files[TRAIN_LABELS], 1)
    if isinstance(labels, Bad):
        return TRAIN_LABELS, labels
    for i, value in enumerate(labels[:, 0], start=1):
        if value != int(value) or not 1 <= value <= 10:
            return TRAIN_LABELS, Bad(i, why="label not in 1..10")
    if len(labels) != len(x_train):
        return TRAIN_LABELS, Bad(why="row counts differ")
    if len(np.unique(labels)) < 2:
        return TRAIN_LABELS, Bad(why="one class")
    x_test = reference_table(files[TEST_DATA], N_FEATURES)
    if isinstance(x_test, Bad):
        return TEST_DATA, x_test
    return "", (x_train, labels[:, 0].astype(np.int64) - 1, x_test)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal shapes and identical float64 bit patterns (so -0.0 differs from 0.0)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return a.shape == b.shape and bool((a.view(np.int64) == b.view(np.int64)).all())


def assert_names_the_problem(err: ValueError, path: Path, bad: Bad) -> str:
    """The message names the file, and the reference's line and column if any."""
    message = str(err)
    assert str(path) in message, message
    if bad.line is None:
        return "ValueError naming the file"
    assert re.search(rf"line {bad.line}\b", message), (bad, message)
    if bad.column is None:
        return "ValueError naming file and line"
    assert re.search(rf"column {bad.column}\b", message), (bad, message)
    return "ValueError naming file, line and column"


# --- valid files and the faults applied to them ---------------------------------------

# Ways to write a float that read back as exactly the same float64.
FORMATS = {
    "repr": repr,
    "%.17g": lambda v: f"{v:.17g}",
    "%.17e": lambda v: f"{v:.17e}",
    "%+.17E": lambda v: f"{v:+.17E}",
    "padded": lambda v: f" {v!r}\t",
    "signed, padded": lambda v: f" {v:+.17e} ",  # pandas rounded these wrong
}


@st.composite
def tables(draw, n_rows: tuple[int, int], n_columns: int):
    """A table mixing generated floats (any finite value) with ordinary ones."""
    special = draw(
        st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1)
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(*n_rows))
    x = rng.normal(size=(n, n_columns)) * 10.0 ** rng.integers(-5, 6, (n, n_columns))
    picks = rng.random((n, n_columns)) < 0.3
    x[picks] = rng.choice(special, size=picks.sum())
    return x


def table_text(x: np.ndarray, fmt) -> str:
    return "".join(",".join(map(fmt, row)) + "\n" for row in x.tolist())


STRAY = (
    "abcxyzEe+-.,;:_#'\" \t\x00\x0b\x1c\ufeff\xa0\u2028é0123456789"  # and some digits
)
NON_FINITE = ["nan", "NaN", "-nan", "NA", "inf", "-inf", "+Infinity", "infinity"]
HUGE = [
    "1e308", "-1.7976931348623157e308", "1.7976931348623159e308", "1e309", "-1e999",
    "9" * 310, "1e-320", "-4.9e-324", "2e-324", "1e-400", "0." + "0" * 400 + "1",
]  # fmt: skip


class Files(dict):
    """File name -> bytes, shown shortened when hypothesis reports a failing case."""

    def __repr__(self) -> str:
        return repr({name: short(data) for name, data in self.items()})


def short(data: bytes, keep: int = 60) -> bytes:
    if len(data) <= 3 * keep:
        return data
    return data[:keep] + b" ... " + data[-keep:]


def split_rows(text: str) -> list[list[str]]:
    return [line.split(",") for line in text.split("\n")[:-1]]


def join_rows(rows: list[list[str]], end: str = "\n") -> str:
    return "".join(",".join(cells) + end for cells in rows)


def pick_cell(draw, rows):
    i = draw(st.integers(0, len(rows) - 1))
    return i, draw(st.integers(0, len(rows[i]) - 1))


def replace_cell(draw, text: str, new: str) -> bytes:
    rows = split_rows(text)
    i, j = pick_cell(draw, rows)
    rows[i][j] = new
    return join_rows(rows).encode()


def cut_file(draw, text):
    data = text.encode()
    return data[: draw(st.integers(0, len(data) - 1))]


def cut_line(draw, text):
    rows = split_rows(text)
    i = draw(st.integers(0, len(rows) - 1))
    line = ",".join(rows[i])
    rows[i] = [line[: draw(st.integers(0, len(line) - 1))]]
    return join_rows(rows).encode()


def extra_column(draw, text):
    rows = split_rows(text)
    i, j = pick_cell(draw, rows)
    rows[i].insert(j + draw(st.integers(0, 1)), draw(st.sampled_from(["1", "", "0.5"])))
    return join_rows(rows).encode()


def missing_column(draw, text):
    rows = split_rows(text)
    i, j = pick_cell(draw, rows)
    del rows[i][j]
    return join_rows(rows).encode()


def stray_text(draw, text):
    return replace_cell(draw, text, draw(st.text(STRAY, max_size=6)))


def append_stray(draw, text):
    rows = split_rows(text)
    i, j = pick_cell(draw, rows)
    rows[i][j] += draw(st.text(STRAY, min_size=1, max_size=3))
    return join_rows(rows).encode()


def non_finite(draw, text):
    return replace_cell(draw, text, draw(st.sampled_from(NON_FINITE)))


def huge_value(draw, text):
    return replace_cell(draw, text, draw(st.sampled_from(HUGE)))


def quoted(draw, text):
    rows = split_rows(text)
    i, j = pick_cell(draw, rows)
    cell = rows[i][j]
    k = draw(st.integers(0, len(cell)))
    rows[i][j] = draw(st.sampled_from([f'"{cell}"', f'"{cell[:k]}"{cell[k:]}']))
    return join_rows(rows).encode()


def blank_line(draw, text):
    lines = text.split("\n")[:-1]
    blank = draw(st.sampled_from(["", " ", "\t", "  \r"]))
    lines.insert(draw(st.integers(0, len(lines))), blank)
    return ("\n".join(lines) + "\n").encode()


def bom(draw, text):
    data = text.encode()
    at = draw(st.sampled_from([0, 0, draw(st.integers(1, len(data)))]))
    return data[:at] + "\ufeff".encode() + data[at:]


def line_ends(draw, text):
    rows = split_rows(text)
    ends = [draw(st.sampled_from(["\r\n", "\r", "\n"])) for _ in rows]
    return "".join(",".join(cells) + end for cells, end in zip(rows, ends, strict=True))


def crlf_bom_trailing(draw, text):
    """The valid oddities of files saved by Windows tools, all at once."""
    tail = draw(st.sampled_from(["", "\r\n", "\r\n\r\n", "\r\n  \r\n", " "]))
    data = text.replace("\n", "\r\n").rstrip("\r\n") + tail
    return b"\xef\xbb\xbf" + data.encode()


def whitespace(draw, text):
    rows = split_rows(text)
    for _ in range(draw(st.integers(1, 5))):
        i, j = pick_cell(draw, rows)
        pad = st.sampled_from([" ", "\t", "  ", "\xa0"])
        rows[i][j] = draw(pad) + rows[i][j] + draw(pad)
    return join_rows(rows).encode()


def not_utf8(draw, text):
    data = text.encode()
    at = draw(st.integers(0, len(data)))
    return (
        data[:at]
        + draw(st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\x80"]))
        + data[at:]
    )


def header_row(draw, text):
    width = len(split_rows(text)[0])
    return (",".join(f"f{j}" for j in range(width)) + "\n" + text).encode()


SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def other_separator(draw, text):
    """Another program's CSV: semicolons, tabs or bars, or every number quoted."""
    style = draw(st.sampled_from([*SEPARATORS, '"']))
    rows = split_rows(text)
    if style == '"':
        return join_rows([[f'"{cell.strip()}"' for cell in row] for row in rows])
    return "".join(style.join(cell.strip() for cell in row) + "\n" for row in rows)


def empty(draw, text):
    return draw(st.sampled_from([b"", b"\n", b" \r\n\t", b"\xef\xbb\xbf"]))


def unchanged(draw, text):
    return text.encode()


# (category, fault, whether the result is valid: True, False or None if it depends)
FAULTS = [
    ("Valid, number formats (repr, %.17g, %.17e, signs, padding)", unchanged, True),
    ("Windows: CRLF, BOM, trailing blank lines", crlf_bom_trailing, True),
    ("Mixed line ends (CRLF, lone CR, LF)", line_ends, True),
    ("Whitespace (incl. NBSP) around numbers", whitespace, True),
    ("Truncated file (cut at a random byte)", cut_file, None),
    ("Truncated line (one line cut short)", cut_line, None),
    ("Extra column", extra_column, False),
    ("Missing column", missing_column, None),
    ("Stray text replacing a number", stray_text, None),
    ("Stray text after a number", append_stray, None),
    ("Quotes around or inside a number", quoted, False),
    ("NaN / inf", non_finite, False),
    ("Huge and tiny values (overflow, subnormals)", huge_value, None),
    ("Blank line", blank_line, None),
    ("Byte-order mark (at the start or inside)", bom, None),
    ("Not UTF-8", not_utf8, False),
    ("Header row in a headerless file", header_row, False),
    ("Separators of other programs (; tab |) or quoted numbers", other_separator, None),
    ("Empty file", empty, False),
]


# --- load_kaggle ----------------------------------------------------------------------


@st.composite
def kaggle_cases(draw, fault):
    x_train = draw(tables((2, 5), N_FEATURES))
    x_test = draw(tables((1, 3), N_FEATURES))
    labels = draw(
        st.lists(
            st.integers(1, 10), min_size=len(x_train), max_size=len(x_train)
        ).filter(lambda ys: len(set(ys)) > 1)
    )
    fmt = draw(st.sampled_from(list(FORMATS)))
    texts = {
        TRAIN_DATA: table_text(x_train, FORMATS[fmt]),
        TRAIN_LABELS: "".join(f"{y}\n" for y in labels),
        TEST_DATA: table_text(x_test, FORMATS[fmt]),
    }
    category, fault, valid = fault
    target = draw(st.sampled_from(list(texts)))
    files = Files({name: text.encode() for name, text in texts.items()})
    files[target] = fault(draw, texts[target])
    if isinstance(files[target], str):
        files[target] = files[target].encode()
    return category, valid, target, files


def ids(faults):
    return [fault[0].split(" (")[0].split(":")[0] for fault in faults]


@pytest.mark.parametrize("fault", FAULTS, ids=ids(FAULTS))
@examples(25)
@given(data=st.data())
def test_load_kaggle_returns_the_exact_arrays_or_names_the_problem(
    workdir, fault, data
):
    category, valid, target, files = data.draw(kaggle_cases(fault), label="case")
    directory = fresh_dir(workdir)
    for name, content in files.items():
        (directory / name).write_bytes(content)
    where, expected = reference_kaggle(files)
    if valid is not None:  # the fault's class decides, whatever the values
        assert isinstance(expected, Bad) != valid, (category, expected)
    loaded, err = attempt(load_kaggle, directory)
    shutil.rmtree(directory)
    if err is not None:
        assert isinstance(expected, Bad), f"refused valid files: {err}"
        outcome = assert_names_the_problem(err, directory / where, expected)
        if fault[1] is other_separator and target != TRAIN_LABELS:
            found = [*SEPARATORS.values(), "in quotes"]
            assert any(word in str(err) for word in found), err  # says what it saw
            outcome += ", saying which separator or quotes"
    else:
        assert not isinstance(expected, Bad), f"loaded bad {where}: {expected}"
        x_train, y_train, x_test = expected
        assert same_bits(loaded.x_train, x_train)
        assert same_bits(loaded.x_test, x_test)
        np.testing.assert_array_equal(loaded.y_train, y_train)
        outcome = "loaded the exact array"
    record(SECTION, f"load_kaggle: {category}", outcome)


# --- load_csv -------------------------------------------------------------------------


def reference_rows(data: bytes):
    """``Bad``, or a CSV's header, its rows of cells and their line numbers: every row
    as wide as the header, blank lines only at the end, a row at least, no name
    twice."""
    text = reference_text(data)
    if isinstance(text, Bad):
        return text
    lines = re.split(r"\r\n|\r|\n", text)
    header = [name.strip() for name in lines[0].split(",")]
    rows, numbers, blank = [], [], None
    for i, line in enumerate(lines[1:], start=2):
        cells = line.split(",")
        if len(cells) <= 1 and not line.strip():
            blank = blank or i
            continue
        if blank:
            return Bad(blank, why="blank line")
        if len(cells) != len(header):
            return Bad(i, why="column count")
        rows.append(cells)
        numbers.append(i)
    if not rows:
        return Bad(why="no rows")
    if len(set(header)) != len(header):
        return Bad(why="duplicate names")
    return header, rows, numbers


def reference_csv(data: bytes, label: str):
    """``Bad`` for the first problem, else (x, y, class names, kept, dropped columns).

    The documented rules of load_csv, for files without quotes: a header; every row
    as wide as it; trailing blank lines only; a label in every row and two classes;
    a column mostly of non-numbers is dropped, anything else must be all numbers.
    """
    table = reference_rows(data)
    if isinstance(table, Bad):
        return table
    header, rows, numbers = table
    if label not in header:
        return Bad(why="no label column")
    k = header.index(label)
    labels = [row[k].strip() for row in rows]
    for i, value in zip(numbers, labels, strict=True):
        if not value:
            return Bad(i, why="missing label")
    keys = [reference_label(value) for value in labels]
    if len(set(keys)) < 2:
        return Bad(why="one class")
    classes = sorted(set(keys))
    y = np.array([classes.index(key) for key in keys])
    kept, dropped = {}, []
    for j, name in enumerate(header):
        if j == k:
            continue
        cells = [row[j] for row in rows]
        values = [reference_number(cell) for cell in cells]
        # Cells that are numbers, finite or not, count towards "mostly numbers".
        counted = [
            v is not None or NUMBER_OR_NON_FINITE.fullmatch(c.strip()) is not None
            for c, v in zip(cells, values, strict=True)
        ]
        if 2 * sum(counted) <= sum(bool(c.strip()) for c in cells):
            dropped.append(name)
            continue
        for i, value in zip(numbers, values, strict=True):
            if value is None:
                return Bad(i, why=f"bad cell in {name!r}")
        kept[name] = values
    if not kept:
        return Bad(why="no numeric columns")
    x = np.column_stack(list(kept.values()))
    names = tuple(repr(v) if isinstance(v, float) else str(v) for _, v in classes)
    return x, y, names, tuple(kept), dropped


def reference_label(text: str) -> tuple:
    """A label's class: a number is its value (an integer exactly), so 3, 03, +3,
    3.0 and 3e0 are one class; anything else (1_0, nan, Rock) is its text. Numbers
    sort first, by value; then text."""
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return 0, int(text)
    if NUMBER.fullmatch(text) and math.isfinite(float(text)):
        value = float(text)
        return 0, int(value) if value == int(value) else value
    return 1, text


NUMBER_OR_NON_FINITE = re.compile(
    rf"{NUMBER.pattern}|[+-]?(nan|inf|infinity)", re.ASCII | re.IGNORECASE
)

# load_csv's own faults: no quotes (the csv module's quoting rules are another test).
CSV_FAULTS = [f for f in FAULTS if f[1] not in (quoted, header_row, other_separator)]
CSV_FAULTS += [
    ("Ragged header (one name more or less)", "ragged_header", False),
    ("Label column missing cells", "missing_label", None),
    ("Mixed label spellings (3, 03, +3, 3.0, 3e0, 1_0, 2.50)", "label_spellings", True),
]
# Ways to write a label: one class per value for numbers; 1_0 and nan are text.
SPELLINGS = ["3", "03", "+3", " 3.0", "3e0", "10", "1e1", "10.00", "-2", "-2.0",
             "1_0", "2.5", "2.50", "nan", "Rock"]  # fmt: skip


@st.composite
def csv_cases(draw, fault):
    x = draw(tables((2, 6), draw(st.integers(1, 4))))
    names = [f"f{j}" for j in range(x.shape[1])]
    string_labels = draw(st.booleans())
    pool = ["Rock", "Jazz", "Rap"] if string_labels else ["3", "10", "-2"]
    if fault[1] == "label_spellings":
        pool = SPELLINGS
    labels = draw(
        st.lists(st.sampled_from(pool), min_size=len(x), max_size=len(x)).filter(
            lambda ys: len({reference_label(y.strip()) for y in ys}) > 1
        )
    )
    at = draw(st.integers(0, len(names)))
    header = [*names[:at], "genre", *names[at:]]
    fmt = FORMATS[draw(st.sampled_from(list(FORMATS)))]
    rows = [
        [*map(fmt, row[:at]), y, *map(fmt, row[at:])]
        for row, y in zip(x.tolist(), labels, strict=True)
    ]
    body = join_rows(rows)
    category, fault, valid = fault
    if fault is non_finite:
        valid = None  # "nan" is a fine label, a string like "Rock"
    if fault == "label_spellings":
        data = (",".join(header) + "\n" + body).encode()
    elif fault == "ragged_header":
        header = header[:-1] if draw(st.booleans()) else [*header, "extra"]
        data = (",".join(header) + "\n" + body).encode()
    elif fault == "missing_label":
        for row in rows:
            if draw(st.booleans()):
                row[at] = draw(st.sampled_from(["", " "]))
        data = (",".join(header) + "\n" + join_rows(rows)).encode()
    else:
        data = under_header(draw, fault, header, body)
    return category, valid, data


def under_header(draw, fault, header: list[str], body: str) -> bytes:
    """``fault`` applied to a CSV's rows, the header line kept first."""
    data = fault(draw, body)
    data = data.encode() if isinstance(data, str) else data
    # CSV quoting is the csv module's (tested in test_data.py); these references
    # read unquoted files only.
    data = data.replace(b'"', b"'")
    head = ",".join(header).encode()
    if fault is bom or fault is crlf_bom_trailing:
        end = b"\r\n" if fault is crlf_bom_trailing else b"\n"
        if data.startswith(b"\xef\xbb\xbf"):
            return b"\xef\xbb\xbf" + head + end + data[3:]
        return head + end + data
    return head + b"\n" + data


@pytest.mark.parametrize("fault", CSV_FAULTS, ids=ids(CSV_FAULTS))
@examples(20)
@given(draws=st.data())
def test_load_csv_returns_the_exact_table_or_names_the_problem(workdir, fault, draws):
    category, valid, data = draws.draw(csv_cases(fault), label="case")
    directory = fresh_dir(workdir)
    path = directory / "songs.csv"
    path.write_bytes(data)
    expected = reference_csv(data, "genre")
    if valid is not None:
        assert isinstance(expected, Bad) != valid, (category, expected)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded, err = attempt(load_csv, path, "genre")
    shutil.rmtree(directory)
    if err is not None:
        assert isinstance(expected, Bad), f"refused a valid file: {err}"
        outcome = assert_names_the_problem(err, path, expected)
    else:
        assert not isinstance(expected, Bad), f"loaded a bad file: {expected}"
        x, y, classes, kept, dropped = expected
        assert same_bits(loaded.x_train, x)
        np.testing.assert_array_equal(loaded.y_train, y)
        assert loaded.genre_names == classes
        assert loaded.feature_names == kept
        messages = [str(w.message) for w in caught if w.category is UserWarning]
        if dropped:  # never silently: the warning names every dropped column
            assert len(messages) == 1
            assert all(repr(name) in messages[0] for name in dropped)
            outcome = "loaded; mostly-text column dropped with a warning"
        else:
            assert messages == []
            outcome = "loaded the exact table"
    record(SECTION, f"load_csv: {category}", outcome)


# --- load_unlabelled_csv: the rows to predict -----------------------------------------


def reference_unlabelled(data: bytes, names: list[str]):
    """``Bad`` for the first problem, else the rows' features in ``names`` order.

    The documented rules of load_unlabelled_csv, for files without quotes: those of
    any CSV with a header (`reference_rows`); the header names exactly the training
    features, in any order; then, feature by feature in training order, every cell a
    finite number.
    """
    table = reference_rows(data)
    if isinstance(table, Bad):
        return table
    header, rows, numbers = table
    if sorted(header) != sorted(names):
        return Bad(why="not the training columns")
    columns = []
    for name in names:
        values = [reference_number(row[header.index(name)]) for row in rows]
        for i, value in zip(numbers, values, strict=True):
            if value is None:
                return Bad(i, why=f"bad cell in {name!r}")
        columns.append(values)
    return np.array(columns).T  # (rows, features)


UNLABELLED_FAULTS = [
    f for f in FAULTS if f[1] not in (quoted, header_row, other_separator)
]
UNLABELLED_FAULTS += [
    ("Columns other than the training features", "other_columns", False),
]


@st.composite
def unlabelled_cases(draw, fault):
    x = draw(tables((1, 6), draw(st.integers(1, 4))))
    names = [f"f{j}" for j in range(x.shape[1])]
    order = draw(st.permutations(range(len(names))))  # matched by name: any order
    header = [names[j] for j in order]
    fmt = FORMATS[draw(st.sampled_from(list(FORMATS)))]
    rows = [[fmt(row[j]) for j in order] for row in x.tolist()]
    category, fault, valid = fault
    if fault == "other_columns":
        if len(names) > 1 and draw(st.booleans()):
            header, rows = header[1:], [row[1:] for row in rows]  # one missing
        else:  # the label column left in
            at = draw(st.integers(0, len(header)))
            header = [*header[:at], "genre", *header[at:]]
            rows = [[*row[:at], "Rock", *row[at:]] for row in rows]
        data = (",".join(header) + "\n" + join_rows(rows)).encode()
    else:
        data = under_header(draw, fault, header, join_rows(rows))
    return category, valid, names, data


@pytest.mark.parametrize("fault", UNLABELLED_FAULTS, ids=ids(UNLABELLED_FAULTS))
@examples(15)
@given(draws=st.data())
def test_load_unlabelled_csv_returns_the_exact_rows_or_names_the_problem(
    workdir, fault, draws
):
    category, valid, names, data = draws.draw(unlabelled_cases(fault), label="case")
    directory = fresh_dir(workdir)
    path = directory / "new.csv"
    path.write_bytes(data)
    expected = reference_unlabelled(data, names)
    if valid is not None:
        assert isinstance(expected, Bad) != valid, (category, expected)
    loaded, err = attempt(load_unlabelled_csv, path, names)
    shutil.rmtree(directory)
    if err is not None:
        assert isinstance(expected, Bad), f"refused a valid file: {err}"
        outcome = assert_names_the_problem(err, path, expected)
    else:
        assert not isinstance(expected, Bad), f"loaded a bad file: {expected}"
        assert same_bits(loaded, expected)
        outcome = "read the exact rows"
    record(SECTION, f"load_unlabelled_csv: {category}", outcome)


# --- the submission reader ------------------------------------------------------------


def reference_submission(data: bytes, n_classes: int):
    """The strict reader's format: exact header, ids 1..N, labels or probabilities."""
    text = reference_text(data)
    if isinstance(text, Bad):
        return text
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    lines = [line.removesuffix("\r") for line in lines]
    header = tuple(name.strip() for name in lines[0].split(","))
    if header == kaggle.LABEL_HEADER:
        kind = "labels"
    elif header == kaggle.proba_header(n_classes):
        kind = "proba"
    else:
        return Bad(1, why="header")
    if len(lines) == 1:
        return Bad(why="no rows")
    rows = []
    for i, line in enumerate(lines[1:], start=2):
        cells = line.split(",")
        if not line.strip():
            return Bad(i, why="blank")
        if len(cells) != len(header):
            return Bad(i, why="column count")
        first = cells[0].strip()
        if not re.fullmatch(r"[+-]?\d+", first, re.ASCII) or int(first) != i - 1:
            return Bad(i, 1, why="id")
        if kind == "labels":
            text = cells[1].strip()
            if not re.fullmatch(r"[+-]?\d+", text, re.ASCII) or not (
                1 <= int(text) <= n_classes
            ):
                return Bad(i, 2, why="label")
            rows.append(int(text) - 1)
            continue
        values = [reference_number(c) for c in cells[1:]]
        for j, value in enumerate(values, start=2):
            if value is None or value < 0:
                return Bad(i, j, why="probability")
        if abs(math.fsum(values) - 1) > 1e-3:
            return Bad(i, why="sum")
        rows.append(values)
    return kind, np.array(rows)


SUBMISSION_FAULTS = [
    f
    for f in FAULTS
    if f[1] not in (header_row, crlf_bom_trailing, line_ends, blank_line)
]
SUBMISSION_FAULTS += [
    ("Windows: CRLF and a BOM", "crlf_bom", True),
    ("Blank line (none allowed, not even at the end)", blank_line, False),
]


@st.composite
def submission_cases(draw, fault):
    n_classes = draw(st.integers(2, 10))
    n = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if draw(st.booleans()):
        labels = rng.integers(0, n_classes, n)
        header = ",".join(kaggle.LABEL_HEADER)
        body = "".join(f"{i},{y + 1}\n" for i, y in enumerate(labels, start=1))
    else:
        proba = rng.dirichlet(np.ones(n_classes) * 0.3, size=n)
        header = ",".join(kaggle.proba_header(n_classes))
        body = "".join(
            f"{i}," + ",".join(map(repr, row)) + "\n"
            for i, row in enumerate(proba.tolist(), start=1)
        )
    category, fault, valid = fault
    if fault == "crlf_bom":
        data = b"\xef\xbb\xbf" + (header + "\n" + body).replace("\n", "\r\n").encode()
    elif fault is empty:
        data = fault(draw, body)
    else:
        # The faults apply to the data rows; the header stays line 1.
        data = fault(draw, body)
        data = data.encode() if isinstance(data, str) else data
        if data.startswith(b"\xef\xbb\xbf"):
            data = b"\xef\xbb\xbf" + header.encode() + b"\n" + data[3:]
        else:
            data = header.encode() + b"\n" + data
    return category, valid, n_classes, data


@pytest.mark.parametrize("fault", SUBMISSION_FAULTS, ids=ids(SUBMISSION_FAULTS))
@examples(15)
@given(draws=st.data())
def test_read_submission_returns_the_exact_values_or_names_the_problem(
    workdir, fault, draws
):
    category, valid, n_classes, data = draws.draw(submission_cases(fault), label="case")
    directory = fresh_dir(workdir)
    path = directory / "submission.csv"
    path.write_bytes(data)
    expected = reference_submission(data, n_classes)
    if valid is not None:
        assert isinstance(expected, Bad) != valid, (category, expected)
    submission, err = attempt(kaggle.read_submission, path, n_classes)
    shutil.rmtree(directory)
    if err is not None:
        assert isinstance(expected, Bad), f"refused a valid file: {err}"
        outcome = assert_names_the_problem(err, path, expected)
    else:
        assert not isinstance(expected, Bad), f"loaded a bad file: {expected}"
        kind, values = expected
        assert submission.kind == kind
        if kind == "labels":
            np.testing.assert_array_equal(submission.labels, values)
        else:
            assert same_bits(submission.proba, values)
        outcome = "read the exact values"
    record(SECTION, f"read_submission: {category}", outcome)
