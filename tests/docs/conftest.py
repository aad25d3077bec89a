"""The book, built once per test session into a temporary folder."""

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

BOOK_SOURCE = Path(__file__).resolve().parents[2] / "docs" / "book"
_DOCS_EXTRA = ("sphinx", "myst_nb", "furo", "sphinxarg", "latex2mathml", "ipykernel")


@pytest.fixture(scope="session")
def built_book(tmp_path_factory, request) -> Path:
    """The HTML site, built with the README's command (tutorials executed)."""
    missing = [name for name in _DOCS_EXTRA if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"needs the docs extra ({', '.join(missing)} missing)")
    out = tmp_path_factory.mktemp("book") / "html"
    start = time.perf_counter()
    # The README's command, plus -W: a warning (a broken cross-reference, a
    # docstring autodoc cannot read) fails the build.
    command = ["-m", "sphinx", "-j", "2", "-q", "-W", "--keep-going"]
    result = subprocess.run(
        [sys.executable, *command, str(BOOK_SOURCE), str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    seconds = time.perf_counter() - start
    assert result.returncode == 0, (
        f"the book did not build (exit {result.returncode}):\n{result.stderr[-6000:]}"
    )
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nbook built in {seconds:.1f} s ({out})")
    return out
