"""Pages generated from the project itself before each build: nothing is copied by hand.

* ``generated/tutorials/``: the tutorials (``tutorials/NN_*.py``, found by glob), each
  with a line offering its executed notebook for download. myst-nb executes them.
* ``generated/api/``: one page per public name of ``minigenre`` and one per module,
  filled from the docstrings by autodoc.
* ``generated/cli/``: one page per command of the ``minigenre`` parser
  (sphinx-argparse reads the parser itself).

After the build, the executed notebooks are copied to ``notebooks/`` in the output.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from sphinx.application import Sphinx

BOOK = Path(__file__).resolve().parents[1]
ROOT = BOOK.parents[1]
GENERATED = BOOK / "generated"
TUTORIALS = ROOT / "tutorials"

# Core modules whose functions a learner calls directly, and the study's modules.
# Names that `minigenre` re-exports get pages of their own and are left out here.
MODULES = [
    "minigenre.activations",
    "minigenre.initializers",
    "minigenre.losses",
    "minigenre.compat",
    "minigenre.training.weighting",
    "minigenre.course",
    "minigenre.study.data",
    "minigenre.study.tables",
    "minigenre.study.labelled",
    "minigenre.study.synthetic",
    "minigenre.study.preprocessing",
    "minigenre.study.metrics",
    "minigenre.study.kaggle",
    "minigenre.study.plots",
    "minigenre.study.network",
    "minigenre.study.runs",
    "minigenre.study.staging",
    "minigenre.study.workflow",
    # The audio extra's modules (librosa): the package itself only re-exports them.
    "minigenre.audio.loudness",
    "minigenre.audio.rhythm",
    "minigenre.audio.tonal",
    "minigenre.audio.signal",
    "minigenre.audio.features",
    "minigenre.audio.folder",
    "minigenre.audio.synth",
]


# One example per command, as a user would type it from the repository's root.
EXAMPLES = {
    "train": "minigenre train --out runs/demo --seed 0",
    "evaluate": "minigenre evaluate runs/demo",
    "predict": "minigenre predict runs/demo --out submissions",
    "plot": "minigenre plot runs/demo --out figures --dpi 80",
    "score": "minigenre score submissions/labels.csv",
    "features": "minigenre features songs/ --out features.csv",
    "compare": "minigenre compare --epochs 4 --seed 0",
    "check": "minigenre check 04 --hint",
}


# Every page this build generates; any other page under generated/ is left over
# from an older layout of the package and would be documented twice.
WRITTEN: set[Path] = set()


def _write(path: Path, text: str) -> None:
    """Writes only when the text changed, so Sphinx rereads only what changed."""
    WRITTEN.add(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _download_cell(stem: str) -> str:
    return (
        "# %% [markdown]\n"
        f'# <p class="downloads">Download: <a href="../../notebooks/{stem}.ipynb" '
        f"download>{stem}.ipynb</a> (notebook, with the outputs below) · "
        f'<a href="../../notebooks/{stem}.py" download>{stem}.py</a> '
        "(the source: a jupytext percent script)</p>\n\n"
    )


def tutorial_pages() -> list[str]:
    """Copies each tutorial, a download line inserted after its title cell."""
    stems = []
    for source in sorted(TUTORIALS.glob("[0-9][0-9]_*.py")):
        text = source.read_text()
        # The title cell is the first markdown cell; the next cell marker ends it.
        title_start = text.index("# %% [markdown]")
        title_end = text.index("# %%", title_start + len("# %% [markdown]"))
        text = text[:title_end] + _download_cell(source.stem) + text[title_end:]
        _write(GENERATED / "tutorials" / source.name, text)
        stems.append(source.stem)
    return stems


def _rst(directive: str) -> str:
    return f"```{{eval-rst}}\n{directive}\n```\n"


def api_pages() -> None:
    import minigenre

    public = sorted(minigenre.__all__, key=str.lower)
    for name in public:
        is_class = isinstance(getattr(minigenre, name), type)
        kind = "autoclass" if is_class else "autofunction"
        options = "   :members:\n   :inherited-members:\n" if is_class else ""
        body = _rst(f".. {kind}:: minigenre.{name}\n{options}")
        page = f"# minigenre.{name}\n\n{body}"
        _write(GENERATED / "api" / f"minigenre.{name}.md", page)
    for module in MODULES:
        exclude = ", ".join(public)
        body = _rst(
            f".. automodule:: {module}\n   :members:\n   :exclude-members: {exclude}"
        )
        # The study's and the audio's pages in folders of their own, so that each
        # section of api.md globs its own pages and no page is listed twice.
        wing = module.split(".")[1]
        folder = GENERATED / "api" / (wing if wing in ("study", "audio") else "")
        _write(folder / f"{module}.md", f"# {module}\n\n{body}")


def cli_pages() -> list[str]:
    from minigenre.cli import build_parser

    parser = build_parser()
    (subparsers,) = [
        action
        for action in parser._actions  # argparse keeps its subcommands nowhere else
        if isinstance(action, argparse._SubParsersAction)
    ]
    commands = list(subparsers.choices)
    for command in commands:
        # :nodefault: the help texts say "(default: ...)" themselves, once.
        directive = (
            ".. argparse::\n   :module: minigenre.cli\n   :func: build_parser\n"
            f"   :prog: minigenre\n   :path: {command}\n   :nodefault:\n"
        )
        example = f"## Example\n\n```bash\n{EXAMPLES[command]}\n```\n"
        _write(
            GENERATED / "cli" / f"{command}.md",
            f"# minigenre {command}\n\n{_rst(directive)}\n{example}",
        )
    return commands


def generate(app: Sphinx) -> None:
    WRITTEN.clear()
    tutorial_pages()
    api_pages()
    cli_pages()
    for stale in {p for p in GENERATED.rglob("*") if p.is_file()} - WRITTEN:
        stale.unlink()


def copy_notebooks(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / "generated" / "tutorials"
    target = Path(app.outdir) / "notebooks"
    target.mkdir(exist_ok=True)
    for source in sorted(TUTORIALS.glob("[0-9][0-9]_*.py")):
        shutil.copyfile(source, target / source.name)
        notebook = executed / f"{source.stem}.ipynb"
        if notebook.exists():
            shutil.copyfile(notebook, target / notebook.name)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", generate)
    app.connect("build-finished", copy_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
