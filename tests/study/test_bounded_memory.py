"""Memory bounded by the data, not by what a file claims.

A small ``.npz`` can hold gigabytes of compressed zeros, and a text file can be one
endless line: each must be refused (or read) without ever holding what it claims.
``tracemalloc`` sees NumPy's allocations as well as Python's, so the peak it reports
bounds what the loader held.
"""

import io
import tracemalloc
import zipfile

import numpy as np
import pytest

from minigenre.study import kaggle, workflow
from minigenre.study.config import DataSource
from minigenre.study.data import load_csv, load_kaggle, load_unlabelled_csv
from minigenre.study.network import study_model
from minigenre.study.preprocessing import StandardScaler
from minigenre.study.runs import SCALER, WEIGHTS, load_run, save_run
from minigenre.study.tables import MAX_LINE

MB = 2**20


def npy_header(shape: tuple[int, ...], dtype: str) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": dtype, "fortran_order": False, "shape": shape}
    )
    return b"\x93NUMPY\x01\x00" + buffer.getvalue()[8:]


def write_bomb(path, keys: list[str], zeros: int) -> None:
    """A valid-looking ``.npz``: each key a float32 vector of ``zeros`` bytes of 0."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        version = io.BytesIO()
        np.lib.format.write_array(version, np.array(1))
        archive.writestr("format_version.npy", version.getvalue())
        chunk = bytes(MB)
        for key in keys:
            with archive.open(f"{key}.npy", "w", force_zip64=True) as member:
                member.write(npy_header((zeros // 4,), "<f4"))
                for _ in range(zeros // MB):
                    member.write(chunk)


def peak_while(function, *args) -> tuple[int, Exception | None]:
    """Peak bytes traced while ``function(*args)`` runs, and what it raised."""
    tracemalloc.start()
    try:
        function(*args)
        raised = None
    except ValueError as err:
        raised = err
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak, raised


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """320 MiB of zeros (more than any run holds) in a file of under 1 MB."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.npz"
    write_bomb(path, ["weight_0"], 320 * MB)
    assert path.stat().st_size < MB
    return path


def test_a_zip_bomb_of_weights_is_refused_before_decompressing(bomb):
    model = study_model(seed=0)
    model.build(264)
    peak, err = peak_while(model.load_weights, bomb)
    assert peak < 4 * MB, peak
    assert err is not None
    assert str(bomb) in str(err), err
    assert "more than any run needs" in str(err)


def test_a_zip_bomb_of_a_scaler_is_refused_before_decompressing(tmp_path):
    path = tmp_path / "scaler.npz"
    write_bomb(path, ["mean", "var", "scale"], 96 * MB)  # 288 MiB in all
    peak, err = peak_while(StandardScaler.load, path)
    assert peak < 4 * MB, peak
    assert err is not None
    assert "more than any run needs" in str(err), err


def test_a_run_holding_a_bomb_under_the_cap_is_refused_from_the_headers(tmp_path):
    path = tmp_path / "t.csv"
    rows = [f"{i % 5},{i * i % 7},{'ab'[i % 2]}" for i in range(40)]
    path.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    source = DataSource("csv", str(path), "label")
    run = workflow.train_run(source.load(), source, epochs=1, verbose=0)
    for name in (WEIGHTS, SCALER):
        run_dir = tmp_path / name
        save_run(run, run_dir)
        write_bomb(run_dir / name, ["weight_0", "mean"], 64 * MB)
        peak, err = peak_while(load_run, run_dir)
        assert peak < 4 * MB, peak
        assert err is not None
        assert str(run_dir / name) in str(err), err
        assert "describes" in str(err)  # the config's shapes, not the file's


def test_a_header_that_misstates_its_data_is_refused(tmp_path):
    path = tmp_path / "scaler.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("format_version.npy", npy_header((), "<i8") + bytes(8))
        archive.writestr("weight_0.npy", npy_header((2**30,), "<f4") + bytes(64))
    peak, err = peak_while(StandardScaler.load, path)
    assert peak < MB
    assert err is not None
    assert "header describes 4294967424 bytes" in str(err), err


NUL_LINE = 64 * MB  # one line without a line end, larger than any table's line


