"""Reading the built book at a laptop's and a phone's width, in Chromium.

Every graph's text must stay readable where it is shown (no text under
MIN_TEXT_PX CSS pixels; a graph too big to fit at that size scrolls in a
region of its own, with a keyboard-operable fit / actual-size switch), and
a table wider than the column scrolls in a labelled, focusable region
instead of running off the page (the theme's wrapper, named by
accessible-names.js).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import (
    BROWSER_MARKS,
    Session,
    is_chapter,
    nav_sources,
    page_url,
    serve,
)

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing"
)

#: The smallest graph text, in CSS pixels, a reader is asked to read.
MIN_TEXT_PX = 11
#: A laptop's window and a phone's.
WIDTHS = {"laptop": (1280, 800), "phone": (390, 844)}

#: The smallest text of every graph on the page as shown, in CSS pixels,
#: each tab of a tabbed set shown in turn: [[where, px], ...].
SMALLEST_TEXT = """
() => {
  const found = [];
  const measure = (where) => {
    const svgs = document.querySelectorAll(".md-content .mg-output.mg-graph svg");
    svgs.forEach((svg, index) => {
      if (!svg.getClientRects().length) return;
      let smallest = Infinity;
      for (const text of svg.querySelectorAll("text")) {
        const size = parseFloat(text.getAttribute("font-size") || "14");
        const matrix = text.getScreenCTM();
        if (!matrix) continue;
        smallest = Math.min(smallest, size * Math.hypot(matrix.a, matrix.b));
      }
      if (smallest < Infinity) found.push([`${where} graph ${index}`, smallest]);
    });
  };
  measure("page");
  document.querySelectorAll(".md-content .tabbed-set").forEach((set, s) => {
    set.querySelectorAll(":scope > input").forEach((input, i) => {
      input.click();
      measure(`tabs ${s} tab ${i}`);
    });
  });
  return found;
}
"""

#: Every table wider than the column: how wide, and whether a reader can
#: reach all of it (it sits in a focusable, named region that scrolls).
WIDE_TABLES = """
() => [...document.querySelectorAll(".md-content table")].map((table) => {
  const column = document.querySelector(".md-content__inner").getBoundingClientRect();
  const box = table.getBoundingClientRect();
  let region = table.parentElement;
  const fits = (e) => e.scrollWidth <= e.clientWidth + 1;
  while (region && region !== document.body && fits(region)) {
    region = region.parentElement;
  }
  const scrolls = region && region !== document.body
    && getComputedStyle(region).overflowX !== "visible";
  const regionBox = scrolls ? region.getBoundingClientRect() : null;
  return {
    width: box.width,
    column: column.width,
    fits: box.right <= column.right + 1 && box.left >= column.left - 1,
    scrolls: Boolean(scrolls),
    withinWindow: regionBox
      ? regionBox.left >= 0 && regionBox.right <= document.documentElement.clientWidth
      : false,
    pageScrollsSideways:
      document.documentElement.scrollWidth > document.documentElement.clientWidth,
    focusable: scrolls ? region.tabIndex >= 0 : false,
    role: scrolls ? region.getAttribute("role") : null,
    name: scrolls
      ? region.getAttribute("aria-label") || region.getAttribute("aria-labelledby")
      : null,
  };
})
"""


@pytest.fixture(scope="module")
def browser(
    built_site: Path, playwright_driver: sync_api.Playwright
) -> Iterator[Session]:
    with serve(built_site) as base, Session(playwright_driver, base) as opened:
        yield opened


def open_page(
    browser: Session, source: str, size: str, scheme: str = "light"
) -> sync_api.Page:
    width, height = WIDTHS[size]
    tab = browser.context(scheme, width=width, height=height).new_page()
    tab.goto(browser.base + page_url(source), wait_until="load")
    return tab


CHAPTERS = [source for source in nav_sources() if is_chapter(source)]


@pytest.mark.parametrize("size", WIDTHS)
def test_graph_text_is_readable_on_every_chapter(browser: Session, size: str) -> None:
    too_small = []
    measured = 0
    for source in CHAPTERS:
        tab = open_page(browser, source, size)
        try:
            for where, px in tab.evaluate(SMALLEST_TEXT):
                measured += 1
                if px < MIN_TEXT_PX:
                    too_small.append(f"{source} {where}: {px:.1f} px")
        finally:
            tab.context.close()
    assert measured > 10, "the chapters show almost no graphs: the measure is broken"
    assert too_small == []


@pytest.mark.parametrize("size", WIDTHS)
def test_performance_tables_stay_in_the_column(browser: Session, size: str) -> None:
    tab = open_page(browser, "performance.md", size)
    try:
        tables = tab.evaluate(WIDE_TABLES)
    finally:
        tab.context.close()
    assert tables, "the Performance page has no table"
    for table in tables:
        if table["fits"]:
            continue
        assert table["scrolls"] and table["withinWindow"], table
        assert not table["pageScrollsSideways"], table
        assert table["focusable"] and table["role"] == "region" and table["name"], table
