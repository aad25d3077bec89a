"""A link and image check of a built HTML site, with no browser: the standard library's
HTML parser reads every page, and every local reference must name a file that exists
(and, for ``page.html#part``, an element with that id on the page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Which attribute of which tag points at another file.
_REFERENCES = {
    "a": "href",
    "img": "src",
    "link": "href",
    "script": "src",
    "source": "src",
}


@dataclass
class Page:
    ids: set[str] = field(default_factory=set)
    references: list[tuple[str, str]] = field(default_factory=list)  # (tag, url)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key):
                self.page.ids.add(values[key])
        attribute = _REFERENCES.get(tag)
        if attribute and values.get(attribute):
            self.page.references.append((tag, values[attribute]))


def read_page(path: Path) -> Page:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.page


def broken_references(site: Path) -> tuple[list[str], int, list[str]]:
    """Every local reference of every page of ``site`` that points nowhere.

    Returns:
        ``(problems, local_references_checked, external_urls)``: external URLs
        (another host) are listed, not fetched.
    """
    site = site.resolve()
    pages = {path: read_page(path) for path in sorted(site.rglob("*.html"))}
    problems, checked, external = [], 0, []
    for path, page in pages.items():
        for tag, url in page.references:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "mailto") or parts.netloc:
                external.append(url)
                continue
            if parts.scheme == "data" or url.startswith("javascript:"):
                continue
            checked += 1
            target = path
            if parts.path:
                target = (path.parent / unquote(parts.path)).resolve()
            where = f"{path.relative_to(site)}: <{tag}> {url}"
            if not target.is_relative_to(site.resolve()):
                problems.append(f"{where}: points outside the site")
            elif target.is_dir():
                if not (target / "index.html").exists():
                    problems.append(f"{where}: a folder with no index.html")
            elif not target.exists():
                problems.append(f"{where}: no such file")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else read_page(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{where}: no element with id {parts.fragment!r}")
    return problems, checked, sorted(set(external))
