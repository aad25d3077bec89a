"""The built book in a real browser: Debian's Chromium, headless, driven by Playwright.

Every page is opened from a local HTTP server; any request to another host is
blocked and counted as a failure. Skipped where no Chromium is installed, except
under CI (``CI`` set), where a missing browser fails the test.
"""

import functools
import http.server
import importlib
import os
import re
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM_FLAGS = [
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine has no network: without these, Chromium's own background
    # connections are refused and logged, many at a time.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = {
    "entry": "index.html",
    "tutorial_5": "generated/tutorials/05_training.html",
    "dense_api": "generated/api/minigenre.Dense.html",
}


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "needs Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: .ci/run should have installed it")
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def site(request):
    _chromium()  # no browser: skip before building the book for nothing
    built_book = request.getfixturevalue("built_book")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # the test reports what fails, not each GET
            pass

    handler = functools.partial(Quiet, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", built_book
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if os.environ.get("CI"):  # CI installs the docs extra: fail, never skip
        sync_api = importlib.import_module("playwright.sync_api")
    else:
        sync_api = pytest.importorskip("playwright.sync_api")
    args = [*CHROMIUM_FLAGS]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to sandbox as root
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=args)
        yield chromium
        chromium.close()


def _visit(context, base: str, path: str) -> tuple[object, list[str]]:
    """Opens one page; returns it and every problem the browser reported."""
    problems: list[str] = []
    page = context.new_page()
    page.on(
        "console",
        lambda msg: problems.append(f"console {msg.type}: {msg.text}")
        if msg.type in ("error", "warning") else None,
    )  # fmt: skip
    page.on("pageerror", lambda err: problems.append(f"script error: {err}"))
    page.on(
        "requestfailed",
        lambda req: problems.append(f"request failed: {req.url} ({req.failure})"),
    )
    page.on(
        "response",
        lambda res: problems.append(f"HTTP {res.status}: {res.url}")
        if res.status >= 400 else None,
    )  # fmt: skip
    page.goto(base + path, wait_until="networkidle")
    return page, problems


def _broken_images(page) -> list[str]:
    """Images that failed to load or are drawn with no area."""
    return page.evaluate(
        """() => Array.from(document.images)
            .filter(img => !img.complete || img.naturalWidth === 0
                    || img.getBoundingClientRect().width === 0
                    || img.getBoundingClientRect().height === 0)
            .map(img => img.getAttribute('src'))"""
    )


def _internal_links(page, base: str) -> set[str]:
    hrefs = page.evaluate("() => Array.from(document.links).map(a => a.href)")
    return {href.split("#")[0] for href in hrefs if href.startswith(base)}


def test_every_page_opens_cleanly_in_chromium(site, browser):
    base, root = site
    pages = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    # Nothing may come from another host: block it, and count it as a failure.
    blocked: list[str] = []

    def only_local(route):
        if route.request.url.startswith(base):
            return route.continue_()
        blocked.append(route.request.url)
        return route.abort()

    context.route("**/*", only_local)
    problems, links, images = [], set(), 0
    for path in pages:
        page, found = _visit(context, base, path)
        problems += [f"{path}: {problem}" for problem in found]
        problems += [f"{path}: image not loaded: {src}" for src in _broken_images(page)]
        images += page.evaluate("() => document.images.length")
        links |= _internal_links(page, base)
        page.close()
    for url in sorted(links):  # every link target, fetched by the browser
        response = context.request.get(url)
        if response.status != 200:
            problems.append(f"broken link: {url} (HTTP {response.status})")
    context.close()
    print(f"{len(pages)} pages, {len(links)} link targets, {images} images checked")
    assert blocked == [], f"requests to other hosts: {blocked[:10]}"
    assert problems == [], "\n".join(problems[:40])
    assert len(pages) >= 30
    assert images >= 10


