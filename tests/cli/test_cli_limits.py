"""`train --csv` checks the documented limits before it trains."""

import time

from cli_helpers import run_cli

from minigenre.saving import files


def write_wide_table(path, n_columns, n_rows=4):
    header = ",".join(f"c{i}" for i in range(n_columns)) + ",genre"
    row = ",".join("0" for _ in range(n_columns))
    lines = [header] + [f"{row},{'ab'[r % 2]}" for r in range(n_rows)]
    path.write_text("\n".join(lines) + "\n")


def test_a_table_too_wide_for_a_run_is_refused_before_training(capsys, tmp_path):
    units = 4096  # so that a narrow table is too wide: 16,383 columns at most
    widest = (files.MAX_NPZ_BYTES // 4 - units - units * 2 - 2) // units
    table = tmp_path / "wide.csv"
    write_wide_table(table, widest + 1)
    start = time.perf_counter()
    code, _, stderr = run_cli(
        capsys, "train", "--csv", table, "--label-column", "genre",
        "--out", tmp_path / "run", "--units", units,
    )  # fmt: skip
    assert code == 2
    assert stderr.count("\n") == 1
    assert f"4 rows of {widest + 1} feature columns" in stderr
    assert f"at most {widest} columns). Not trained." in stderr
    assert not (tmp_path / "run").exists()
    assert f"with {units} hidden units" in stderr
    assert time.perf_counter() - start < 20  # the training would take minutes
