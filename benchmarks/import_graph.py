"""Prints the import graph of minigenre/ and reference/, and any arrow against the plan.

Usage: ``python benchmarks/import_graph.py`` (exit status 1 if anything is wrong).

Every module is read with ``ast``, not imported: each line ``module -> targets``
lists the project modules it imports, imports inside a function marked ``(lazy)``.
The plan, as docs/ARCHITECTURE.md draws it:

* core (``minigenre/``) imports nothing of the study, the course, the CLI or
  ``reference``;
* the study (``minigenre/study/``) imports the core, never the course, the CLI or
  ``reference``;
* the course (``minigenre/course/``, the tutorials' exercise checks) imports the
  core and the study, never the CLI or ``reference``;
* the CLI (``minigenre/cli/``, ``minigenre/__main__``) may import ``reference``
  only lazily, inside the command that needs TensorFlow;
* ``reference/`` uses public modules and names only, and not the CLI;
* only ``reference/`` imports TensorFlow or Keras;
* the audio wing (``minigenre/audio/``) imports the core only, and only it imports
  librosa, soundfile or numba; the other wings import it only lazily, inside the
  function that needs it, so that they work without the ``audio`` extra;
* the exceptions are ``FAST``, the ``fast`` extra's compiled loops in
  ``minigenre/_speed/``, which import numba too; they are imported only lazily, so
  that the core works without the extra;
* the core's private package ``minigenre._speed`` is imported by the core only;
* inside the core, arrows point down ``CORE_LEVELS`` (or stay on one level), never
  back up: the model's pieces and the speed paths below the engine, the engine
  (``training``, the file formats) below the model, loading and the 2018 names
  above it;
* no module takes another's private names (``private_reaches``);
* no circle, lazy imports included.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("minigenre", "reference")
HEAVY = ("tensorflow", "keras")  # imported in reference/ only
AUDIO_LIBRARIES = ("librosa", "soundfile", "numba")  # imported in minigenre/audio/ only
# ... and numba here, the fast extra's compiled loops
FAST = ("minigenre._speed.adam_compiled", "minigenre._speed.step_kernels")


# The core, bottom to top: a module imports its own level or lower ones. A name
# ending in ".*" covers a package's modules; the rest are exact.
CORE_LEVELS = (
    (
        "speed paths and shared checks",
        ("minigenre._speed", "minigenre._speed.*", "minigenre.training.checks",
         "minigenre.saving.files"),
    ),
    (
        "the network's pieces",
        ("minigenre.activations", "minigenre.activations.*", "minigenre.initializers",
         "minigenre.losses", "minigenre.losses.*", "minigenre.metrics",
         "minigenre.optimizers",
         "minigenre.optimizers.*", "minigenre.layers", "minigenre.layers.*",
         "minigenre.callbacks", "minigenre.train_step"),
    ),
    (
        "the engine: training loops and file formats",
        ("minigenre.training", "minigenre.training.*", "minigenre.saving",
         "minigenre.saving.config", "minigenre.saving.npz",
         "minigenre.saving.keras_read", "minigenre.saving.keras_write",
         "minigenre.saving.model_files", "minigenre.saving.untrusted",
         "minigenre.saving.descriptions"),
    ),
    ("the network", ("minigenre.model",)),
    ("loading and the 2018 names", ("minigenre.saving.load", "minigenre.compat",
                                    "minigenre.compat.*")),
    ("the package", ("minigenre",)),
)  # fmt: skip


def core_level(module: str) -> int | None:
    """The index of ``module``'s level in ``CORE_LEVELS``, or None if it has none."""
    for index, (_, names) in enumerate(CORE_LEVELS):
        for name in names:
            if module == name or (name.endswith(".*") and module.startswith(name[:-1])):
                return index
    return None


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    lazy: bool  # inside a function: runs only when it is called
    line: int
    names: tuple[str, ...] = ()  # what ``from target import ...`` takes


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def find_modules(root: Path = ROOT) -> dict[str, Path]:
    """``{module name: file}`` for every .py file of the two packages."""
    return {
        module_name(path, root): path
        for package in PACKAGES
        for path in sorted((root / package).rglob("*.py"))
    }


