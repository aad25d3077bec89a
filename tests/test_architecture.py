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
    write(tmp_path, "minigenre/_speed/__init__.py")
    write(tmp_path, "minigenre/_speed/adam_compiled.py", "import numba\n")
    write(
        tmp_path, "minigenre/optimizers.py", "import minigenre._speed.adam_compiled\n"
    )
    write(tmp_path, "minigenre/layers.py", "import numba\n")
    lazy = "def f():\n    from minigenre._speed import adam_compiled\n"
    write(tmp_path, "minigenre/_speed/jit.py", lazy)
    found = sorted(problems_in(tmp_path))
    assert found == [
        "minigenre.layers:1 -> numba: only minigenre/audio imports numba",
        "minigenre.optimizers:1 -> minigenre._speed.adam_compiled: "
        "minigenre._speed.adam_compiled is imported only lazily (the fast extra)",
    ]
    # Not listed: numba in adam_compiled, and jit's lazy import of it.


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
        "from minigenre import _speed\n"
        "from minigenre._speed.flat import split\n"
        "model._train_step(x, y)\n"
        "self._own = 1\n"
    )
    assert [name for _, name in private_uses(path)] == [
        "minigenre._speed",
        "minigenre._speed.flat",
        "minigenre._speed.flat.split",
        "_train_step",
    ]


ROOT = Path(__file__).resolve().parents[1]

# The top of minigenre/ is the network a learner reads; everything else is in the
# sub-packages. __init__ is the public API and __main__ is `python -m minigenre`.
# The layers, losses and optimizers are packages of one file each, as in Keras.
LEARNERS_FILES = {
    "__init__.py",
    "__main__.py",
    "callbacks.py",
    "initializers.py",
    "metrics.py",
    "model.py",
    "train_step.py",
}
LEARNERS_PACKAGES = {
    "activations": {"__init__.py", "hidden.py", "output.py"},
    "layers": {"__init__.py", "activation.py", "batch_normalization.py", "dense.py",
               "dropout.py", "input_layer.py", "layer.py"},
    "losses": {"__init__.py", "binary.py", "categorical.py", "dense_targets.py",
               "log_softmax.py", "loss.py", "sparse_categorical.py"},
    "optimizers": {"__init__.py", "adam.py", "optimizer.py", "rmsprop.py", "sgd.py"},
}  # fmt: skip


def learners_paths() -> list[Path]:
    """Every file a learner reads: the top of minigenre/ and its learner packages."""
    top = sorted((ROOT / "minigenre").glob("*.py"))
    return top + [
        path
        for name in LEARNERS_PACKAGES
        for path in (ROOT / "minigenre" / name).glob("*.py")
    ]


def test_the_top_of_the_package_holds_only_the_learners_files():
    top = {path.name for path in (ROOT / "minigenre").glob("*.py")}
    assert top == LEARNERS_FILES
    for name, files in LEARNERS_PACKAGES.items():
        assert {path.name for path in (ROOT / "minigenre" / name).glob("*.py")} == files


def test_core_arrows_never_point_back_up_and_every_core_module_has_a_level():
    modules = import_graph.find_modules()
    core = [m for m in modules if import_graph.wing(m) == "core"]
    assert [m for m in core if import_graph.core_level(m) is None] == []
    ups = [a for a in import_graph.build_graph() if import_graph.arrow_up(a)]
    assert ups == []
    # The levels as ARCHITECTURE.md draws them: the speed paths at the bottom, the
    # model above the engine, loading above the model.
    level = import_graph.core_level
    assert level("minigenre._speed.jit") < level("minigenre.optimizers")
    assert level("minigenre.optimizers") < level("minigenre.training.trainer")
    assert level("minigenre.training.trainer") < level("minigenre.model")
    assert level("minigenre.model") < level("minigenre.saving.load")


def test_the_checker_reports_an_arrow_back_up_and_speed_outside_the_core(tmp_path):
    write(tmp_path, "minigenre/__init__.py")
    write(tmp_path, "minigenre/model.py")
    write(tmp_path, "minigenre/layers.py", "from minigenre.model import Sequential\n")
    write(tmp_path, "minigenre/_speed/__init__.py")
    write(tmp_path, "minigenre/_speed/flat.py")
    write(
        tmp_path, "minigenre/study/__init__.py", "from minigenre._speed import flat\n"
    )
    assert sorted(problems_in(tmp_path)) == [
        "minigenre.layers:1 -> minigenre.model: an arrow back up (level 1 -> 3)",
        "minigenre.study:1 -> minigenre._speed.flat: only the core imports "
        "minigenre._speed",
    ]


def test_the_model_file_imports_no_saving_module():
    arrows = import_graph.build_graph()
    from_model = {a.target for a in arrows if a.source == "minigenre.model"}
    assert from_model
    assert [t for t in from_model if t.startswith("minigenre.saving")] == []


def test_no_module_takes_another_modules_private_names():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in import_graph.find_modules().values()
        for line, name in import_graph.private_reaches(path)
    ]
    assert found == []


