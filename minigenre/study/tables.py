"""Tables of numbers read from text, a block at a time, with every problem located.

Every table minigenre reads from a text file comes through here: the Kaggle files
(`parse_floats`), CSVs with a header (`minigenre.study.labelled`) and submissions
(`kaggle.read_submission`, through `split_lines`). Memory is bounded by the data,
not by the file: a first pass checks that the file is UTF-8 with no absurdly long
line and counts its lines, without keeping any text; the second reads a block of
lines at a time into the array. So a valid file takes its array plus one block
(about a megabyte of text; a submission, whose rows are counted as they come, takes
its array twice), and a file of garbage is refused holding at most ``MAX_LINE``
characters of it.

Bad input raises a ``ValueError`` naming the file and, where it applies, the 1-based
line and column of the *first* problem, as if the whole file had been checked line
by line.
"""

from __future__ import annotations

import codecs
import io
import itertools
import math
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from minigenre.saving.files import check_readable_file

#: The longest line read, 16 Mi characters, room for 800,000 numbers of 20
#: characters (a line of the study's files has about 5,000). A longer line (a file
#: of NUL bytes, say) is refused as soon as it is met.
MAX_LINE = 2**24
_CHUNK = 2**20  # characters read at a time, and a block's text at most (about)


def _breaks(text: str, after_cr: bool) -> int:
    """Line ends in ``text`` (``\\r\\n``, ``\\r`` or ``\\n``); ``after_cr`` if the
    text before it ended with ``\\r``, so a leading ``\\n`` finishes that one."""
    n = text.count("\n") + text.count("\r") - text.count("\r\n")
    return n - (after_cr and text.startswith("\n"))


def scan_text(path: Path) -> int:
    """Checks that ``path`` is UTF-8 text with no line longer than ``MAX_LINE``.

    Returns:
        The number of lines up to the last one that is not blank (trailing blank
        lines and whitespace end a file without adding lines).

    Raises:
        ValueError: If the file cannot be read, is not UTF-8, is blank, or has a
            line longer than ``MAX_LINE`` characters (naming that line).
    """
    lines = count_lines(path)
    if lines == 0:
        raise ValueError(f"{path}: file is empty.")
    return lines


def count_lines(path: Path) -> int:
    """`scan_text` for a file that may be blank: 0 lines, not an error."""
    check_readable_file(path)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()  # -sig drops a BOM
    lines, last, run, after_cr = 0, 0, 0, False  # run: length of the open line
    with open(path, "rb") as f:
        while True:
            data = f.read(_CHUNK)
            try:
                text = decoder.decode(data, final=not data)
            except UnicodeDecodeError as err:
                raise ValueError(f"{path}: not UTF-8 text ({err}).") from None
            stripped = text.rstrip()
            if stripped:
                last = lines + _breaks(stripped, after_cr) + 1
            firsts = [i for i in (text.find("\n"), text.find("\r")) if i >= 0]
            if firsts:  # the open line ends here; lines inside are < _CHUNK
                run += min(firsts)
                _check_length(path, lines + 1, run)
                run = len(text) - max(text.rfind("\n"), text.rfind("\r")) - 1
            else:
                run += len(text)
            lines += _breaks(text, after_cr)
            _check_length(path, lines + 1, run)
            after_cr = text.endswith("\r") or (after_cr and not text)
            if not data:
                break
    return last


def _check_length(path: Path, number: int, length: int) -> None:
    if length > MAX_LINE:
        raise ValueError(
            f"{path}, line {number}: longer than {MAX_LINE} characters; not a table."
        )


def text_lines(path: Path, n_lines: int) -> Iterator[str]:
    """The first ``n_lines`` lines, each without its line end; the last one also
    without trailing whitespace. ``\\r\\n``, ``\\r`` and ``\\n`` all end a line."""
    with open(path, encoding="utf-8-sig", newline=None) as f:
        for number in range(1, n_lines + 1):
            line = f.readline().removesuffix("\n")
            yield line.rstrip() if number == n_lines else line


def split_lines(path: Path) -> Iterator[str]:
    """Every line of ``path`` as ``text.split("\\n")`` gives them, without the empty
    string after a final line end and with a ``\\r`` before the ``\\n`` dropped.

    Only ``\\n`` ends a line here, so a lone ``\\r`` is inside one: the line length
    is checked again as each line is read (at most ``MAX_LINE + 1`` characters).

    Raises:
        ValueError: At the first line longer than ``MAX_LINE`` characters.
    """
    with open(path, encoding="utf-8-sig", newline="\n") as f:
        for number in itertools.count(1):
            line = f.readline(MAX_LINE + 1)
            if not line:
                return
            line = line.removesuffix("\n")
            _check_length(path, number, len(line))
            yield line.removesuffix("\r")