def _not_blank(png: Path) -> tuple[float, float]:
    """The share of pixels that differ from the most common colour, and their spread."""
    pixels = imread(png)[..., :3].reshape(-1, 3)
    rgb = (pixels * 255).astype(np.uint8)
    colours, counts = np.unique(rgb, axis=0, return_counts=True)
    background = colours[counts.argmax()]
    differ = np.any(np.abs(pixels * 255 - background) > 24, axis=1)
    return float(differ.mean()), float(pixels.std())


@pytest.mark.parametrize("name", SCREENSHOTS)
def test_screenshot_is_not_blank(site, browser, name, tmp_path_factory):
    base, _ = site
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page, problems = _visit(context, base, SCREENSHOTS[name])
    out = tmp_path_factory.mktemp("screenshots") / f"{name}.png"
    page.screenshot(path=str(out), full_page=False)
    share, spread = _not_blank(out)
    print(f"{out}: {share:.1%} of pixels drawn, spread {spread:.3f}")
    if name == "tutorial_5":
        # The confusion matrix: scroll it into view and shoot the figure alone.
        figure = page.locator("img[src*='_images/']").last
        figure.scroll_into_view_if_needed()
        box = figure.bounding_box()
        assert box is not None
        assert min(box["width"], box["height"]) > 200
        matrix = out.with_name("confusion_matrix.png")
        figure.screenshot(path=str(matrix))
        colours = len(np.unique(imread(matrix)[..., :3].reshape(-1, 3), axis=0))
        assert colours > 50, f"the confusion matrix drew only {colours} colours"
    context.close()
    assert problems == []
    assert share > 0.03, f"{name}: only {share:.1%} of the screenshot differs"
    assert spread > 0.05


def test_the_book_has_no_rough_edges(site, browser):
    """One verdict per check cell, whole; printed lines wrap instead of being cut;
    options typed as --options (no en dash); each API page listed once."""
    base, root = site
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    verdicts, clipped, dashes = {}, [], []
    for path in sorted((root / "generated" / "tutorials").glob("*.html")):
        page, _ = _visit(context, base, path.relative_to(root).as_posix())
        found = page.evaluate(
            r"""() => {
              const text = (c, s) => (c.querySelector(s) || {innerText: ''}).innerText;
              return Array.from(document.querySelectorAll('div.cell'))
                .filter(c => /^check\(\w+\)$/.test(text(c, '.cell_input').trim()))
                .map(c => text(c, '.cell_output').split('\n')
                  .filter(l => /^(passed|not yet|wrong) /.test(l)).length);
            }"""
        )
        verdicts[path.stem] = found
        clipped += [f"{path.stem}: {text[:60]}" for text in page.evaluate(
            """() => Array.from(document.querySelectorAll('div.cell_output pre'))
                .filter(p => p.scrollWidth > p.clientWidth + 1)
                .map(p => p.innerText)"""
        )]  # fmt: skip
        page.close()
    for path in sorted((root / "generated" / "cli").glob("*.html")):
        page, _ = _visit(context, base, path.relative_to(root).as_posix())
        text = page.evaluate("() => document.querySelector('article').innerText")
        dashes += [
            f"{path.stem}: {line}" for line in text.splitlines() if "\u2013" in line
        ]
        assert "Example" in text, path.stem
        assert text.count("Default:") == 0, path.stem  # the help says it, once
        page.close()
    page, _ = _visit(context, base, "api.html")
    links = page.evaluate(
        """() => Array.from(document.querySelectorAll('article a.reference.internal'))
            .map(a => a.getAttribute('href').split('#')[0])"""
    )
    context.close()
    assert all(counts == [1] * len(counts) for counts in verdicts.values()), verdicts
    assert sum(len(counts) for counts in verdicts.values()) >= 27
    assert clipped == []
    assert dashes == []
    assert len(links) == len(set(links)), sorted(links)
    internals = re.compile(r"_ScalarT|_HasDType|TypeAliasForwardRef")
    api = sorted((root / "generated" / "api").rglob("*.html"))
    assert [p.name for p in api if internals.search(p.read_text())] == []
