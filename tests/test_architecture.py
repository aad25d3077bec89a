"""The import plan of docs/ARCHITECTURE.md, checked by benchmarks/import_graph.py.

And the rule for tests and tutorials: the public API only, no name that starts with
an underscore from the packages.
"""

import ast
from pathlib import Path

import import_graph


def test_no_circle_and_no_arrow_against_the_plan():
    arrows = import_graph.build_graph()
    assert import_graph.problems(arrows) == []
    # The one allowed exception is really there, and seen as lazy: the CLI's
    # compare command imports reference (and TensorFlow) only when it runs.
    to_reference = [
        a
        for a in arrows
        if import_graph.wing(a.source) == "cli" and a.target.startswith("reference")
    ]
    assert to_reference
    assert all(a.lazy for a in to_reference)


def test_every_module_of_both_packages_is_in_the_graph():
    modules = import_graph.find_modules()
    assert {"minigenre.model", "minigenre.study.data", "minigenre.cli.commands"} <= set(
        modules
    )
    assert "reference.keras_model" in modules
    rendered = import_graph.render(import_graph.build_graph(), sorted(modules))
    assert len(rendered.splitlines()) == len(modules)


def write(root, path, text=""):
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text)


def problems_in(root):
    """The checker's problems with the packages written under ``root``."""
    modules = import_graph.find_modules(root)
    arrows = [
        a
        for name, path in modules.items()
        for a in import_graph.imports_of(name, path, modules)
    ]
    return import_graph.problems(arrows)


def test_the_checker_reports_each_kind_of_wrong_arrow(tmp_path):
    write(tmp_path, "minigenre/__init__.py")
    write(tmp_path, "minigenre/_hidden.py")
    write(tmp_path, "minigenre/model.py", "from minigenre.study import data\n")
    write(tmp_path, "minigenre/layers.py", "import tensorflow\n")
    write(tmp_path, "minigenre/a.py", "from minigenre import b\n")
    write(tmp_path, "minigenre/b.py", "def f():\n    import minigenre.a\n")
    write(tmp_path, "minigenre/losses.py", "import minigenre.course\n")
    write(tmp_path, "minigenre/course/__init__.py", "from minigenre.cli import main\n")
    write(tmp_path, "minigenre/study/__init__.py")
    write(tmp_path, "minigenre/study/data.py", "from minigenre.cli import main\n")
    write(
        tmp_path, "minigenre/cli/__init__.py", "import reference\n\ndef main(): ...\n"
    )
    write(tmp_path, "reference/__init__.py", "from minigenre._hidden import save_npz\n")
    write(tmp_path, "reference/parity.py", "from minigenre.model import _private\n")
    found = "\n".join(problems_in(tmp_path))
    assert (
        "minigenre.model:1 -> minigenre.study.data: the core imports the study" in found
    )
    assert (
        "minigenre.layers:1 -> tensorflow: only reference/ imports tensorflow" in found
    )
    assert "minigenre.study.data:1 -> minigenre.cli: the study imports the cli" in found
    assert "minigenre.cli:1 -> reference: the CLI imports reference at import" in found
    assert "reference:1 -> minigenre._hidden: reference uses private _hidden" in found
    assert "reference.parity:1 -> minigenre.model: reference uses private _private" in (
        found
    )
    assert (
        "minigenre.losses:1 -> minigenre.course: the core imports the course" in found
    )
    assert "minigenre.course:1 -> minigenre.cli: the course imports the cli" in found
    assert "circle: minigenre.a -> minigenre.b" in found  # through a lazy import


def test_the_checker_keeps_librosa_in_the_audio_wing(tmp_path):
    write(tmp_path, "minigenre/__init__.py")
    write(tmp_path, "minigenre/model.py", "import librosa\n")
    write(tmp_path, "minigenre/audio/__init__.py", "import librosa\n")
    write(tmp_path, "minigenre/audio/folder.py", "from minigenre.study import data\n")
    write(tmp_path, "minigenre/study/__init__.py")
    write(tmp_path, "minigenre/study/data.py", "import minigenre.audio\n")
    lazy = "def f():\n    import minigenre.audio\n"
    write(tmp_path, "minigenre/cli/__init__.py", lazy)
    found = sorted(problems_in(tmp_path))
    assert found == [
        "minigenre.audio.folder:1 -> minigenre.study.data: the audio wing imports the "
        "study",
        "minigenre.model:1 -> librosa: only minigenre/audio imports librosa",
        "minigenre.study.data:1 -> minigenre.audio: the study imports minigenre.audio "
        "at import",
    ]
    # Not listed: librosa in minigenre/audio, and the CLI's lazy import.


def test_the_checker_keeps_the_compiled_adam_optional(tmp_path):
    write(tmp_path, "minigenre/__init__.py")
    write(tmp_path, "minigenre/_adam_compiled.py", "import numba\n")
    write(tmp_path, "minigenre/optimizers.py", "import minigenre._adam_compiled\n")
    write(tmp_path, "minigenre/layers.py", "import numba\n")
    lazy = "def f():\n    from minigenre import _adam_compiled\n"
    write(tmp_path, "minigenre/_jit.py", lazy)
    found = sorted(problems_in(tmp_path))
    assert found == [
        "minigenre.layers:1 -> numba: only minigenre/audio imports numba",
        "minigenre.optimizers:1 -> minigenre._adam_compiled: "
        "minigenre._adam_compiled is imported only lazily (the fast extra)",
    ]
    # Not listed: numba in _adam_compiled, and _jit's lazy import of it.


def private_uses(path):
    """``(line, name)`` for each private name of the packages a test file touches.

    Imports of private modules or names from minigenre or reference, and any
    ``something._name`` attribute except on ``self``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom | ast.Import):
            module = getattr(node, "module", None) or ""
            names = [alias.name for alias in node.names]
            if isinstance(node, ast.Import):
                module, names = "", names
            for full in [module, *(f"{module}.{n}" for n in names)]:
                parts = full.strip(".").split(".")
                if parts[0] in ("minigenre", "reference") and any(
                    import_graph.is_private(p) for p in parts
                ):
                    yield node.lineno, full
        elif isinstance(node, ast.Attribute) and import_graph.is_private(node.attr):
            on_self = isinstance(node.value, ast.Name) and node.value.id == "self"
            if not on_self:
                yield node.lineno, node.attr


def test_tests_and_tutorials_use_only_public_names():
    root = Path(__file__).resolve().parents[1]
    files = [*root.glob("tests/**/*.py"), *root.glob("tutorials/*.py")]
    found = [
        f"{path.relative_to(root)}:{line}: {name}"
        for path in sorted(files)
        for line, name in private_uses(path)
    ]
    assert found == []


def test_the_private_name_scan_can_fail(tmp_path):
    path = tmp_path / "test_example.py"
    path.write_text(
        "from minigenre import _io\n"
        "from minigenre._checks import check_labels\n"
        "model._train_step(x, y)\n"
        "self._own = 1\n"
    )
    assert [name for _, name in private_uses(path)] == [
        "minigenre._io",
        "minigenre._checks",
        "minigenre._checks.check_labels",
        "_train_step",
    ]
