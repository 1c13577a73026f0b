"""The built site in a real browser: every page, in the light and the dark scheme.

One headless Chromium (Debian's, never one downloaded by Playwright) serves
the whole session. Each page of the nav is loaded once per colour scheme;
what the page asked for, what it logged and what its graphs look like are
recorded on that visit, and the tests below check the records. Chapters are
saved as full-page screenshots under build/screenshots/ for a person to look
at.
"""

from __future__ import annotations

import doctest
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nbformat
import pytest
from support import (
    AXE_RUN,
    AXE_VERSION,
    BROWSER_MARKS,
    INSPECT_OUTPUT,
    PAGE_FACTS,
    ROOT,
    SCREENSHOTS,
    TEXT_COLOURS,
    Session,
    axe_script,
    contrast,
    flatten,
    foreign_in_scripts,
    is_chapter,
    is_foreign,
    nav_sources,
    over,
    page_url,
    parse_colour,
    screenshot_name,
    serve,
)

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing"
)

PAGES = nav_sources()
SCHEMES = {"light": "default", "dark": "slate"}
#: Pages saved as screenshots: the chapters, and the two pages about reading.
SCREENSHOT_PAGES = {p for p in PAGES if is_chapter(p)} | {"how-to-read.md", "errors.md"}
#: WCAG AA for normal text. Graph labels are small (12px), so no large-text
#: allowance applies.
MIN_CONTRAST = 4.5
VIEWPORT = {"width": 1280, "height": 900}
#: How long any wait in a tab may take, in ms.
TIMEOUT = 15_000


# ---- the browser and what each visit records --------------------------------


@dataclass
class Visit:
    source: str
    scheme: str
    url: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    outputs: list[dict] = field(default_factory=list)
    violations: list[dict] = field(default_factory=list)

    def foreign(self, base: str) -> list[str]:
        return [url for url in self.requests if is_foreign(url, base)]


