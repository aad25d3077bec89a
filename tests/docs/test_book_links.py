"""The built book, read without a browser: pages, links, images, notebooks."""

import json
import re

import pytest
from book_links import broken_references

pytestmark = pytest.mark.slow


def test_every_local_link_and_image_resolves(built_book):
    problems, checked, _ = broken_references(built_book)
    assert checked > 500, f"only {checked} local references: is the site complete?"
    assert problems == [], "\n".join(problems[:40])


def test_the_book_fetches_nothing_from_other_hosts(built_book):
    # Outbound links in prose are fine; scripts, styles and images must be local.
    for page in built_book.rglob("*.html"):
        text = page.read_text()
        for marker in ('<script src="http', '<link rel="stylesheet" href="http'):
            assert marker not in text, f"{page.name} loads {marker} from another host"


def test_each_tutorial_page_offers_its_executed_notebook(built_book):
    pages = sorted((built_book / "generated" / "tutorials").glob("*.html"))
    assert len(pages) >= 7
    for page in pages:
        notebook = built_book / "notebooks" / f"{page.stem}.ipynb"
        assert f'href="../../notebooks/{page.stem}.ipynb"' in page.read_text()
        cells = json.loads(notebook.read_text())["cells"]
        code = [cell for cell in cells if cell["cell_type"] == "code"]
        with_output = [cell for cell in code if cell["outputs"]]
        assert len(with_output) >= len(code) // 2, f"{notebook.name}: few outputs"
        assert (built_book / "notebooks" / f"{page.stem}.py").exists()


def test_no_tutorial_page_shows_error_output(built_book):
    # Tracebacks fail the build; warnings and log lines (TensorFlow's start-up
    # notices, say) would show as red stderr blocks under a cell.
    for page in (built_book / "generated" / "tutorials").glob("*.html"):
        assert "output stderr" not in page.read_text(), f"{page.name} shows stderr"


def test_figures_appear_inline_on_the_tutorial_pages(built_book):
    page = (built_book / "generated" / "tutorials" / "05_training.html").read_text()
    assert page.count("<img ") >= 2, "tutorial 5 shows its curves and its matrix"


def test_there_is_a_page_per_command_and_per_public_name(built_book):
    import minigenre
    from minigenre.cli import build_parser

    for name in minigenre.__all__:
        assert (built_book / "generated" / "api" / f"minigenre.{name}.html").exists()
    # The commands as `minigenre --help` lists them, under COMMAND.
    listed = re.findall(r"^    (\w+)  ", build_parser().format_help(), re.M)
    pages = sorted(p.stem for p in (built_book / "generated" / "cli").glob("*.html"))
    assert pages == sorted(listed)
    dense = (built_book / "generated" / "api" / "minigenre.Dense.html").read_text()
    assert "kernel_initializer" in dense, "the Dense page lacks its arguments"
