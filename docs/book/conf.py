"""The minigenre book: ``sphinx-build -j 2 docs/book build/book/html`` builds it.

Sphinx with myst-nb: the tutorials stay jupytext percent scripts, myst-nb executes
each one in a Jupyter kernel while the book is built and puts every printed output
and figure below its cell; autodoc fills the API pages from the docstrings and
sphinx-argparse the command pages from the parser itself.
"""

import sys
from pathlib import Path

BOOK = Path(__file__).resolve().parent
sys.path.insert(0, str(BOOK / "_ext"))
sys.path.insert(0, str(BOOK.parents[1]))  # this checkout's minigenre, for autodoc

import minigenre  # noqa: E402

project = "minigenre"
author = "the minigenre authors"
copyright = "minigenre authors, MIT licence"
release = version = minigenre.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",  # Google-style docstrings (Args:, Returns:, Raises:)
    "sphinxarg.ext",
    "mathml",
    "pages",
]
exclude_patterns = ["_build", "_ext", "conf.py", "Thumbs.db", ".DS_Store"]

# The tutorials are percent scripts; myst-nb reads them through jupytext.
nb_custom_formats = {".py": ["jupytext.reads", {"fmt": "py:percent"}]}
nb_execution_mode = "force"  # outputs always come from the code as it is now
nb_execution_raise_on_error = True  # a tutorial that fails fails the build
nb_execution_timeout = 600
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type", "myst.domains"]

# Nothing is set in the kernels' environment: minigenre chooses its BLAS threads
# itself, and `reference` imports TensorFlow without its start-up notices (the
# tests check that no tutorial page shows a stderr block).

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = "furo"
html_title = f"minigenre {release}"
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_favicon = "_static/favicon.svg"  # browsers ask for one; without it, a 404
html_show_sourcelink = False  # tutorial pages offer their notebook and script instead
html_theme_options = {"navigation_with_keys": True}