@pytest.fixture(scope="module")
def nul_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("nul") / "train_data.csv"
    with open(path, "wb") as f:
        f.truncate(NUL_LINE)  # a sparse file of NUL bytes
    return path


def test_a_file_of_nul_bytes_is_refused_without_reading_it_whole(nul_file):
    peak, err = peak_while(load_csv, nul_file, "y")
    assert peak < 40 * MB, peak  # well under the file's 64 MiB
    assert err is not None
    assert str(nul_file) in str(err), err
    assert "line 1" in str(err)
    peak, err = peak_while(load_kaggle, nul_file.parent)
    assert peak < 40 * MB, peak
    assert err is not None
    assert f"{nul_file}, line 1" in str(err), err


def test_a_valid_csv_loads_within_three_times_its_array(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 64)) * 10.0 ** rng.integers(-5, 5, size=(4000, 64))
    y = rng.integers(0, 3, 4000)
    path = tmp_path / "big.csv"
    header = ",".join(f"f{j}" for j in range(64)) + ",genre\n"
    with open(path, "w") as f:
        f.write(header)
        f.writelines(
            ",".join(map(repr, row)) + f",{label}\n"
            for row, label in zip(x.tolist(), y.tolist(), strict=True)
        )
    peak, err = peak_while(load_csv, path, "genre")
    assert peak < 3 * x.nbytes, (peak, x.nbytes)  # the text is 2.4 times as big
    assert err is None, err
    dataset = load_csv(path, "genre")
    assert np.array_equal(dataset.x_train, x)


def test_a_file_of_nul_bytes_is_refused_as_rows_to_predict_or_a_submission(nul_file):
    for read, args in [(load_unlabelled_csv, ["f1"]), (kaggle.read_submission, [])]:
        peak, err = peak_while(read, nul_file, *args)
        assert peak < 40 * MB, (read, peak)  # well under the file's 64 MiB
        assert err is not None
        assert f"{nul_file}, line 1: longer than {MAX_LINE}" in str(err), err


def test_a_valid_csv_of_rows_to_predict_loads_within_three_times_its_array(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 64)) * 10.0 ** rng.integers(-5, 5, size=(4000, 64))
    names = [f"f{j}" for j in range(64)]
    path = tmp_path / "new.csv"
    with open(path, "w") as f:  # the columns in reverse: matched by name
        f.write(",".join(reversed(names)) + "\n")
        f.writelines(",".join(map(repr, reversed(row))) + "\n" for row in x.tolist())
    peak, err = peak_while(load_unlabelled_csv, path, names)
    assert peak < 3 * x.nbytes, (peak, x.nbytes)  # the text is 2.4 times as big
    assert err is None, err
    assert np.array_equal(load_unlabelled_csv(path, names), x)


def test_a_valid_submission_takes_twice_its_array_and_one_block(tmp_path):
    proba = np.random.default_rng(0).dirichlet(np.ones(10), size=20_000)
    path = tmp_path / "probabilities.csv"
    kaggle.write_proba_submission(path, proba)  # 2.6 times the array's size
    peak, err = peak_while(kaggle.read_submission, path)
    # The blocks' arrays and their concatenation, plus a block's lines, cells and
    # numbers as Python objects (about 4 MiB); not the file's text.
    assert peak < 2 * proba.nbytes + 4 * MB, (peak, proba.nbytes)
    assert err is None, err
    assert np.array_equal(kaggle.read_submission(path).proba, proba)


@pytest.mark.parametrize(
    ("line_end", "filler"), [("\n", "1"), ("\n", "1,3\r")], ids=["digits", "cr"]
)
def test_a_submission_line_past_the_limit_is_refused_at_that_line(
    tmp_path, line_end, filler
):
    # A lone \r ends no line of a submission: 1,3\r1,3\r... is one long line 3.
    path = tmp_path / "labels.csv"
    long_line = filler * (MAX_LINE // len(filler) + 1)
    path.write_text(f"Sample_id,Sample_label{line_end}1,3{line_end}{long_line}\n")
    peak, err = peak_while(kaggle.read_submission, path)
    assert err is not None
    assert f"{path}, line 3: longer than {MAX_LINE} characters" in str(err), err
    assert peak < 3 * len(long_line), peak
