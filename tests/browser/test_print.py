"""The whole book prints as one PDF, with every graph, formula and output.

The print page (mkdocs-print-site-plugin, finished by bookbuild/build.py)
holds every chapter. Chromium opens it as a printer would see it and saves
a PDF; the page must have every drawing the chapters have, no formula left
as LaTeX, no control of the page's runner, and the PDF one page per few
screens of text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import BROWSER_MARKS, Session, serve

pytestmark = BROWSER_MARKS
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing"
)

PRINT_PAGE = "print_page/"


def outputs_in(html: str) -> int:
    return len(re.findall(r'<div class="mg-output mg-(?:graph|plot)"', html))


@pytest.fixture(scope="module")
def printed(
    built_site: Path, playwright_driver: sync_api.Playwright
) -> Iterator[tuple[dict, bytes]]:
    with serve(built_site) as base, Session(playwright_driver, base) as browser:
        # Playwright's own window, as a tab of a bare browser has.
        tab = browser.context(width=1280, height=720).new_page()
        tab.emulate_media(media="print")
        tab.goto(base + PRINT_PAGE, wait_until="networkidle", timeout=120_000)
        tab.wait_for_function(
            "document.querySelectorAll('.arithmatex').length > 0 && "
            "[...document.querySelectorAll('.arithmatex')]"
            ".every(e => e.querySelector('.katex'))",
            timeout=60_000,
        )
        facts = tab.evaluate(
            """() => ({
              outputs: document.querySelectorAll('.mg-output svg').length,
              formulas: document.querySelectorAll('.arithmatex').length,
              typeset: document.querySelectorAll('.arithmatex .katex').length,
              rawLatex: /\\\\\\(|\\\\\\[|\\\\frac/.test(
                  document.querySelector('article, .md-content').innerText),
              visibleControls: [...document.querySelectorAll(
                  '.mg-run-bar, .mg-run-note')].filter(
                  e => e.getClientRects().length).length,
              chapters: [...document.querySelectorAll('h1')].map(
                  h => h.textContent.trim()),
            })"""
        )
        yield facts, tab.pdf(format="A4", print_background=True)


def test_the_book_prints_every_drawing_its_chapters_show(
    built_site: Path, printed: tuple[dict, bytes]
) -> None:
    facts, _ = printed
    pages = [
        path
        for path in built_site.rglob("index.html")
        if path.parent.name != "print_page"
    ]
    expected = sum(outputs_in(path.read_text(encoding="utf-8")) for path in pages)
    assert expected > 20
    assert facts["outputs"] == expected


def test_every_formula_is_typeset_for_print(printed: tuple[dict, bytes]) -> None:
    facts, _ = printed
    assert facts["formulas"] > 100
    assert facts["typeset"] == facts["formulas"]
    assert not facts["rawLatex"]


def test_the_print_has_every_chapter_and_no_run_controls(
    printed: tuple[dict, bytes],
) -> None:
    facts, _ = printed
    chapters = [title for title in facts["chapters"] if re.match(r"\d+\.", title)]
    assert len(chapters) >= 12, facts["chapters"]
    assert facts["visibleControls"] == 0


def test_the_pdf_has_the_pages_of_a_book(printed: tuple[dict, bytes]) -> None:
    _, pdf = printed
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages > 100, pages
