"""CSV tables with a header, read a block of rows at a time.

Two readers share one loop (`read_csv_table`): `read_labelled_csv`, the rows to train
on (`data.load_csv`), and `read_unlabelled_csv`, the same feature columns without
the label, to predict (`data.load_unlabelled_csv`). The file is checked first
(`tables.scan_text`: UTF-8, no absurd line, its line count), then parsed with the
``csv`` module in blocks of about 16,000 cells, each block's columns converted to
floats and written into one array allocated for all rows. So memory is the array
and a block of text cells (and, for labelled rows, one number per row for the line
and one for the label), whatever the file's size.

The rules, and the order in which problems are reported, are those of reading the
whole file at once: the first blank or ragged line; no rows; duplicate column
names; an unknown label column (or, to predict, a missing or extra feature column);
the first missing label; a single class; then, column by column (in training order,
to predict), the first cell of a numeric column that is not a finite number.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from minigenre.study.tables import check_cell, scan_text, to_float

_BLOCK_CELLS = 2**14
_INTEGER = re.compile(r"[+-]?[0-9]+")


def label_key(cell: str) -> tuple[int, int | float | str]:
    """What a label means: a number by its value, anything else by its text.

    ``3``, ``03``, ``+3``, ``3.0`` and ``3e0`` are one class, 3; ``1_0`` is text, not
    10. Numbers sort before text, by value; integers stay exact however long.
    """
    text = cell.strip()
    if _INTEGER.fullmatch(text) and len(text) <= 4000:  # int()'s limit is 4300
        return 0, int(text)
    value = to_float(text)
    if value is not None and math.isfinite(value):
        return 0, int(value) if value.is_integer() else value
    return 1, text


def label_name(key: tuple[int, int | float | str]) -> str:
    """The class name for `label_key`'s key: ``"3"`` for 3 and for 3.0."""
    value = key[1]
    return repr(value) if isinstance(value, float) else str(value)


class _Column:
    """What the cells of one feature column held so far."""

    def __init__(self) -> None:
        self.numbers = 0  # cells that are numbers, finite or not
        self.filled = 0  # cells that are not blank
        self.first_bad: tuple[int, str, float | None] | None = None

    def parse(self, cells: tuple[str, ...], lines: tuple[int, ...]) -> np.ndarray:
        """The cells as floats (NaN where not a number), counting what they held."""
        try:  # float() is what to_float calls: the usual case, without a copy
            values = np.fromiter(map(float, cells), np.float64, len(cells))
            if np.isfinite(values).all() and "_" not in "".join(cells):
                self.numbers += len(cells)
                self.filled += len(cells)
                return values
        except ValueError:
            pass
        parsed = [to_float(cell) for cell in cells]
        self.numbers += sum(value is not None for value in parsed)
        self.filled += sum(bool(cell.strip()) for cell in cells)
        for line, cell, value in zip(lines, cells, parsed, strict=True):
            if self.first_bad is None and (value is None or not math.isfinite(value)):
                self.first_bad = (line, cell, value)
        return np.array([math.nan if v is None else v for v in parsed])