class Browser(Session):
    """One Chromium, one tab per colour scheme, each page visited once."""

    def __init__(self, playwright: sync_api.Playwright, base: str) -> None:
        super().__init__(playwright, base)
        self.axe = axe_script()
        self.pages: dict[str, sync_api.Page] = {}
        self.current: dict[str, Visit | None] = {}
        self.in_flight: dict[str, set] = {}
        self.last_activity: dict[str, float] = {}
        self.visits: dict[tuple[str, str], Visit] = {}
        for scheme in SCHEMES:
            # The sitemap as built: a link loads a whole page, never one
            # Material swaps in, so each Visit records one document's load.
            context = self.context(
                scheme,
                sitemap=False,
                permissions=["clipboard-read", "clipboard-write"],
                accept_downloads=True,
            )
            self.pages[scheme] = self._watch(context.new_page(), scheme)
            self.current[scheme] = None

    def context(self, scheme: str = "light", **options: Any) -> sync_api.BrowserContext:
        """A context of the session's, with this module's window and patience."""
        return super().context(
            scheme,
            width=VIEWPORT["width"],
            height=VIEWPORT["height"],
            timeout=TIMEOUT,
            **options,
        )

    def _watch(self, page: sync_api.Page, scheme: str) -> sync_api.Page:
        def record(kind: str) -> Callable:
            def handler(event: object) -> None:
                visit = self.current[scheme]
                if visit is None:
                    return
                if kind == "request":
                    visit.requests.append(event.url)
                elif kind == "console" and event.type == "error":
                    visit.console_errors.append(
                        f"console: {event.text} ({event.location})"
                    )
                elif kind == "pageerror":
                    visit.console_errors.append(f"uncaught: {event}")
                elif kind == "requestfailed":
                    visit.failed.append(f"{event.url}: {event.failure}")
                elif kind == "response" and event.status >= 400:
                    visit.failed.append(f"{event.url}: HTTP {event.status}")

            return handler

        def started(request: sync_api.Request) -> None:
            self.in_flight[scheme].add(request)
            self.last_activity[scheme] = time.monotonic()

        def ended(request: sync_api.Request) -> None:
            self.in_flight[scheme].discard(request)
            self.last_activity[scheme] = time.monotonic()

        self.in_flight[scheme] = set()
        self.last_activity[scheme] = time.monotonic()
        page.on("request", started)
        page.on("requestfinished", ended)
        page.on("requestfailed", ended)
        for kind in ("request", "console", "pageerror", "requestfailed", "response"):
            page.on(kind, record(kind))
        return page

    def open(self, source: str, scheme: str) -> sync_api.Page:
        """Load `source` in the tab of `scheme`, recording into a fresh Visit."""
        page = self.pages[scheme]
        url = self.base + page_url(source)
        visit = Visit(source, scheme, url)
        self.current[scheme] = visit
        page.goto(url, wait_until="load")
        self.settle(scheme)
        page.evaluate("document.fonts.ready.then(() => true)")
        return page

    def settle(self, scheme: str, quiet: float = 0.15, limit: float = 15.0) -> None:
        """Wait until the tab has had no request in flight for `quiet` seconds.

        Like Playwright's "networkidle", which waits a fixed 500 ms; the
        search index, the worker and the favicon all come after "load".
        """
        page = self.pages[scheme]
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if (
                not self.in_flight[scheme]
                and time.monotonic() - self.last_activity[scheme] >= quiet
            ):
                return
            page.wait_for_timeout(25)
        raise AssertionError(
            f"requests still in flight after {limit} s: {self.in_flight[scheme]}"
        )

    def visit(self, source: str, scheme: str) -> Visit:
        key = (source, scheme)
        if key not in self.visits:
            page = self.open(source, scheme)
            visit = self.current[scheme]
            visit.facts = page.evaluate(PAGE_FACTS)
            if source in SCREENSHOT_PAGES:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(
                    path=SCREENSHOTS / screenshot_name(source, scheme), full_page=True
                )
            # axe-core checks the page as a reader finds it, too.
            page.add_script_tag(content=self.axe)
            visit.violations = page.evaluate(AXE_RUN)
            # Inspecting opens admonitions and switches tabs, so it comes
            # after the screenshot, which shows the page as a reader finds it.
            visit.outputs = [
                page.evaluate(INSPECT_OUTPUT, index)
                for index in range(visit.facts["outputs"])
            ]
            self.visits[key] = visit
        return self.visits[key]

    def at(self, source: str, scheme: str = "light") -> sync_api.Page:
        """The tab of `scheme`, showing `source` (loaded again if it moved on)."""
        page = self.pages[scheme]
        if page.url != self.base + page_url(source):
            self.open(source, scheme)
        return page


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser(site_url: str, playwright_driver: sync_api.Playwright) -> Iterator[Browser]:
    session = Browser(playwright_driver, site_url)
    try:
        yield session
    finally:
        session.close()


# Module-scoped parameters make pytest run every test of one page together,
# so the tab is still on that page when the next test needs it.


