"""The walk of one batch of ``fit``: which files and lines of minigenre it runs.

Usage: ``python benchmarks/walk_one_batch.py [--json]``

Trains the study's network (``Dense(128, "elu") -> Dense(10, "softmax")``, Adam) on
64 rows of the embedded data set, one epoch of two batches, with every call traced
(``sys.settrace``). What runs inside the loop over batches (``loops.run_epoch`` and
everything it calls) is one batch's walk; the step itself is ``model.train_step``
and everything it calls. For both it prints each function run, with its length,
and then the files touched with their length: the lines a learner reads to follow
one batch, in whole files and in the functions alone. The private speed package
(``minigenre/_speed/``), whose code stands in for readable code with its bits
(with ``jit_compile``), is listed apart, as "speed".
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "minigenre"


def function_lengths(path: Path) -> dict[int, tuple[str, int]]:
    """``{first line: (qualified name, lines)}`` for each function in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lengths = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                lines = child.end_lineno - first + 1
                lengths[child.lineno] = (name, lines)
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return lengths


def trace_fit() -> dict[str, set[tuple[str, int]]]:
    """``{"batch": {(file, first line)}, "step": {...}, "speed": {...}}`` of the
    functions run: the speed package's apart from the learner's."""
    from minigenre.study.network import study_model
    from minigenre.study.synthetic import make_synthetic
    from minigenre.study.workflow import split_and_scale

    split = split_and_scale(make_synthetic(seed=0), seed=0)
    x, y = split.x_train[:64], split.y_train[:64]
    model = study_model(seed=0)
    model.fit(x[:32], y[:32], epochs=1, verbose=0)  # build and warm up, untraced
    seen: dict[str, set[tuple[str, int]]] = {"batch": set(), "step": set()}
    seen["speed"] = set()

    def inside(frame, name: str) -> bool:
        while frame is not None:
            if frame.f_code.co_name == name:
                return True
            frame = frame.f_back
        return False

    def tracer(frame, event, arg):
        path = Path(frame.f_code.co_filename)
        if (
            event == "call"
            and path.is_relative_to(PACKAGE)
            and not frame.f_code.co_name.startswith("<")  # a comprehension's body
        ):
            where = (str(path.relative_to(ROOT)), frame.f_code.co_firstlineno)
            if path.is_relative_to(PACKAGE / "_speed"):
                if inside(frame, "run_epoch"):
                    seen["speed"].add(where)
                return
            if inside(frame, "run_epoch"):
                seen["batch"].add(where)
            if inside(frame, "train_step"):
                seen["step"].add(where)

    sys.settrace(tracer)
    try:
        model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    finally:
        sys.settrace(None)
    return seen


def walk(calls: set[tuple[str, int]]) -> dict:
    """Functions and files of one walk, with their lengths."""
    functions = defaultdict(list)
    for file, first in sorted(calls):
        name, lines = function_lengths(ROOT / file).get(first, ("<module>", 0))
        functions[file].append((name, lines))
    files = {
        file: len((ROOT / file).read_text(encoding="utf-8").splitlines())
        for file in functions
    }
    return {
        "files": files,
        "functions": {file: sorted(set(f)) for file, f in functions.items()},
        "file_lines": sum(files.values()),
        "function_lines": sum(n for f in functions.values() for _, n in set(f)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead")
    args = parser.parse_args(argv)
    walks = {name: walk(calls) for name, calls in trace_fit().items()}
    if args.json:
        print(json.dumps(walks, indent=2))
        return 0
    titles = {
        "batch": "one batch of fit (loops.run_epoch and all it calls)",
        "step": "the step alone (model.train_step and all it calls)",
        "speed": "the speed package's code run in one batch (minigenre/_speed/)",
    }
    for name, result in walks.items():
        print(f"{titles[name]}:")
        for file, functions in result["functions"].items():
            listed = ", ".join(f"{f} ({n})" for f, n in functions)
            print(f"  {file} ({result['files'][file]} lines): {listed}")
        print(
            f"  {len(result['files'])} files, {result['file_lines']} lines in all; "
            f"the functions run: {result['function_lines']} lines"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