def wing(module: str) -> str:
    """The module's wing: core, study, course, audio, cli or reference."""
    parts = module.split(".")
    if parts[0] == "reference":
        return "reference"
    if len(parts) > 1 and parts[1] in ("study", "course", "audio"):
        return parts[1]
    if len(parts) > 1 and parts[1] in ("cli", "__main__"):
        return "cli"
    return "core"


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Arrow]:
    """Every import in ``path``: project modules, the heavy frameworks and the
    audio libraries."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    arrows: list[Arrow] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    arrows.append(Arrow(module, alias.name, inner, child.lineno))
            elif isinstance(child, ast.ImportFrom):
                base = _absolute(child, module, path.name == "__init__.py")
                names = tuple(alias.name for alias in child.names)
                submodules = [f"{base}.{n}" for n in names if f"{base}.{n}" in modules]
                for target in submodules:
                    arrows.append(Arrow(module, target, inner, child.lineno))
                rest = tuple(n for n in names if f"{base}.{n}" not in modules)
                if rest or not submodules:
                    arrows.append(Arrow(module, base, inner, child.lineno, rest))
            visit(child, inner)

    visit(tree, lazy=False)
    return [
        a
        for a in arrows
        if a.target.split(".")[0] in (*PACKAGES, *HEAVY, *AUDIO_LIBRARIES)
        and a.target != "__future__"
    ]


def build_graph(root: Path = ROOT) -> list[Arrow]:
    modules = find_modules(root)
    return [
        a for name, path in modules.items() for a in imports_of(name, path, modules)
    ]


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def problems(arrows: list[Arrow]) -> list[str]:
    """Each arrow against the plan in the module docstring, then every circle."""
    found = []
    for a in arrows:
        where = f"{a.source}:{a.line} -> {a.target}"
        framework = a.target.split(".")[0] in HEAVY
        source, target = wing(a.source), None if framework else wing(a.target)
        audio_library = a.target.split(".")[0] in AUDIO_LIBRARIES
        if audio_library:
            target = None
        if framework and source != "reference":
            found.append(f"{where}: only reference/ imports {a.target}")
        elif audio_library and source != "audio":
            if not (a.source in FAST and a.target == "numba"):
                found.append(f"{where}: only minigenre/audio imports {a.target}")
        elif a.target in FAST and not a.lazy:
            found.append(
                f"{where}: {a.target} is imported only lazily (the fast extra)"
            )
        elif source == "audio" and target in ("study", "cli", "reference"):
            found.append(f"{where}: the audio wing imports the {target}")
        elif target == "audio" and source != "audio" and not a.lazy:
            found.append(f"{where}: the {source} imports minigenre.audio at import")
        elif source == "core" and target in ("study", "course", "cli", "reference"):
            found.append(f"{where}: the core imports the {target}")
        elif source == "study" and target in ("course", "cli", "reference"):
            found.append(f"{where}: the study imports the {target}")
        elif source == "course" and target in ("cli", "reference"):
            found.append(f"{where}: the course imports the {target}")
        elif source == "cli" and target == "reference" and not a.lazy:
            found.append(f"{where}: the CLI imports reference at import time")
        elif source == "reference" and target == "cli":
            found.append(f"{where}: reference imports the CLI")
        elif a.target.startswith("minigenre._speed") and source != "core":
            found.append(f"{where}: only the core imports minigenre._speed")
        elif source == "core" and target == "core" and arrow_up(a):
            found.append(f"{where}: an arrow back up {arrow_up(a)}")
        elif source == "reference" and target != "reference" and not framework:
            private = [p for p in a.target.split(".") if is_private(p)]
            private += [n for n in a.names if is_private(n)]
            if private:
                found.append(f"{where}: reference uses private {', '.join(private)}")
    found += [f"circle: {' -> '.join(c)}" for c in circles(arrows)]
    return found


def arrow_up(a: Arrow) -> str:
    """``(level i -> j)`` if ``a`` points from a core level up to a higher one."""
    low, high = core_level(a.source), core_level(a.target)
    if low is None or high is None or high <= low:
        return ""
    return f"(level {low} -> {high})"


def private_reaches(path: Path) -> list[tuple[int, str]]:
    """``(line, name)`` for each private name one module takes from another.

    ``from m import _name``; ``something._name`` on anything but ``self`` or
    ``cls``; and ``self._name`` that the file itself never defines (a mixin
    reaching into the class that inherits it). A module's own private names, and
    the core's private package ``minigenre._speed``, are not reaches.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    own = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            own.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            own.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            own.add(node.id)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found += [(node.lineno, a.name) for a in node.names if is_private(a.name)]
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            base = node.value.id if isinstance(node.value, ast.Name) else None
            if base not in ("self", "cls") or node.attr not in own:
                found.append((node.lineno, node.attr))
    return sorted(set(found))


def circles(arrows: list[Arrow]) -> list[list[str]]:
    """The strongly connected groups of more than one module (or a self-import)."""
    graph: dict[str, set[str]] = {}
    for a in arrows:
        graph.setdefault(a.source, set()).add(a.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return groups


def render(arrows: list[Arrow], modules: list[str]) -> str:
    lines = []
    for module in modules:
        targets = {}
        for a in arrows:
            if a.source == module:  # an import-time arrow wins over a lazy one
                targets[a.target] = targets.get(a.target, True) and a.lazy
        shown = [t + (" (lazy)" if lazy else "") for t, lazy in sorted(targets.items())]
        lines.append(f"{module} [{wing(module)}] -> {', '.join(shown) or '(nothing)'}")
    return "\n".join(lines)


def levels(modules: list[str]) -> str:
    """The core's levels, bottom first, each with its modules."""
    lines = []
    for index, (title, _) in enumerate(CORE_LEVELS):
        members = [m for m in modules if core_level(m) == index]
        lines.append(f"level {index}, {title}: {', '.join(members)}")
    unplaced = [m for m in modules if wing(m) == "core" and core_level(m) is None]
    if unplaced:
        lines.append(f"core modules on no level: {', '.join(unplaced)}")
    return "\n".join(lines)


def main() -> int:
    arrows = build_graph()
    modules = find_modules()
    print(render(arrows, sorted(modules)))
    print()
    print(levels(sorted(modules)))
    found = problems(arrows)
    found += [f"core module on no level: {m}" for m in modules
              if wing(m) == "core" and core_level(m) is None]  # fmt: skip
    found += [
        f"{path.relative_to(ROOT)}:{line}: takes the private name {name}"
        for path in modules.values()
        for line, name in private_reaches(path)
    ]
    print()
    print(f"{len(arrows)} import statements; problems: {len(found) or 'none'}")
    for line in found:
        print("  " + line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
