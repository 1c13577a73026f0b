"""The strict build: what it must put in the pages, and what it must not."""

from __future__ import annotations

import json
import platform
import re
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

import nbformat

from bookbuild import chapters, katex
from micrograd import versions

ROOT = Path(__file__).resolve().parents[2]
#: An absolute or protocol-relative address in a script's code.
_ADDRESS = re.compile(r"""(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s"'`)<>]*""", re.I)


def page(site: Path, name: str) -> str:
    return (site / name / "index.html").read_text(encoding="utf-8")


def test_build_is_clean(built_site: Path) -> None:
    log = (built_site / ".build-log").read_text()
    # MkDocs' own log lines; a notebook kernel's notes on stderr are not ours.
    problems = re.findall(r"(?m)^(?:WARNING|ERROR)\s+-.*$", log)
    assert not problems, log


def test_graph_blocks_render_as_inline_svg(built_site: Path) -> None:
    html = page(built_site, "how-to-read")
    graphs = re.findall(
        r'<div class="mg-output mg-graph">(<svg.*?</svg>)</div>', html, re.S
    )
    assert graphs, "the page that draws a graph shows no graph"
    # The graph of d = a*b + c: three labelled leaves, two operations.
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", graphs[0])
    for expected in ("a", "b", "c", "d", "+", "*", "data 4.0000"):
        assert expected in texts


def test_snapshot_is_shown_whole_and_offered_as_a_file(built_site: Path) -> None:
    html = page(built_site, "how-to-read")
    code = _code_blocks(html)
    source = versions.source(3)
    assert any(block.strip() == source.strip() for block in code), (
        "v3.py not shown whole"
    )
    assert (built_site / "downloads" / "v3.py").read_bytes() == versions.get_version(
        3
    ).path.read_bytes()
    assert 'href="../downloads/v3.py"' in html


def test_diff_is_generated_from_the_files(built_site: Path) -> None:
    html = page(built_site, "how-to-read")
    code = _code_blocks(html)
    # Markdown empties lines that hold only spaces, such as a blank context
    # line of a diff; everything else must match exactly.
    expected = re.sub(r"(?m)^ $", "", versions.diff(2, 3, code_only=True)).strip()
    assert any(block.strip() == expected for block in code)


def test_formulas_are_left_for_katex(built_site: Path) -> None:
    html = page(built_site, "how-to-read")
    assert '<div class="arithmatex">' in html
    assert (built_site / "assets" / "katex" / "katex.min.js").stat().st_size > 100_000
    css = (built_site / "assets" / "katex" / "katex.min.css").read_text()
    for font in re.findall(r"url\((fonts/[^)]+\.woff2)\)", css):
        assert (built_site / "assets" / "katex" / font).exists(), font


def test_every_chapter_is_offered_as_a_valid_notebook(built_site: Path) -> None:
    for path in chapters.chapter_files():
        notebook_path = built_site / "downloads" / "notebooks" / f"{path.stem}.ipynb"
        notebook = nbformat.read(notebook_path, as_version=4)
        nbformat.validate(notebook)
        assert any(cell.cell_type == "code" for cell in notebook.cells)


def test_pages_ask_no_other_host(built_site: Path) -> None:
    allowed = re.compile(r"^(https?://www\.w3\.org/|http://127\.0\.0\.1:8000/)")
    for html_path in built_site.rglob("*.html"):
        collector = _ResourceCollector()
        collector.feed(html_path.read_text(encoding="utf-8"))
        external = [
            url
            for url in collector.resources + collector.script_addresses
            if ("://" in url or url.startswith("//")) and not allowed.match(url)
        ]
        assert not external, f"{html_path.relative_to(built_site)} loads {external}"
        assert not collector.empty_sources, (
            f"{html_path.relative_to(built_site)} has a script with an empty src"
        )


def test_a_script_naming_another_host_is_caught() -> None:
    collector = _ResourceCollector()
    collector.feed(
        '<script src="">  </script><script type="module">'
        'await import("https://cdn.example.org/m.mjs")</script>'
    )
    assert collector.script_addresses == ["https://cdn.example.org/m.mjs"]
    assert collector.empty_sources == 1