def blocks(lines: Iterable[str]) -> Iterator[list[str]]:
    """Consecutive lines in lists of about a megabyte of text (2**20 characters)."""
    block, size = [], 0
    for line in lines:
        block.append(line)
        size += len(line) + 1
        if size >= _CHUNK:
            yield block
            block, size = [], 0
    if block:
        yield block


def to_float(cell: str) -> float | None:
    """``float(cell)`` for a CSV number, else None (``1_0`` is not one)."""
    cell = cell.strip()
    if not cell or "_" in cell:  # float() reads "1_0" as 10: not a CSV number
        return None
    try:
        return float(cell)
    except ValueError:
        return None


def check_cell(where: str, cell: str, value: float | None) -> None:
    """Raises the error for a cell that is not a finite number (``value`` None or
    not finite); returns for a good one."""
    if not cell.strip():
        raise ValueError(f"{where}: empty cell (missing value).")
    if value is None:
        raise ValueError(f"{where}: {cell.strip()!r} is not a number.")
    if not math.isfinite(value):
        raise ValueError(f"{where}: {cell.strip()!r} is not finite.")


_PLAIN_NUMBERS = re.compile(r"[0-9eE+\-.,\n]*")
_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars", " ": "spaces"}


def parse_floats(path: Path, n_columns: int) -> np.ndarray:
    """Reads a headerless table of finite floats, shape ``(lines, n_columns)``.

    pandas' C parser reads well-formed text fast, but fills short rows and blank
    lines with NaN, follows CSV quoting (it reads the stray text ``"1"5`` as 15) and
    rounds about one number in five to the wrong neighbour (an ulp off) when it has
    a ``+`` sign and a space beside it. So it only reads a block of plain numbers
    (digits, signs, points, exponents, commas and line ends), and its result is kept
    after checking shape and values; any other block goes to a line-by-line reader,
    correctly rounded, that names the first problem.
    """
    n_lines = scan_text(path)
    try:
        x = np.empty((n_lines, n_columns))  # (lines, columns), filled block by block
    except MemoryError:
        raise ValueError(
            f"{path}: {n_lines} rows of {n_columns} numbers do not fit in memory."
        ) from None
    start = 0
    for block in blocks(text_lines(path, n_lines)):
        stop = start + len(block)
        x[start:stop] = _parse_block(path, block, start + 1, n_columns)
        start = stop
    return x


def _parse_block(path: Path, block: list[str], first: int, n_columns: int):
    text = "\n".join(block)
    if _PLAIN_NUMBERS.fullmatch(text) and all(block):  # see parse_floats
        # Imported here: pandas holds 40 MB, which commands that read no CSV
        # (`features`, on top of librosa) should not pay.
        import pandas as pd

        try:
            x = pd.read_csv(
                io.StringIO(text), header=None, dtype=np.float64, engine="c"
            ).to_numpy()
            if x.shape == (len(block), n_columns) and np.isfinite(x).all():
                return x
        except ValueError:  # pandas' ParserError is a ValueError too
            pass
    return [
        _parse_line(path, number, line, n_columns)
        for number, line in enumerate(block, start=first)
    ]


def _parse_line(path: Path, number: int, line: str, n_columns: int) -> list[float]:
    if not line.strip():
        raise ValueError(f"{path}, line {number}: empty line.")
    cells = line.split(",")
    values = [to_float(cell) for cell in cells]
    if number == 1 and all(value is None for value in values):
        raise ValueError(f"{path}, line 1: {_not_numbers(line, n_columns)}")
    if len(cells) != n_columns:
        raise ValueError(
            f"{path}, line {number}: {len(cells)} columns; expected {n_columns}."
        )
    for column, (cell, value) in enumerate(zip(cells, values, strict=True), start=1):
        check_cell(f"{path}, line {number}, column {column}", cell, value)
    return values


def _not_numbers(line: str, n_columns: int) -> str:
    """Why a first line holds no number: the separator or the text found there."""
    shown = repr(line[:40]) + ("..." if len(line) > 40 else "")
    for separator, name in _SEPARATORS.items():
        cells = line.strip().split(separator)
        if len(cells) > 1 and all(to_float(cell) is not None for cell in cells):
            return (
                f"{shown} holds numbers separated by {name}; this file must be "
                "comma-separated."
            )
    unquoted = [cell.strip().strip("\"'") for cell in line.split(",")]
    if all(to_float(cell) is not None for cell in unquoted):
        return f"{shown} holds numbers in quotes; this file must have none."
    if n_columns == 1:
        return (
            f"{shown} is not a label from 1 to 10 (a header row? this file must "
            "have none)."
        )
    return f"{shown} looks like a header row; this file must have none."
