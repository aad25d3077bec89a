"""Tests for study.data: Dataset, the Kaggle loader and writer, load_csv."""

import doctest
import re

import numpy as np
import pytest

from minigenre.study import data
from minigenre.study.data import (
    GENRES,
    N_FEATURES,
    SECTIONS,
    Dataset,
    load_csv,
    load_kaggle,
    select_sections,
    write_kaggle,
)
from minigenre.study.synthetic import make_synthetic


def small_dataset(n=30, m=7, seed=0):
    """A Kaggle-shaped dataset with awkward floats and every class present."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n + m, N_FEATURES)) * 10.0 ** rng.integers(
        -300, 300, size=(1, N_FEATURES)
    )
    x[0, :3] = [0.1, -0.0, 5e-324]  # inexact decimal, signed zero, subnormal
    y = np.arange(n) % len(GENRES)
    return Dataset(x[:n], y, x[n:], genre_names=GENRES)


@pytest.fixture
def kaggle_dir(tmp_path):
    write_kaggle(small_dataset(), tmp_path)
    return tmp_path


def edit_line(path, number, new_text):
    """Replaces 1-based line ``number`` of ``path`` with ``new_text``."""
    lines = path.read_text().split("\n")
    lines[number - 1] = new_text
    path.write_text("\n".join(lines))


def row_text(values):
    return ",".join(str(v) for v in values)


# --- constants and the Dataset type ---------------------------------------------------


def test_constants_describe_the_kaggle_layout():
    assert GENRES[0] == "Pop_Rock"
    assert GENRES[-1] == "Blues"
    assert len(GENRES) == 10
    assert list(SECTIONS) == ["rhythm", "chroma", "mfcc"]
    widths = [s.stop - s.start for s in SECTIONS.values()]
    assert widths == [168, 48, 48]
    assert sum(widths) == N_FEATURES
    with pytest.raises(TypeError):
        SECTIONS["extra"] = slice(0, 1)  # read-only view


def test_docstring_examples():
    assert doctest.testmod(data, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


def test_dataset_copies_converts_and_freezes():
    x = np.arange(6).reshape(3, 2)  # ints become float64
    y = np.array([0, 1, 1], dtype=np.int32)
    ds = Dataset(
        x, y, np.zeros((0, 2)), genre_names=["a", "b"], feature_names=["f", "g"]
    )
    assert ds.x_train.dtype == np.float64
    assert ds.y_train.dtype == np.int64
    assert ds.genre_names == ("a", "b")
    assert ds.feature_names == ("f", "g")
    assert (ds.n_classes, ds.n_features) == (2, 2)
    x[0, 0] = 99  # the caller's array is not shared
    assert ds.x_train[0, 0] == 0
    with pytest.raises(ValueError, match="read-only"):
        ds.x_train[0, 0] = 1.0
    with pytest.raises(AttributeError):
        ds.x_train = np.zeros((3, 2))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"x_train": np.zeros(3)},
            r"x_train must be 2-D \(samples, features\). "
            r"Received: x_train.shape=\(3,\)",
        ),
        (
            {"x_train": np.array([["a"] * 2] * 3)},
            r"x_train must hold numbers .*Received: x_train.dtype=<U1",
        ),
        ({"x_test": np.zeros((2, 3))}, "x_test has 3 columns but x_train has 2"),
        (
            {"x_train": np.full((3, 2), np.nan)},
            "x_train must hold finite numbers. Received: nan at row 0, column 0",
        ),
        (
            {"y_train": np.array([0, 1])},
            r"y_train must hold one label per row .*\(3 rows\). "
            r"Received: len\(y_train\)=2",
        ),
        (
            {"y_train": np.array([0.0, 1.5, 1.0])},
            "y_train must hold integer class labels. Received: 1.5 at row 1",
        ),
        (
            {"y_train": np.array([0, 1, 2])},
            r"y_train must hold labels in \[0, 2\) for 2 classes. Received: 2 at row 2",
        ),
        ({"y_train": np.array([0, -1, 1])}, r"Received: -1 at row 1"),
        (
            {"y_test": np.array([0])},
            r"y_test must hold one label per row .*\(0 rows\). "
            r"Received: len\(y_test\)=1",
        ),
        ({"genre_names": ("a",)}, "genre_names must be 2\\+ strings"),
        ({"genre_names": (1, 2)}, "genre_names must be 2\\+ strings"),
        ({"feature_names": ("f",)}, "feature_names has 1 names for 2 columns"),
    ],
)
def test_dataset_rejects_bad_fields(kwargs, match):
    fields = {
        "x_train": np.zeros((3, 2)),
        "y_train": np.array([0, 1, 1]),
        "x_test": np.zeros((0, 2)),
        "genre_names": ("a", "b"),
    }
    with pytest.raises(ValueError, match=match):
        Dataset(**{**fields, **kwargs})


# --- write_kaggle and load_kaggle -----------------------------------------------------


def test_kaggle_round_trip_is_bit_identical(kaggle_dir):
    original = small_dataset()
    loaded = load_kaggle(kaggle_dir)
    for name in ("x_train", "y_train", "x_test"):
        a, b = getattr(original, name), getattr(loaded, name)
        assert a.dtype == b.dtype
        assert a.tobytes() == b.tobytes()  # bit for bit, signed zero included
    assert loaded.genre_names == GENRES
    assert loaded.y_test is None


def test_kaggle_files_have_the_competition_format(kaggle_dir):
    labels = (kaggle_dir / "train_labels.csv").read_text()
    assert labels.startswith("1\n2\n3\n")  # 1-based, no header
    first = (kaggle_dir / "train_data.csv").read_text().split("\n")[0].split(",")
    assert len(first) == N_FEATURES
    assert first[:3] == ["0.1", "-0.0", "5e-324"]  # shortest exact repr
    assert sorted(p.name for p in kaggle_dir.iterdir()) == [
        "test_data.csv",
        "train_data.csv",
        "train_labels.csv",
    ]  # no temporary files left behind


def test_synthetic_dataset_round_trips_through_kaggle_files(tmp_path):
    original = make_synthetic(0)
    write_kaggle(original, tmp_path)
    loaded = load_kaggle(tmp_path)
    assert loaded.x_train.shape == (4363, 264)
    assert loaded.x_test.shape == (6544, 264)
    np.testing.assert_array_equal(loaded.x_train, original.x_train)
    np.testing.assert_array_equal(loaded.y_train, original.y_train)
    np.testing.assert_array_equal(loaded.x_test, original.x_test)


def test_write_kaggle_rejects_datasets_that_do_not_fit(tmp_path):
    two = Dataset(
        np.zeros((2, N_FEATURES)), [0, 1], np.zeros((1, N_FEATURES)), ("a", "b")
    )
    with pytest.raises(ValueError, match=r"264 features and 10 classes.*2 classes"):
        write_kaggle(two, tmp_path)
    no_test = small_dataset(m=0)
    with pytest.raises(ValueError, match="x_test is empty"):
        write_kaggle(no_test, tmp_path)
    with pytest.raises(ValueError, match="does not exist"):
        write_kaggle(small_dataset(), tmp_path / "missing")


def test_valid_oddities_load(kaggle_dir):
    original = small_dataset()
    for name in ("train_data.csv", "train_labels.csv", "test_data.csv"):
        path = kaggle_dir / name
        text = path.read_text()
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    # and trailing blank lines at the end of one file, no final newline in another
    path = kaggle_dir / "train_labels.csv"
    path.write_bytes(path.read_bytes() + b"\r\n\n  \n")
    path = kaggle_dir / "test_data.csv"
    path.write_bytes(path.read_bytes().rstrip())
    loaded = load_kaggle(kaggle_dir)
    np.testing.assert_array_equal(loaded.x_train, original.x_train)
    np.testing.assert_array_equal(loaded.y_train, original.y_train)
    np.testing.assert_array_equal(loaded.x_test, original.x_test)


def test_whitespace_around_numbers_is_fine(kaggle_dir):
    path = kaggle_dir / "train_labels.csv"
    edit_line(path, 1, " 1 ")
    assert load_kaggle(kaggle_dir).y_train[0] == 0


def test_missing_directory_and_files(tmp_path, kaggle_dir):
    with pytest.raises(ValueError, match=r"nowhere: directory not found"):
        load_kaggle(tmp_path / "nowhere")
    for name in ("train_data.csv", "train_labels.csv", "test_data.csv"):
        moved = kaggle_dir / name
        moved.rename(tmp_path / "aside")
        with pytest.raises(ValueError, match=rf"{name}: file not found"):
            load_kaggle(kaggle_dir)
        (tmp_path / "aside").rename(moved)


@pytest.mark.parametrize("content", ["", "\n\n", "  \r\n"])
def test_empty_file(kaggle_dir, content):
    (kaggle_dir / "test_data.csv").write_text(content)
    with pytest.raises(ValueError, match=r"test_data.csv: file is empty"):
        load_kaggle(kaggle_dir)


def test_not_utf8(kaggle_dir):
    (kaggle_dir / "train_labels.csv").write_bytes(b"1\n\xff\n")
    with pytest.raises(ValueError, match=r"train_labels.csv: not UTF-8"):
        load_kaggle(kaggle_dir)


def test_header_row_is_rejected(kaggle_dir):
    path = kaggle_dir / "train_data.csv"
    text = path.read_text()
    path.write_text(",".join(f"f{j}" for j in range(N_FEATURES)) + "\n" + text)
    with pytest.raises(ValueError, match=r"train_data.csv, line 1: 'f0,f1,.*header"):
        load_kaggle(kaggle_dir)
    path = kaggle_dir / "train_labels.csv"
    path.write_text("genre\n" + path.read_text())
    path_data = kaggle_dir / "train_data.csv"
    path_data.write_text(text)
    with pytest.raises(ValueError, match=r"train_labels.csv, line 1: 'genre'.*header"):
        load_kaggle(kaggle_dir)


@pytest.mark.parametrize(
    ("line", "new_row", "match"),
    [
        (1, [0.5] * 263, "line 1: 263 columns; expected 264"),
        (3, [0.5] * 263, "line 3: 263 columns; expected 264"),
        (4, [0.5] * 265, "line 4: 265 columns; expected 264"),
        (5, [0.5] * 264 + [""], "line 5: 265 columns"),  # trailing comma
        (
            2,
            ["0.5"] * 6 + ["abc"] + ["0.5"] * 257,
            "line 2, column 7: 'abc' is not a number",
        ),
        (
            2,
            ["0.5"] * 3 + ["nan"] + ["0.5"] * 260,
            "line 2, column 4: 'nan' is not finite",
        ),
        (3, ["-inf"] + ["0.5"] * 263, "line 3, column 1: '-inf' is not finite"),
        (3, ["0.5"] * 263 + [""], r"line 3, column 264: empty cell \(missing value\)"),
        (3, ["1_0"] + ["0.5"] * 263, "line 3, column 1: '1_0' is not a number"),
        (6, ["0x1p3"] + ["0.5"] * 263, "line 6, column 1: '0x1p3' is not a number"),
        (2, ["'0.5'"] + ["0.5"] * 263, "line 2, column 1:"),
    ],
)
def test_bad_data_rows_name_file_line_and_column(kaggle_dir, line, new_row, match):
    for name in ("train_data.csv", "test_data.csv"):
        path = kaggle_dir / name
        saved = path.read_text()
        edit_line(path, line, row_text(new_row))
        with pytest.raises(ValueError, match=rf"{name}, {match}"):
            load_kaggle(kaggle_dir)
        path.write_text(saved)


def test_blank_line_inside_a_file(kaggle_dir):
    path = kaggle_dir / "train_data.csv"
    lines = path.read_text().split("\n")
    path.write_text("\n".join([*lines[:2], "", *lines[2:]]))
    with pytest.raises(ValueError, match=r"train_data.csv, line 3: empty line"):
        load_kaggle(kaggle_dir)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("0", "line 4: label 0 is outside 1..10"),
        ("11", "line 4: label 11 is outside 1..10"),
        ("-3", "line 4: label -3 is outside 1..10"),
        ("2.5", "line 4: label 2.5 is not an integer"),
        ("Rock", "line 4, column 1: 'Rock' is not a number"),
        ("3,4", "line 4: 2 columns; expected 1"),
        ("nan", "line 4, column 1: 'nan' is not finite"),
        ("", "line 4: empty line"),
    ],
)
def test_bad_labels(kaggle_dir, text, match):
    edit_line(kaggle_dir / "train_labels.csv", 4, text)
    with pytest.raises(ValueError, match=rf"train_labels.csv, {match}"):
        load_kaggle(kaggle_dir)


def test_integer_valued_float_labels_are_accepted(kaggle_dir):
    edit_line(kaggle_dir / "train_labels.csv", 4, "4.0")
    assert load_kaggle(kaggle_dir).y_train[3] == 3


def test_row_counts_must_match(kaggle_dir):
    path = kaggle_dir / "train_labels.csv"
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:-1]))
    match = r"train_labels.csv has 29 labels but .*train_data.csv has 30 rows"
    with pytest.raises(ValueError, match=match):
        load_kaggle(kaggle_dir)


def test_a_single_class_is_rejected(kaggle_dir):
    path = kaggle_dir / "train_labels.csv"
    path.write_text("3\n" * 30)
    with pytest.raises(ValueError, match=r"train_labels.csv: every label is 3.*two"):
        load_kaggle(kaggle_dir)


def test_lone_carriage_returns_end_lines(kaggle_dir):
    path = kaggle_dir / "train_labels.csv"
    path.write_text(path.read_text().replace("\n", "\r"))
    np.testing.assert_array_equal(load_kaggle(kaggle_dir).y_train, np.arange(30) % 10)
    edit_line(kaggle_dir / "test_data.csv", 2, "1,2")
    text = (kaggle_dir / "test_data.csv").read_text().replace("\n", "\r")
    (kaggle_dir / "test_data.csv").write_text(text)
    with pytest.raises(ValueError, match=r"test_data.csv, line 2: 2 columns"):
        load_kaggle(kaggle_dir)


# --- load_csv -------------------------------------------------------------------------


def write(tmp_path, text, name="songs.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_load_csv_with_string_labels_and_a_text_column(tmp_path):
    path = write(
        tmp_path,
        'title,tempo,genre,energy\n"Song, The",120.5,rock,0.25\n'
        "B,90,jazz,0.5\nC,100,blues,1e-3\nD,95,rock,2\n",
    )
    with pytest.warns(
        UserWarning, match=r"songs.csv: dropped non-numeric columns \['title'\]"
    ):
        ds = load_csv(path, "genre")
    assert ds.genre_names == ("blues", "jazz", "rock")  # sorted
    np.testing.assert_array_equal(ds.y_train, [2, 1, 0, 2])
    assert ds.feature_names == ("tempo", "energy")
    np.testing.assert_array_equal(
        ds.x_train, [[120.5, 0.25], [90, 0.5], [100, 1e-3], [95, 2]]
    )
    assert ds.x_test.shape == (0, 2)
    assert ds.y_test is None


def test_load_csv_sorts_integer_labels_numerically(tmp_path):
    path = write(tmp_path, "a,label\n1,10\n2,2\n3,10\n4,9\n")
    ds = load_csv(path, "label")
    assert ds.genre_names == ("2", "9", "10")
    np.testing.assert_array_equal(ds.y_train, [2, 0, 2, 1])


@pytest.mark.parametrize("column", [0, -3, "0"])
def test_load_csv_label_by_position(tmp_path, column):
    path = write(tmp_path, "genre,a,b\nx,1,2\ny,3,4\n")
    ds = load_csv(path, column)
    assert ds.feature_names == ("a", "b")
    np.testing.assert_array_equal(ds.x_train, [[1, 2], [3, 4]])


def test_load_csv_prefers_a_column_named_by_digits(tmp_path):
    path = write(tmp_path, "a,1,genre\n5,6,x\n7,8,y\n")
    assert load_csv(path, "2").genre_names == ("x", "y")
    with pytest.warns(UserWarning, match=r"\['genre'\]"):
        assert load_csv(path, "1").genre_names == ("6", "8")  # the column named "1"


def test_load_csv_valid_oddities(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes(b"\xef\xbb\xbfgenre,a\r\nx,1\r\ny,2\r\n\r\n")
    ds = load_csv(path, "genre")  # the BOM is not part of the first column's name
    assert ds.feature_names == ("a",)
    np.testing.assert_array_equal(ds.x_train, [[1], [2]])


def test_load_csv_drops_an_empty_column_with_a_warning(tmp_path):
    path = write(tmp_path, "genre,a,notes\nx,1,\ny,2,\n")
    with pytest.warns(UserWarning, match=r"\['notes'\]"):
        ds = load_csv(path, "genre")
    assert ds.feature_names == ("a",)


@pytest.mark.parametrize(
    ("text", "column", "match"),
    [
        ("", "genre", "songs.csv: file is empty"),
        ("genre,a\n", "genre", "songs.csv: no data rows after the header"),
        (
            "genre,a\nx,1\n",
            "style",
            r"no label column 'style'; columns are \['genre', 'a'\]",
        ),
        ("genre,a\nx,1\n", 2, r"no label column 2"),
        ("genre,a\nx,1\n", True, r"no label column True"),
        (
            "genre,a\nx,1\ny,2,3\n",
            "genre",
            "songs.csv, line 3: 3 columns; the header has 2",
        ),
        (
            "genre,a\nx,1\ny\n",
            "genre",
            "songs.csv, line 3: 1 columns; the header has 2",
        ),
        ("genre,a\nx,1\n\ny,2\n", "genre", "songs.csv, line 3: empty line"),
        (
            "genre,a\nx,1\ny,2\nz,abc\n",
            "genre",
            r"line 4, column 'a' \(position 1\): 'abc' is not a number",
        ),
        (
            "genre,a\nx,1\ny,nan\nz,3\n",
            "genre",
            r"line 3, column 'a' \(position 1\): 'nan' is not finite",
        ),
        (
            "genre,a\nx,1\ny,inf\nz,3\n",
            "genre",
            r"line 3, column 'a'.*'inf' is not finite",
        ),
        ("genre,a\nx,1\ny,\nz,3\n", "genre", r"line 3, column 'a'.*empty cell"),
        ("genre,a\nx,1\n,2\n", "genre", "songs.csv, line 3: missing label"),
        (
            "genre,a\nx,1\nx,2\n",
            "genre",
            "songs.csv: every label is 'x'; .*two classes",
        ),
        ("genre,a\n7,1\n7,2\n", "genre", "every label is 7"),
        ("genre,a,a\nx,1,2\ny,1,2\n", "genre", r"duplicate column names"),
        ('genre,a\nx,"1\n', "genre", "songs.csv, line 2: unexpected end"),
        ('genre,a\n"x"y,1\n', "genre", "songs.csv, line 2: ',' expected"),
    ],
)
def test_load_csv_bad_input(tmp_path, text, column, match):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=match):
        load_csv(path, column)


def test_load_csv_without_numeric_features(tmp_path):
    path = write(tmp_path, "genre,title\nx,A\ny,B\n")
    with (
        pytest.warns(UserWarning, match=r"\['title'\]"),
        pytest.raises(ValueError, match=r"songs.csv: no numeric feature columns"),
    ):
        load_csv(path, "genre")


def test_load_csv_missing_file(tmp_path):
    with pytest.raises(
        ValueError, match=re.escape(f"{tmp_path / 'no.csv'}: file not found")
    ):
        load_csv(tmp_path / "no.csv", "genre")


def test_load_csv_reads_a_kaggle_sized_table(tmp_path):
    ds = make_synthetic(0)
    header = "genre," + ",".join(f"f{j}" for j in range(N_FEATURES))
    rows = (
        f"{GENRES[k]}," + ",".join(map(repr, row))
        for k, row in zip(ds.y_train.tolist(), ds.x_train.tolist(), strict=True)
    )
    path = write(tmp_path, header + "\n" + "\n".join(rows) + "\n")
    loaded = load_csv(path, "genre")
    np.testing.assert_array_equal(loaded.x_train, ds.x_train)
    assert loaded.genre_names == tuple(sorted(GENRES))
    names = np.array(GENRES)[ds.y_train]
    np.testing.assert_array_equal(np.array(loaded.genre_names)[loaded.y_train], names)


def test_select_sections_keeps_the_columns_of_those_sections():
    data = make_synthetic(0)
    chosen = select_sections(data, ("chroma", "rhythm"))  # any order: columns' own
    np.testing.assert_array_equal(chosen.x_train, data.x_train[:, :216])
    np.testing.assert_array_equal(chosen.x_test, data.x_test[:, :216])
    np.testing.assert_array_equal(chosen.y_test, data.y_test)
    only = select_sections(data, ("mfcc",))
    np.testing.assert_array_equal(only.x_train, data.x_train[:, 216:])
    assert select_sections(data, None) is data


def test_select_sections_needs_the_studys_columns():
    small = Dataset(np.zeros((2, 3)), np.array([0, 1]), np.zeros((0, 3)), ("a", "b"))
    with pytest.raises(ValueError, match=r"the data has 3\. Received: sections="):
        select_sections(small, ("rhythm",))
    with pytest.raises(ValueError, match=r"Unknown sections \['beat'\]"):
        select_sections(make_synthetic(0), ("beat",))
