"""Math as MathML, rendered by the browser itself: no script, nothing fetched.

Sphinx's default, MathJax, is loaded from a CDN when the page opens, so a reader
offline (or a test without network) sees raw LaTeX and a console error. Every
current browser renders MathML Core natively (Chromium since 109), so the LaTeX of
``$...$`` and ``$$...$$`` is converted once, at build time, by latex2mathml.
"""

from __future__ import annotations

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.application import Sphinx


def _visit_inline(self, node: nodes.Element) -> None:
    self.body.append(convert(node.astext()))
    raise nodes.SkipNode


def _visit_block(self, node: nodes.Element) -> None:
    self.body.append(
        '<div class="math-block">'
        + convert(node.astext(), display="block")
        + "</div>\n"
    )
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict:
    app.add_html_math_renderer("mathml", (_visit_inline, None), (_visit_block, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
