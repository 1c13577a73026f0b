"""MkDocs hook: no page loads a script from another host.

mkdocs-jupyter renders notebooks with nbconvert's templates, which write
script loaders into the page. Version 0.26 leaves MathJax's as an empty
`<script src="">` (a request for the page itself) with its configuration
beside it; 0.27 appends a loader naming a CDN to every page. Both carry an
inline module that imports Mermaid from a CDN when a page has a diagram.
The book typesets formulas with its own KaTeX (the notebook pages too) and
draws no Mermaid diagram, so these loaders are taken out of the finished
page. Anything else in a script that names another host stops the build
with the page's name: a new loader cannot slip in unnoticed.
"""

from __future__ import annotations

import html
import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>\s*", re.S | re.I)
_SRC = re.compile(r"""(?:^|\s)src\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
#: An absolute or protocol-relative address, as written in HTML or in code.
_ADDRESS = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'`)<>]*""")


def source_of(attributes: str) -> str | None:
    """The `src` of a script tag's attributes, or None when it has none."""
    match = _SRC.search(attributes)
    if match is None:
        return None
    return next(value for value in match.groups() if value is not None)


def addresses_in_script(attributes: str, text: str) -> list[str]:
    """Every address of another host a script names, in its tag or its code.

    A `src` that is empty counts too: the browser requests the page itself
    and runs it as a script.
    """
    src = source_of(attributes)
    found = ['src=""'] if src is not None and not src.strip() else []
    tag = html.unescape(attributes)
    found.extend(match.group(0) for match in _ADDRESS.finditer(tag + "\n" + text))
    return found


def _is_notebook_loader(attributes: str, text: str) -> bool:
    """MathJax's and Mermaid's loaders, as mkdocs-jupyter writes them."""
    src = source_of(attributes)
    lowered = attributes.lower()
    return (
        (src is not None and (not src.strip() or "mathjax" in src.lower()))
        or "text/x-mathjax-config" in lowered
        or "data-mkdocs-jupyter-mathjax" in lowered
        or ('type="module"' in lowered and "mermaid" in text)
    )


def without_notebook_loaders(page: str) -> str:
    """`page` without the MathJax and Mermaid loaders of notebook pages."""

    def keep(match: re.Match[str]) -> str:
        attributes, text = match.group(1), match.group(2)
        return "" if _is_notebook_loader(attributes, text) else match.group(0)

    return _SCRIPT.sub(keep, page)


def foreign_scripts(page: str) -> list[str]:
    """The addresses of other hosts that the scripts of `page` name."""
    found = []
    for match in _SCRIPT.finditer(page):
        found.extend(addresses_in_script(match.group(1), match.group(2)))
    return found


# After every plugin: mkdocs-jupyter 0.27 adds its loader in on_post_page.
@event_priority(-100)
def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    output = without_notebook_loaders(output)
    foreign = foreign_scripts(output)
    if foreign:
        raise PluginError(
            f"{page.file.src_path}: a script on the page names another host "
            f"(the site must load everything from itself): {', '.join(foreign)}"
        )
    return output