def test_the_private_reach_scan_can_fail(tmp_path):
    path = tmp_path / "mixin.py"
    path.write_text(
        "from minigenre.study.metrics import _as_proba\n"
        "class Trainer:\n"
        "    def fit(self):\n"
        "        self._own = 1\n"
        "        self._own += self._flat.size\n"
        "        return model._train_step(self._helper())\n"
        "    def _helper(self):\n"
        "        return self.__class__\n"
    )
    assert import_graph.private_reaches(path) == [
        (1, "_as_proba"),
        (5, "_flat"),
        (6, "_train_step"),
    ]


# A learner's file is read in one sitting: about 250 lines. Longer, it must read as
# one concept, said here.
FILE_BUDGET = 250
LONGER_FILES: dict[str, tuple[int, str]] = {}
# A function fits on a screen: about 60 lines, its docstring not counted.
FUNCTION_BUDGET = 60
LONGER_FUNCTIONS: dict[str, tuple[int, str]] = {}


def body_lines(function: ast.FunctionDef) -> int:
    """The function's lines, its docstring left out."""
    lines = function.end_lineno - function.lineno + 1
    first = function.body[0]
    docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    if docstring and isinstance(first.value.value, str):
        lines -= first.end_lineno - first.lineno + 1
    return lines


def long_functions(paths, root=ROOT) -> dict[str, int]:
    found = {}
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = body_lines(node)
                if lines > FUNCTION_BUDGET:
                    found[f"{path.relative_to(root)}:{node.name}"] = lines
    return found


def test_the_learners_files_keep_their_line_budget():
    over = {}
    for path in learners_paths():
        name = path.relative_to(ROOT / "minigenre").as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > LONGER_FILES.get(name, (FILE_BUDGET, ""))[0]:
            over[name] = lines
    assert over == {}


def test_functions_keep_their_line_budget():
    paths = [*ROOT.glob("minigenre/**/*.py"), *ROOT.glob("reference/*.py")]
    found = long_functions(paths)
    allowed = {name: limit for name, (limit, _) in LONGER_FUNCTIONS.items()}
    assert {k: v for k, v in found.items() if v > allowed.get(k, 0)} == {}


def test_the_line_budget_can_fail(tmp_path):
    def function(name, lines):
        body = "".join(f"    x{i} = {i}\n" for i in range(lines))
        return f'def {name}():\n    """Its docstring, not counted."""\n{body}\n'

    source = tmp_path / "example.py"
    source.write_text(
        function("short", FUNCTION_BUDGET - 1) + function("long", FUNCTION_BUDGET)
    )
    assert long_functions([source], root=tmp_path) == {"example.py:long": 61}


def expected_test_files(module: Path) -> list[Path]:
    """Where the tests of a core module live: tests/core mirrors minigenre/.

    ``minigenre/metrics.py`` -> ``tests/core/test_metrics.py``;
    ``minigenre/layers/dense.py`` -> ``tests/core/layers/test_dense.py``;
    ``minigenre/saving/npz.py`` -> ``tests/core/saving/test_npz.py`` (or
    ``test_saving_npz.py``, where another test file has that name);
    ``minigenre/_speed/flat.py`` -> ``tests/core/speed/test_flat.py``; a
    package's ``__init__`` -> the test file named after the package.
    """
    relative = module.relative_to(ROOT / "minigenre")
    if module.name == "__init__.py":
        relative = relative.parent.with_suffix(".py")
    package = relative.parent.as_posix().lstrip("_")
    folder = ROOT / "tests" / "core" / package
    names = [f"test_{relative.stem}.py", f"test_{package}_{relative.stem}.py"]
    return [folder / name for name in names]


# Packages whose __init__ is a docstring only, and python -m (tests/cli).
NOTHING_TO_TEST = {"_speed/__init__.py", "training/__init__.py",
                   "saving/__init__.py", "__init__.py",
                   "__main__.py"}  # fmt: skip


def test_every_core_module_has_a_test_file():
    missing = []
    for path in sorted((ROOT / "minigenre").rglob("*.py")):
        relative = path.relative_to(ROOT / "minigenre").as_posix()
        if relative.split("/")[0] in ("study", "audio", "cli", "course"):
            continue  # the other wings: tests/study, tests/audio, ...
        if relative in NOTHING_TO_TEST:
            continue
        if not any(test.exists() for test in expected_test_files(path)):
            missing.append(relative)
    assert missing == []


def test_the_walk_of_one_batch_touches_five_files():
    import walk_one_batch

    walks = {
        name: walk_one_batch.walk(c) for name, c in walk_one_batch.trace_fit().items()
    }
    files = [
        "minigenre/activations/hidden.py",
        "minigenre/layers/dense.py",
        "minigenre/losses/sparse_categorical.py",
        "minigenre/optimizers/adam.py",
        "minigenre/train_step.py",
    ]
    # One batch of fit, its loop and accuracy included, and the step alone.
    assert sorted(walks["batch"]["files"]) == files
    assert sorted(walks["step"]["files"]) == files
    assert walks["batch"]["file_lines"] <= 770  # whole files: 1,632 for the step
    # By default no code of the speed package runs in a batch: what runs is what
    # a learner reads.
    assert walks["speed"]["files"] == {}