def test_footer_names_the_versions_that_built_the_site(built_site: Path) -> None:
    footer = page(built_site, "performance").split('class="md-copyright__highlight"')[1]
    footer = footer.split("</div>")[0]
    assert f"Python {platform.python_version()}," in footer
    for distribution in ("mkdocs", "mkdocs-material", "mkdocs-jupyter", "graphviz"):
        assert f" {metadata.version(distribution)}," in footer, distribution
    assert f"micrograd {metadata.version('micrograd-book')}," in footer
    assert f"KaTeX {katex.VERSION}." in footer


def test_search_index_knows_the_pages(built_site: Path) -> None:
    index = json.loads((built_site / "search" / "search_index.json").read_text())
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert "how-to-read/" in locations


class _ResourceCollector(HTMLParser):
    """URLs a browser would fetch while loading a page (not plain links)."""

    def __init__(self) -> None:
        super().__init__()
        self.resources: list[str] = []
        #: Addresses written in the code of inline scripts (an import, a
        #: fetch, a loader's URL), which no tag shows.
        self.script_addresses: list[str] = []
        self.empty_sources = 0
        self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_addresses.extend(_ADDRESS.findall(data))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self._in_script = True
            if "src" in values and not (values["src"] or "").strip():
                self.empty_sources += 1
            self.script_addresses.extend(
                address
                for name, value in attrs
                if name != "src"
                for address in _ADDRESS.findall(value or "")
            )
        if tag in {
            "script",
            "img",
            "iframe",
            "source",
            "audio",
            "video",
        } and values.get("src"):
            self.resources.append(values["src"] or "")
        if (
            tag == "link"
            and values.get("href")
            and (values.get("rel") or "")
            in {
                "stylesheet",
                "preload",
                "icon",
                "manifest",
                "modulepreload",
            }
        ):
            self.resources.append(values["href"] or "")


class _CodeCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._depth = 0
        self._current: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "code":
            self._depth += 1
            if self._depth == 1:
                self._current = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "code" and self._depth:
            self._depth -= 1
            if self._depth == 0:
                self.blocks.append("".join(self._current))

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._current.append(data)


def _code_blocks(html: str) -> list[str]:
    collector = _CodeCollector()
    collector.feed(html)
    return collector.blocks


def test_search_finds_formulas_as_text_not_latex(built_site: Path) -> None:
    index = json.loads((built_site / "search" / "search_index.json").read_text())
    texts = " ".join(document["text"] for document in index["docs"])
    assert "\\frac" not in texts and "\\(" not in texts and "\\[" not in texts
    assert "∂L/∂a" in texts


def test_the_exercise_list_names_every_checkable_starter(built_site: Path) -> None:
    # The page's progress counts come from this list: every starter it names
    # must be on its page, checkable, and every checkable starter named.
    listed = json.loads((built_site / "assets" / "exercises.json").read_text())
    assert listed["pages"], "the build listed no exercise"
    named = [
        (entry["url"], item["name"])
        for entry in listed["pages"]
        for item in entry["exercises"]
    ]
    # The reader's work is kept under the page and the exercise's name.
    assert len(named) == len(set(named)), "two exercises of a page share a name"
    found = set()
    for path in built_site.rglob("index.html"):
        url = path.parent.relative_to(built_site).as_posix() + "/"
        if url.startswith("print_page/"):
            continue  # every chapter again, on one page
        html = path.read_text(encoding="utf-8")
        for tag in re.findall(r'<div class="language-python highlight"[^>]*>', html):
            exercise = re.search(r'data-mg-exercise="([^"]+)"', tag)
            if exercise and 'data-mg-run="script"' in tag:
                found.add((url.removeprefix("./"), exercise[1]))
    assert found == set(named)
    urls = [entry["url"] for entry in listed["pages"]]
    assert "chapters/08-more-operations/" in urls
    # Chapter 9's exercises need PyTorch, which the page's Python lacks.
    assert "chapters/09-pytorch/" not in urls


def test_the_notebook_page_offers_its_own_notebook(built_site: Path) -> None:
    page = (built_site / "notebooks" / "moons" / "index.html").read_text()
    assert 'href="moons.ipynb" download="moons.ipynb"' in page
    assert json.loads((built_site / "notebooks" / "moons" / "moons.ipynb").read_text())


def test_the_home_page_offers_the_whole_book_to_print(built_site: Path) -> None:
    home = (built_site / "index.html").read_text()
    assert 'href="print_page/"' in home
    assert (built_site / "print_page" / "index.html").exists()
