"""Reading a learner's file without running it: the exercises' functions, and what
they use, taken out of a tutorial (``.py`` or ``.ipynb``) or an answers file.

``minigenre check`` runs only this part of a tutorial, not its expensive cells
(training, TensorFlow): the top-level ``def`` and ``class`` statements, the imports
and constant assignments, each kept only if an exercise reaches it by name.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

# A file larger than this is not a tutorial or an answers file (and is not read).
MAX_BYTES = 4_000_000


class LearnerFileError(ValueError):
    """The learner's file cannot be read or parsed; the message is one line."""


def _cells(path: Path) -> list[str]:
    """The file's code: one string for a script, one per code cell for a notebook."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise LearnerFileError(f"{path}: larger than {MAX_BYTES:,} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or type(err).__name__
        raise LearnerFileError(f"{path}: cannot be read ({reason})") from None
    if path.suffix != ".ipynb":
        return [text]
    try:
        cells = json.loads(text)["cells"]
        sources = [_source(c["source"]) for c in cells if c["cell_type"] == "code"]
    except (ValueError, KeyError, TypeError, RecursionError) as err:
        raise LearnerFileError(
            f"{path}: not a notebook (expected JSON with code cells; "
            f"{type(err).__name__}: {str(err)[:80]})"
        ) from None
    # Jupyter's magics and shell escapes are not Python: keep them as comments.
    return [re.sub(r"^(\s*)([%!])", r"\1# \2", source) for source in sources]


def _source(source) -> str:
    """A code cell's source: a string, or a list of strings (its lines)."""
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    if isinstance(source, list):
        other = next(line for line in source if not isinstance(line, str))
        raise TypeError(f"a code cell's source holds {type(other).__name__}, not text")
    if not isinstance(source, str):
        raise TypeError(f"a code cell's source is {type(source).__name__}, not text")
    return source


def parse(path: Path) -> list[ast.stmt]:
    """The file's top-level statements, or one line naming a syntax error's place."""
    statements = []
    cells = _cells(path)
    for number, source in enumerate(cells, start=1):
        try:
            tree = ast.parse(source, filename=str(path))
        except SyntaxError as err:
            cell = f", cell {number}" if len(cells) > 1 else ""
            raise LearnerFileError(
                f"{path}{cell}, line {err.lineno}, column {err.offset}: "
                f"SyntaxError: {err.msg}"
            ) from None
        except ValueError as err:  # a null byte in the source
            raise LearnerFileError(f"{path}: {err}") from None
        except (RecursionError, MemoryError) as err:  # nested beyond the parser
            raise LearnerFileError(
                f"{path}: too deeply nested to parse ({type(err).__name__})"
            ) from None
        statements.extend(tree.body)
    return statements


def _bound(stmt: ast.stmt) -> set[str]:
    """The names a kept statement defines."""
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {stmt.name}
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names}
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _keepable(stmt: ast.stmt, imported: set[str]) -> bool:
    """Definitions, imports and assignments of constants (nothing that computes)."""
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return not any(a.name == "*" for a in stmt.names)
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return True
    if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
        return _dotted(stmt.value, imported) or _literal(stmt.value)
    return False


def _dotted(node: ast.expr, imported: set[str]) -> bool:
    """``module.NAME``: a constant read from an import, not computed."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in imported


def _literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _used(stmt: ast.stmt) -> set[str]:
    return {node.id for node in ast.walk(stmt) if isinstance(node, ast.Name)}


def select(
    statements: list[ast.stmt], wanted: set[str], given: frozenset[str] = frozenset()
) -> ast.Module:
    """The statements that define ``wanted`` names and what those use, in order.

    A later definition of a name replaces an earlier one, as it would when run;
    the ``given`` names (the prepared data) are never redefined.
    """
    imported = {
        name
        for stmt in statements
        if isinstance(stmt, ast.Import | ast.ImportFrom)
        for name in _bound(stmt)
    }
    last: dict[str, int] = {}
    for index, stmt in enumerate(statements):
        if _keepable(stmt, imported):
            for name in _bound(stmt) - given:
                last[name] = index
    keep, todo = set(), [name for name in wanted if name in last]
    while todo:
        index = last[todo.pop()]
        if index not in keep:
            keep.add(index)
            todo.extend(name for name in _used(statements[index]) if name in last)
    body = [statements[i] for i in sorted(keep)]
    return ast.Module(body=body, type_ignores=[])
