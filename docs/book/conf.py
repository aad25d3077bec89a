"""The minigenre book: ``sphinx-build -j 2 docs/book build/book/html`` builds it.

Sphinx with myst-nb: the tutorials stay jupytext percent scripts, myst-nb executes
each one in a Jupyter kernel while the book is built and puts every printed output
and figure below its cell; autodoc fills the API pages from the docstrings and
sphinx-argparse the command pages from the parser itself.
"""

import logging
import os
import sys
import tempfile
from pathlib import Path

BOOK = Path(__file__).resolve().parent
sys.path.insert(0, str(BOOK / "_ext"))
sys.path.insert(0, str(BOOK.parents[1]))  # this checkout's minigenre, for autodoc

import sphinx.util.inspect  # noqa: E402

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

# minigenre chooses its BLAS threads itself, and `reference` imports TensorFlow
# without its start-up notices (the tests check that no tutorial page shows a
# stderr block). The one thing set for the kernels: their own log level, so that
# ipykernel's notice about TCP without encryption (local kernels, one per
# tutorial) does not fill the build's output. The profile lives in a temporary
# folder, so IPython writes nothing into the checkout.
_ipython_dir = Path(tempfile.mkdtemp(prefix="minigenre-book-ipython-"))
(_ipython_dir / "profile_default").mkdir()
(_ipython_dir / "profile_default" / "ipython_kernel_config.py").write_text(
    'c.IPKernelApp.log_level = "ERROR"\n'
)
os.environ["IPYTHONDIR"] = str(_ipython_dir)
# nbclient announces each notebook it executes at INFO level: the build stays quiet.
logging.getLogger("traitlets").setLevel(logging.WARNING)

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
# NumPy's aliases as written, not expanded into NumPy's typing internals
# (``ndarray[tuple[Any, ...], dtype[_ScalarT]]``). Sphinx shows an alias nested in
# another type (``list[NDArray]``) by its repr: make that the name itself.
_ALIASES = ("NDArray", "ArrayLike", "DTypeLike", "Initializer")
autodoc_type_aliases = {name: name for name in _ALIASES}
sphinx.util.inspect.TypeAliasForwardRef.__repr__ = lambda self: self.name
python_use_unqualified_type_names = True
# Options are shown as typed: no "--csv" turned into an en dash.
smartquotes = False
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
