"""The notebook pages' script loaders come out, and a script naming another
host stops the build (bookbuild/offline.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from bookbuild import offline

# The shapes mkdocs-jupyter writes: 0.26 (nbconvert's MathJax 2 macro with an
# empty address, and the Mermaid module), 0.27 (its MathJax loader).
MATHJAX_026 = """
    <script src=""> </script>
    <script type="text/x-mathjax-config">
    init_mathjax = function() { MathJax.Hub.Config({}); }
    </script>
"""
MERMAID = """<script type="module">
  document.addEventListener("DOMContentLoaded", async () => {
    const mermaid = (await import("https://cdnjs.cloudflare.com/ajax/libs/mermaid/11.10.0/mermaid.esm.min.mjs")).default;
  });
</script>
"""
MATHJAX_027 = (
    '<script data-mkdocs-jupyter-mathjax="{&#34;url&#34;: '
    '&#34;https://cdn.jsdelivr.net/npm/mathjax@4.1.3/tex-mml-chtml.js&#34;}">'
    "\n(() => { const s = document.createElement('script'); })();\n</script>"
)
OWN = (
    '<script src="../assets/katex/katex.min.js"></script>\n'
    '<script id="__config" type="application/json">{"base": ".."}</script>\n'
)


def page_with(*scripts: str) -> str:
    return "<html><head>" + "".join(scripts) + "</head><body><p>x</p></body></html>"


LOADERS = pytest.mark.parametrize(
    "loader",
    [MATHJAX_026, MERMAID, MATHJAX_027],
    ids=["mathjax-0.26", "mermaid", "mathjax-0.27"],
)


@LOADERS
def test_each_loader_names_another_host_or_an_empty_address(loader: str) -> None:
    assert offline.foreign_scripts(page_with(OWN, loader)) != []


@LOADERS
def test_loaders_are_removed_and_the_site_own_scripts_kept(loader: str) -> None:
    cleaned = offline.without_notebook_loaders(page_with(OWN, loader))
    assert cleaned.split() == page_with(OWN).split()
    assert offline.foreign_scripts(cleaned) == []


@pytest.mark.parametrize(
    ("script", "named"),
    [
        (
            '<script src="https://cdn.example.org/x.js"></script>',
            "https://cdn.example.org/x.js",
        ),
        ("<script src='//cdn.example.org/x.js'></script>", "//cdn.example.org/x.js"),
        (
            '<script>fetch("https://api.example.com/v1")</script>',
            "https://api.example.com/v1",
        ),
        (
            "<script>import('//esm.example.net/m.mjs')</script>",
            "//esm.example.net/m.mjs",
        ),
        ("<script src=''></script>", 'src=""'),
        ('<script data-src="" src="./own.js"></script>', None),
    ],
)
def test_other_hosts_are_found_in_tags_and_in_code(
    script: str, named: str | None
) -> None:
    expected = [] if named is None else [named]
    assert offline.foreign_scripts(page_with(OWN, script)) == expected


def test_a_page_whose_script_names_another_host_stops_the_build() -> None:
    page = SimpleNamespace(file=SimpleNamespace(src_path="chapters/x.md"))
    html = page_with('<script>import("https://cdn.example.org/a.mjs")</script>')
    with pytest.raises(PluginError, match=r"chapters/x\.md.*cdn\.example\.org"):
        offline.on_post_page(html, page=page, config=None)


def test_a_clean_page_passes_with_its_loaders_removed() -> None:
    page = SimpleNamespace(file=SimpleNamespace(src_path="notebooks/moons.ipynb"))
    html = page_with(OWN, MATHJAX_026, MERMAID)
    cleaned = offline.on_post_page(html, page=page, config=None)
    assert cleaned.split() == page_with(OWN).split()


def test_the_browser_check_reads_the_code_of_scripts() -> None:
    from support import foreign_in_scripts

    base = "http://127.0.0.1:4000/"
    scripts = [
        {"src": "http://127.0.0.1:4000/assets/katex/katex.min.js", "code": ""},
        {"src": None, "code": 'const b = new URL("..", location)'},
        {"src": "", "code": ""},
        {"src": None, "code": 'await import("https://cdnjs.example.com/m.mjs")'},
        {"src": "//cdn.example.org/x.js", "code": ""},
    ]
    assert foreign_in_scripts(scripts, base) == [
        '<script src="">',
        "https://cdnjs.example.com/m.mjs",
        "//cdn.example.org/x.js",
    ]