@pytest.fixture(scope="module", params=PAGES)
def source(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module", params=list(SCHEMES))
def scheme(request: pytest.FixtureRequest) -> str:
    return request.param


# ---- every page, both schemes ------------------------------------------------


#: A page the site has besides the nav's: the whole book on one page, for
#: printing (tests/browser/test_print.py visits it).
PRINT_PAGE = "print_page/"


def test_every_built_page_is_in_the_nav(built_site: Path) -> None:
    built = set()
    for path in built_site.rglob("index.html"):
        folder = path.parent.relative_to(built_site).as_posix()
        built.add("" if folder == "." else folder + "/")
    assert built == {page_url(source) for source in PAGES} | {PRINT_PAGE}


def test_page_loads_cleanly_from_this_host_only(
    browser: Browser, source: str, scheme: str
) -> None:
    visit = browser.visit(source, scheme)
    assert visit.console_errors == []
    assert visit.failed == []
    assert visit.foreign(browser.base) == [], "the page asked another host"
    # A loader that has not fired yet (a dynamic import kept for a diagram
    # the page lacks) shows only in the code of its script.
    assert foreign_in_scripts(visit.facts["scripts"], browser.base) == []
    assert visit.requests, "no request recorded: the page did not load"
    assert visit.facts["scheme"] == SCHEMES[scheme]


def test_graphs_are_visible_with_readable_text(
    browser: Browser, source: str, scheme: str
) -> None:
    visit = browser.visit(source, scheme)
    problems = []
    for number, output in enumerate(visit.outputs, start=1):
        where = f"{output['kind']} {number}"
        if not output["visible"] or output["width"] <= 0 or output["height"] <= 0:
            problems.append(
                f"{where}: not visible ({output['width']}x{output['height']})"
            )
        if output["kind"] != "graph":
            continue
        page_colour = flatten(output["backgrounds"] + [output["graphBackground"]])
        for text in output["texts"]:
            shape = parse_colour(text["shape"])
            if shape is not None:
                # A translucent fill (fill-opacity) lets the page show through.
                shape = (*shape[:3], shape[3] * float(text["shapeOpacity"]))
            under = over(shape, page_colour)
            ratio = contrast(flatten_text(text["fill"], under), under)
            if ratio < MIN_CONTRAST:
                problems.append(
                    f"{where}: {text['text']!r} has contrast {ratio:.2f} "
                    f"(fill {text['fill']} on {under})"
                )
    assert problems == []


def flatten_text(
    fill: str, under: tuple[float, float, float]
) -> tuple[float, float, float]:
    colour = parse_colour(fill)
    assert colour is not None, "graph text has no fill"
    return over(colour, under)


def test_axe_finds_nothing_to_fix(browser: Browser, source: str, scheme: str) -> None:
    # Every rule axe-core runs by default: WCAG 2 A and AA (contrast, names,
    # roles, keyboard access) and its best practices (unique landmarks).
    violations = browser.visit(source, scheme).violations
    report = [
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(
            f"    {n['target']}: {n['html']}\n      {n['summary']}"
            for n in v["nodes"][:5]
        )
        for v in violations
    ]
    assert violations == [], f"axe-core {AXE_VERSION}:\n" + "\n".join(report)


def test_axe_reports_what_it_finds(browser: Browser) -> None:
    # Guards the test above: on a page with a known fault, axe must say so.
    page = browser.at("index.md")
    try:
        page.evaluate(
            "() => { const p = document.createElement('p');"
            " p.id = 'mg-axe-probe'; p.textContent = 'faint';"
            " p.style.color = '#ddd'; p.style.background = '#fff';"
            " document.querySelector('article').append(p); }"
        )
        page.add_script_tag(content=browser.axe)
        found = {v["id"] for v in page.evaluate(AXE_RUN)}
    finally:
        page.evaluate("document.getElementById('mg-axe-probe')?.remove()")
    assert "color-contrast" in found


def test_formulas_are_typeset(browser: Browser, source: str) -> None:
    facts = browser.visit(source, "light").facts
    assert facts["untypeset"] == [], "formulas left as TeX"
    assert facts["katexErrors"] == 0
    assert facts["katex"] >= facts["arithmatex"]


def test_the_formula_page_has_formulas(browser: Browser) -> None:
    # Guards the test above against passing on pages that have none.
    facts = browser.visit("how-to-read.md", "light").facts
    assert facts["arithmatex"] > 0
    assert facts["katex"] > 0


#: For each displayed formula: the space between it and the text above and
#: below, and the same for a paragraph that follows a paragraph.
FORMULA_GAPS = """() => {
  const box = (e) => e.getBoundingClientRect();
  const gaps = [];
  for (const math of document.querySelectorAll("div.arithmatex .katex-display")) {
    const holder = math.closest("div.arithmatex");
    const above = holder.previousElementSibling, below = holder.nextElementSibling;
    if (above) gaps.push(box(math).top - box(above).bottom);
    if (below) gaps.push(box(below).top - box(math).bottom);
  }
  const p = document.querySelector(".md-typeset p + p");
  return { gaps, paragraph: box(p).top - box(p.previousElementSibling).bottom };
}"""


def test_a_displayed_formula_sits_close_to_its_text(browser: Browser) -> None:
    # KaTeX's block inside the inline span it is rendered into left an empty
    # line above and below every displayed formula.
    found = browser.at("chapters/02-remembering-the-graph.md").evaluate(FORMULA_GAPS)
    assert found["gaps"], "chapter 2 has no displayed formula"
    assert max(found["gaps"]) <= 2 * found["paragraph"], found


#: For every set of content tabs on a page: how many rows its labels take, and
#: whether they overflow their strip (Material scrolls them sideways then).
TAB_ROWS = """() => [...document.querySelectorAll(".tabbed-labels")].map((strip) => ({
  first: strip.children[0].textContent.trim(),
  rows: new Set([...strip.children].map((l) => Math.round(l.offsetTop))).size,
  overflows: strip.scrollWidth > strip.clientWidth + 1,
}))"""


def test_content_tabs_fit_on_one_row(browser: Browser, source: str) -> None:
    strips = browser.at(source).evaluate(TAB_ROWS)
    crowded = [s for s in strips if s["rows"] != 1 or s["overflows"]]
    assert crowded == [], f"tabs wider than the page at {VIEWPORT['width']} px"


def test_the_step_through_has_its_seven_tabs(browser: Browser) -> None:
    # Guards the test above against passing on a page without the tabs.
    strips = browser.at("chapters/05-backward-rules.md").evaluate(TAB_ROWS)
    assert "1: seed" in [s["first"] for s in strips]


# ---- what a reader does on a page --------------------------------------------


def test_copy_button_copies_code_without_prompts_or_outputs(
    browser: Browser, source: str
) -> None:
    if not browser.visit(source, "light").facts["doctests"]:
        return
    page = browser.at(source)
    page.evaluate(
        "document.querySelectorAll('details').forEach((d) => { d.open = true; })"
    )
    blocks = page.locator("pre:has(> code[data-copy])")
    checked = 0
    for index in range(blocks.count()):
        block = blocks.nth(index)
        if not block.is_visible():
            continue  # in a content tab that is not selected
        shown = block.locator("code").evaluate("code => code.textContent")
        expected = "".join(
            example.source for example in doctest.DocTestParser().get_examples(shown)
        ).rstrip()
        page.evaluate("navigator.clipboard.writeText('(nothing copied)')")
        block.locator("button[data-md-type='copy']").click()
        copied = page.evaluate("navigator.clipboard.readText()")
        lines = copied.splitlines()
        assert not [line for line in lines if line.startswith((">>>", "..."))], copied
        outputs = {
            line.strip()
            for example in doctest.DocTestParser().get_examples(shown)
            for line in example.want.splitlines()
            if line.strip()
        }
        assert not outputs & {line.strip() for line in lines}, (
            f"outputs copied: {copied!r}"
        )
        assert copied == expected
        checked += 1
    assert checked, "no doctest block could be copied"


def test_some_page_has_a_doctest_to_copy(browser: Browser) -> None:
    assert browser.visit("how-to-read.md", "light").facts["doctests"] > 0


def test_downloads_are_the_real_files(browser: Browser, source: str) -> None:
    facts = browser.visit(source, "light").facts
    if not facts["snapshotLinks"] and not facts["notebookLinks"]:
        return
    page = browser.at(source)
    snapshots = page.locator("a.mg-download")
    for index in range(snapshots.count()):
        with page.expect_download() as waiting:
            snapshots.nth(index).click()
        download = waiting.value
        name = download.suggested_filename
        expected = ROOT / "micrograd" / "versions" / name
        assert expected.is_file(), f"download named {name!r}, which is no snapshot"
        assert Path(download.path()).read_bytes() == expected.read_bytes()
    notebooks = page.locator(".mg-notebook-link a")
    for index in range(notebooks.count()):
        with page.expect_download() as waiting:
            notebooks.nth(index).click()
        download = waiting.value
        assert download.suggested_filename.endswith(".ipynb")
        notebook = nbformat.reads(
            Path(download.path()).read_text(encoding="utf-8"), as_version=4
        )
        nbformat.validate(notebook)
        assert any(cell.cell_type == "code" for cell in notebook.cells)


def test_some_page_offers_a_snapshot_and_a_notebook(browser: Browser) -> None:
    facts = browser.visit("how-to-read.md", "light").facts
    assert facts["snapshotLinks"] and facts["notebookLinks"]


@pytest.mark.parametrize(
    "scheme",
    [
        "light",
        "dark",
    ],
)
def test_download_links_are_readable(browser: Browser, scheme: str) -> None:
    page = browser.at("how-to-read.md", scheme)
    for selector in ("a.mg-download", ".mg-notebook-link a"):
        colours = page.locator(selector).first.evaluate(TEXT_COLOURS)
        under = flatten(colours["backgrounds"])
        ratio = contrast(flatten_text(colours["color"], under), under)
        assert ratio >= MIN_CONTRAST, f"{selector}: contrast {ratio:.2f} in {scheme}"


def test_search_finds_topological_order(browser: Browser) -> None:
    page = browser.at("index.md")
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("topological", delay=20)
    results = page.locator(".md-search-result__item a.md-search-result__link")
    results.first.wait_for()
    targets = [
        urlsplit(href).path
        for href in results.evaluate_all("as => as.map(a => a.href)")
    ]
    chapter = "/" + page_url("chapters/06-topological-order.md")
    assert chapter in targets, targets
    results.nth(targets.index(chapter)).click()
    page.wait_for_url(f"**{chapter}*")
    assert "topological" in page.locator("h1").first.inner_text().lower()


def test_palette_toggle_switches_scheme_and_graphs_follow(
    browser: Browser, site_url: str
) -> None:
    # A context of its own: the choice is stored and would outlive the test.
    context = browser.context("light")
    try:
        page = context.new_page()
        page.goto(site_url + page_url("how-to-read.md"), wait_until="networkidle")
        colours = []
        for expected in ("default", "slate", "default"):
            page.wait_for_function(
                "s => document.body.getAttribute('data-md-color-scheme') === s",
                arg=expected,
            )
            colours.append(page.evaluate(INSPECT_OUTPUT, 0))
            page.locator("form[data-md-component='palette'] label:visible").click()
        fills = [output["texts"][0]["fill"] for output in colours]
        assert fills[0] != fills[1], "graph text kept its colour in the dark scheme"
        assert fills[0] == fills[2]
        for output in colours:
            under = flatten(output["backgrounds"] + [output["graphBackground"]])
            text = flatten_text(output["texts"][0]["fill"], under)
            assert contrast(text, under) >= MIN_CONTRAST
    finally:
        context.close()


# ---- graphs: the whole drawing in view, full size on a click ----------------

#: Material's header bar; a graph below it must fit in the rest of the window.
HEADER = 48
#: A chapter whose first graph is taller than the window at full size.
TALL_GRAPH_PAGE = "chapters/08-more-operations.md"

ZOOM_STATE = """
() => {
  const dialog = document.querySelector("dialog.mg-zoom");
  const svg = dialog && dialog.querySelector("svg");
  const box = svg ? svg.getBoundingClientRect() : null;
  const text = svg ? svg.querySelector("text") : null;
  return {
    open: Boolean(dialog && dialog.open),
    height: box ? box.height : 0,
    natural: svg ? svg.height.baseVal.value : 0,
    textFill: text ? getComputedStyle(text).fill : null,
    background: dialog ? getComputedStyle(dialog).backgroundColor : null,
    focused: document.activeElement.className || document.activeElement.tagName,
  };
}
"""


#: The height each graph takes on the page: the drawing, or for a graph too
#: big to read when fitted, the box it scrolls in (graph-zoom.js).
GRAPH_HEIGHTS = """
() => [...document.querySelectorAll(".md-content .mg-output.mg-graph")]
  .filter((graph) => graph.getClientRects().length)
  .map((graph) => {
    const svg = graph.querySelector("svg");
    const shown = graph.hasAttribute("data-mg-size") ? graph : svg;
    return shown ? shown.getBoundingClientRect().height : 0;
  })
"""


def test_every_graph_fits_in_the_window(
    browser: Browser, source: str, scheme: str
) -> None:
    browser.visit(source, scheme)
    page = browser.at(source, scheme)
    too_tall = [
        f"graph {number}: {height:.0f} px"
        for number, height in enumerate(page.evaluate(GRAPH_HEIGHTS), start=1)
        if height > VIEWPORT["height"] - HEADER
    ]
    assert too_tall == []


def test_the_tall_graph_page_guards_the_test_above(browser: Browser) -> None:
    # At its own size this graph would not fit; on the page it must be
    # scaled down, or scroll in a box of its own, rather than be cut.
    page = browser.at(TALL_GRAPH_PAGE)
    graph = page.locator(".mg-output.mg-graph").first
    natural = graph.locator("svg").evaluate("s => s.height.baseVal.value")
    assert natural > VIEWPORT["height"]
    shown = graph if graph.get_attribute("data-mg-size") else graph.locator("svg")
    assert shown.bounding_box()["height"] <= VIEWPORT["height"] - HEADER


def zoom(page: sync_api.Page) -> dict:
    page.wait_for_timeout(50)
    return page.evaluate(ZOOM_STATE)


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_a_graph_opens_full_size_on_click(browser: Browser, scheme: str) -> None:
    page = browser.at(TALL_GRAPH_PAGE, scheme)
    graph = page.locator(".mg-output.mg-graph").first
    graph.scroll_into_view_if_needed()
    shown = graph.locator("svg").bounding_box()["height"]
    graph.click()
    state = zoom(page)
    assert state["open"]
    assert state["height"] == pytest.approx(state["natural"], abs=1)
    assert state["height"] > shown * 1.2
    # The drawing follows the scheme inside the dialog too.
    background = flatten([state["background"]])
    ratio = contrast(flatten_text(state["textFill"], background), background)
    assert ratio >= MIN_CONTRAST, f"graph text in the dialog: contrast {ratio:.2f}"
    page.keyboard.press("Escape")
    state = zoom(page)
    assert not state["open"]
    assert "mg-graph" in state["focused"], "focus did not return to the graph"


def test_a_graph_opens_and_closes_from_the_keyboard(browser: Browser) -> None:
    page = browser.at(TALL_GRAPH_PAGE)
    graph = page.locator(".mg-output.mg-graph").first
    assert graph.get_attribute("role") == "button"
    assert graph.get_attribute("tabindex") == "0"
    # Named by the drawing's text alternative, described by what it does.
    assert graph.get_attribute("title") == "Open this graph at full size"
    assert (
        graph.locator("svg")
        .get_attribute("aria-label")
        .startswith("Computation graph of")
    )
    graph.focus()
    page.keyboard.press("Enter")
    state = zoom(page)
    assert state["open"] and "mg-zoom__close" in state["focused"].split()
    page.keyboard.press("Enter")  # the focused close button
    assert not zoom(page)["open"]
    graph.focus()
    page.keyboard.press(" ")
    assert zoom(page)["open"]
    # A click beside the drawing, on the dimmed page, closes it too.
    page.mouse.click(4, 4)
    assert not zoom(page)["open"]


def test_graph_zoom_works_after_instant_navigation(
    browser: Browser, site_url: str
) -> None:
    # Material navigates in place only to addresses its sitemap lists; a
    # context of the session's serves the sitemap as if built for this host.
    context = browser.context()
    try:
        page = context.new_page()
        page.goto(site_url + page_url("how-to-read.md"), wait_until="networkidle")
        page.evaluate("window.mgSamePage = true")
        for target in ("chapters/04-a-neuron.md", TALL_GRAPH_PAGE):
            page.locator(f"nav a[href$='{page_url(target)}']").first.click()
            page.wait_for_url(f"**/{page_url(target)}")
            page.locator(".mg-output.mg-graph[data-mg-zoom]").first.wait_for()
            # Material swapped the page in without loading a new document.
            assert page.evaluate("window.mgSamePage === true")
            page.locator(".mg-output.mg-graph").first.click()
            assert zoom(page)["open"]
            page.keyboard.press("Escape")
            assert not zoom(page)["open"]
        assert page.locator("dialog.mg-zoom").count() == 1
    finally:
        context.close()