class _Table:
    """The rows read so far: features, line numbers and label codes."""

    def __init__(self, path: Path, header: list[str], label, max_rows: int) -> None:
        self.path, self.header, self.n, self.label = path, header, 0, -1
        self.problem: ValueError | None = None  # reported once all rows are read
        if len(set(header)) != len(header):
            self.problem = ValueError(
                f"{path}: duplicate column names in header {header}."
            )
        else:
            try:
                self.label = column_index(path, header, label)
            except ValueError as err:
                self.problem = err
        self.features = [j for j in range(len(header)) if j != self.label]
        self.columns = {j: _Column() for j in self.features}
        try:
            self.x = np.empty((max_rows, len(self.features)))  # (rows, features)
            self.lines = np.empty(max_rows, dtype=np.int64)
            self.codes = np.empty(max_rows, dtype=np.int64)
        except MemoryError:
            raise ValueError(
                f"{path}: {max_rows} rows of {len(header)} columns do not fit in "
                "memory."
            ) from None
        self.keys: dict = {}  # label key -> code, in order of appearance
        self.missing: int | None = None  # line of the first missing label

    def add(self, block: list[tuple[list[str], int]]) -> None:
        if not block:
            return
        start, stop = self.n, self.n + len(block)
        rows, lines = zip(*block, strict=True)
        self.lines[start:stop] = lines
        self.n = stop
        if self.problem is not None:
            return  # no label column to tell features from
        columns = list(zip(*rows, strict=True))  # (columns, rows) text cells
        labels = zip(columns[self.label], lines, strict=True)
        for i, (cell, line) in enumerate(labels, start):
            if not cell.strip():
                self.missing = self.missing or line
            key = label_key(cell)
            self.codes[i] = self.keys.setdefault(key, len(self.keys))
        for k, j in enumerate(self.features):
            self.x[start:stop, k] = self.columns[j].parse(columns[j], lines)

    def finish(self):
        """``(x, y, class names, feature names, dropped names)``, or the first
        problem found."""
        path = self.path
        if self.n == 0:
            raise ValueError(f"{path}: no data rows after the header.")
        if self.problem is not None:
            raise self.problem
        if self.missing is not None:
            raise ValueError(f"{path}, line {self.missing}: missing label.")
        classes = sorted(self.keys)
        if len(classes) < 2:
            raise ValueError(
                f"{path}: every label is {classes[0][1]!r}; a classifier "
                "needs at least two classes."
            )
        remap = np.empty(len(classes), dtype=np.int64)
        for k, key in enumerate(classes):
            remap[self.keys[key]] = k
        y = remap[self.codes[: self.n]]
        kept, dropped = [], []
        for k, j in enumerate(self.features):
            column, name = self.columns[j], self.header[j]
            if 2 * column.numbers <= column.filled:  # mostly text: a title, a path
                dropped.append(name)
                continue
            if column.first_bad is not None:
                line, cell, value = column.first_bad
                where = f"{path}, line {line}, column {name!r} (position {j})"
                check_cell(where, cell, value)
            kept.append(k)
        x = self.x[: self.n]  # (n, d)
        if dropped:
            x = x[:, kept]
        names = tuple(self.header[self.features[k]] for k in kept)
        return x, y, tuple(label_name(key) for key in classes), names, dropped


class _Features:
    """Rows to predict: the training features, found by name, in training order."""

    def __init__(self, path: Path, header: list[str], names, max_rows: int) -> None:
        self.path, self.names, self.n = path, tuple(names), 0
        self.problem = _feature_problem(path, header, self.names)
        self.positions = [] if self.problem else [header.index(n) for n in self.names]
        self.columns = [_Column() for _ in self.positions]
        try:
            # (features, rows): each column's block is contiguous, and the result
            # transposed is the (rows, features) array in Fortran order.
            self.xt = np.empty((len(self.positions), max_rows))
        except MemoryError:
            raise ValueError(
                f"{path}: {max_rows} rows of {len(self.positions)} numbers do not "
                "fit in memory."
            ) from None

    def add(self, block: list[tuple[list[str], int]]) -> None:
        if not block:
            return
        rows, lines = zip(*block, strict=True)
        start, self.n = self.n, self.n + len(block)
        if self.problem is not None:
            return  # the rows are still read: a ragged line is reported first
        cells = list(zip(*rows, strict=True))  # (columns, rows) text cells
        for k, j in enumerate(self.positions):
            self.xt[k, start : self.n] = self.columns[k].parse(cells[j], lines)

    def finish(self) -> np.ndarray:
        """The features, shape ``(n, d)``, or the first problem found."""
        if self.n == 0:
            raise ValueError(f"{self.path}: no data rows after the header.")
        if self.problem is not None:
            raise self.problem
        for k, j in enumerate(self.positions):
            if self.columns[k].first_bad is not None:
                line, cell, value = self.columns[k].first_bad
                where = f"{self.path}, line {line}, column {self.names[k]!r}"
                check_cell(f"{where} (position {j})", cell, value)
        return self.xt[:, : self.n].T  # (n, d)


