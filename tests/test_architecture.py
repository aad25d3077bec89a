"""The import plan of docs/ARCHITECTURE.md, checked by benchmarks/import_graph.py."""

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


def test_the_checker_reports_each_kind_of_wrong_arrow(tmp_path):
    write(tmp_path, "minigenre/__init__.py")
    write(tmp_path, "minigenre/_io.py")
    write(tmp_path, "minigenre/model.py", "from minigenre.study import data\n")
    write(tmp_path, "minigenre/layers.py", "import tensorflow\n")
    write(tmp_path, "minigenre/a.py", "from minigenre import b\n")
    write(tmp_path, "minigenre/b.py", "def f():\n    import minigenre.a\n")
    write(tmp_path, "minigenre/study/__init__.py")
    write(tmp_path, "minigenre/study/data.py", "from minigenre.cli import main\n")
    write(
        tmp_path, "minigenre/cli/__init__.py", "import reference\n\ndef main(): ...\n"
    )
    write(tmp_path, "reference/__init__.py", "from minigenre._io import save_npz\n")
    write(tmp_path, "reference/parity.py", "from minigenre.model import _private\n")
    modules = import_graph.find_modules(tmp_path)
    arrows = [
        a
        for name, path in modules.items()
        for a in import_graph.imports_of(name, path, modules)
    ]
    found = "\n".join(import_graph.problems(arrows))
    assert (
        "minigenre.model:1 -> minigenre.study.data: the core imports the study" in found
    )
    assert (
        "minigenre.layers:1 -> tensorflow: only reference/ imports tensorflow" in found
    )
    assert "minigenre.study.data:1 -> minigenre.cli: the study imports the cli" in found
    assert "minigenre.cli:1 -> reference: the CLI imports reference at import" in found
    assert "reference:1 -> minigenre._io: reference uses private _io" in found
    assert "reference.parity:1 -> minigenre.model: reference uses private _private" in (
        found
    )
    assert "circle: minigenre.a -> minigenre.b" in found  # through a lazy import