def listed(names: list, at_most: int = 10) -> str:
    """``names`` as a list, the first ``at_most`` of a longer one and their count:
    an error about a 265-column header stays one readable line."""
    if len(names) <= at_most:
        return str(names)
    return f"{str(names[:at_most])[:-1]}, ... ({len(names)} in all)]"


def _feature_problem(path: Path, header: list[str], names) -> ValueError | None:
    """Why the header's columns cannot be the training features, or None."""
    if len(set(header)) != len(header):
        return ValueError(f"{path}: duplicate column names in header {listed(header)}.")
    missing = [name for name in names if name not in header]
    extra = [name for name in header if name not in names]
    if not missing and not extra:
        return None
    problems = [f"missing {listed(missing)}"] if missing else []
    problems += [f"not trained on {listed(extra)}"] if extra else []
    return ValueError(
        f"{path}: the columns must be the training features without the label; "
        f"{', '.join(problems)}."
    )


def column_index(path: Path, header: list[str], label_column: str | int) -> int:
    """The label column's position, from its name or its 0-based position."""
    if isinstance(label_column, str) and label_column in header:
        return header.index(label_column)
    if isinstance(label_column, str) and label_column.isdigit():
        if len(label_column) > 20:  # int() refuses 4300 digits, naming nothing
            raise ValueError(f"{path}: no label column {label_column[:20]!r}...")
        label_column = int(label_column)  # "3" from a command line, naming no column
    is_int = isinstance(label_column, int) and not isinstance(label_column, bool)
    if is_int and -len(header) <= label_column < len(header):
        return label_column % len(header)  # negative positions count from the end
    raise ValueError(
        f"{path}: no label column {label_column!r}; columns are {listed(header)}."
    )


def _rows(path: Path, reader, width: int):
    """``(row, line)`` for each row that is not blank; blank lines only at the end."""
    blank = None
    for row in reader:
        if len(row) <= 1 and not "".join(row).strip():
            blank = blank or reader.line_num  # fine if only blanks follow
            continue
        if blank:
            raise ValueError(f"{path}, line {blank}: empty line.")
        if len(row) != width:
            raise ValueError(
                f"{path}, line {reader.line_num}: {len(row)} columns; the header "
                f"has {width}."
            )
        yield row, reader.line_num


def read_csv_table(path: Path, make_table):
    """Reads a CSV with a header into ``make_table(header, max_rows)``, a block of
    ``(row, line)`` pairs at a time (its ``add`` method), and returns that table."""
    n_lines = scan_text(path)
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, strict=True)  # strict: a stray quote is an error
        try:
            header = [name.strip() for name in next(reader)]
            table = make_table(header, n_lines - 1)
            per_block = max(1, _BLOCK_CELLS // max(1, len(header)))
            block = []
            for row in _rows(path, reader, len(header)):
                block.append(row)
                if len(block) == per_block:
                    table.add(block)
                    block = []
            table.add(block)
        except csv.Error as err:
            raise ValueError(f"{path}, line {reader.line_num}: {err}.") from None
    return table


def read_labelled_csv(path: Path, label_column: str | int):
    """Reads a CSV with a header; see `data.load_csv` for the rules.

    Returns:
        ``(x, y, class names, feature names, dropped column names)``.
    """
    table = read_csv_table(
        path, lambda header, rows: _Table(path, header, label_column, rows)
    )
    return table.finish()


def read_unlabelled_csv(path: Path, feature_names: Sequence[str]) -> np.ndarray:
    """Reads rows to predict; see `data.load_unlabelled_csv` for the rules.

    Returns:
        The features, shape ``(n, len(feature_names))``, in ``feature_names`` order.
    """
    table = read_csv_table(
        path, lambda header, rows: _Features(path, header, feature_names, rows)
    )
    return table.finish()
