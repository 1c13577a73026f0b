"""Running the examples in the reader's browser, in headless Chromium.

Every page with runnable blocks is opened and its last block run, which runs
every earlier block first: each block must give in the browser what it gave
at build time (doctests agree with the book, graphs are the same SVG). Then
what a reader does on chapter 5: edit, run, reset, stop a loop, see an
error, use the keyboard, change page. One browser serves the whole module;
each page boots its own Python, so pages run one after another. Any request
for another host is aborted and fails the test that checks for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import (
    AXE_RUN,
    BROWSER_MARKS,
    ROOT,
    SCREENSHOTS,
    Session,
    axe_script,
    contrast,
    flatten,
    over,
    parse_colour,
    serve,
)

from bookbuild import content, runnable

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing"
)

DOCS = ROOT / "docs"
CHAPTER_5 = "chapters/05-backward-rules.md"
#: Booting Python takes seconds of CPU; a busy machine may need many.
RUN_TIMEOUT = 180_000


def runnable_pages() -> list[str]:
    found = []
    for path in sorted(DOCS.rglob("*.md")):
        if any(block.runs for block in runnable.blocks(content.read(path))):
            found.append(path.relative_to(DOCS).as_posix())
    return found


def verdicts(source: str) -> list[runnable.Verdict]:
    return runnable.blocks(content.read(DOCS / source))


@pytest.fixture(scope="module")
def session(
    built_site: Path, playwright_driver: sync_api.Playwright
) -> Iterator[Session]:
    with serve(built_site) as base, Session(playwright_driver, base) as browser:
        yield browser


def block(tab: sync_api.Page, line: int) -> sync_api.Locator:
    return tab.locator(f'div.highlight[data-mg-line="{line}"]')


def bar(tab: sync_api.Page, line: int) -> sync_api.Locator:
    return tab.locator(f'div.highlight[data-mg-line="{line}"] + .mg-run-bar')


def live(tab: sync_api.Page, line: int) -> sync_api.Locator:
    return tab.locator(f'div.highlight[data-mg-line="{line}"] + .mg-run-bar + .mg-live')


#: States a block ends a run in.
FINAL = ("ok", "failed", "error", "blocked", "stopped", "empty")


def wait_state(tab: sync_api.Page, line: int, *states: str) -> str:
    """Wait until the block at `line` is in one of `states` or has finished a
    run; return its state and what its status line says."""
    tab.wait_for_function(
        """([line, states]) => {
          const e = document.querySelector(`div.highlight[data-mg-line="${line}"]`);
          return e && states.includes(e.dataset.mgState);
        }""",
        arg=[line, [*states, *FINAL]],
        timeout=RUN_TIMEOUT,
    )
    state = block(tab, line).get_attribute("data-mg-state")
    if state not in states:
        status = bar(tab, line).locator(".mg-run-status").inner_text()
        shown = live(tab, line).inner_text()
        return f"{state}: {status} {shown}"
    return state


def node_texts(svg: sync_api.Locator, label: str) -> list[str]:
    """The texts of the graph node whose first text is `label`."""
    return svg.evaluate(
        """(svg, label) => {
          for (const node of svg.querySelectorAll("g.node")) {
            const texts = [...node.querySelectorAll("text")].map((t) => t.textContent);
            if (texts[0] === label) return texts;
          }
          return [];
        }""",
        label,
    )


def editor_text(tab: sync_api.Page, line: int) -> str:
    """The text in a block's code editor (CodeMirror keeps it in its state,
    not in the page's text)."""
    return block(tab, line).locator(".cm-content").evaluate(
        "async (e) => (await import('/assets/run/editor.js')).editorOf(e).getValue()"
    )


def edit(tab: sync_api.Page, line: int, change: callable) -> sync_api.Locator:
    editor = block(tab, line).locator(".cm-content")
    if not editor.count():
        bar(tab, line).locator(".mg-run-edit").click()
    editor.wait_for()
    editor.fill(change(editor_text(tab, line)))
    return editor


# ---- the book, run again in the browser -----------------------------------------

#: What each block gave, read from the page: its state, its drawings next to
#: the build's, and for a doctest the examples that disagree.
BLOCK_REPORT = """
() => [...document.querySelectorAll("div.highlight[data-mg-run]")].map((e) => {
  const bar = e.nextElementSibling;
  const live = bar && bar.classList.contains("mg-run-bar")
    ? bar.nextElementSibling : null;
  let built = live ? live.nextElementSibling : e.nextElementSibling;
  if (built && !(built.matches(".mg-output")
      || (built.matches(".tabbed-set") && built.querySelector(".mg-output")))) {
    built = null;
  }
  const svgs = (root) => root
    ? [...root.querySelectorAll(".mg-output svg")].map((s) => s.outerHTML) : [];
  return {
    line: Number(e.dataset.mgLine),
    run: e.dataset.mgRun,
    exercise: e.dataset.mgExercise || "",
    state: e.dataset.mgState || null,
    status: bar && bar.classList.contains("mg-run-bar")
      ? bar.querySelector(".mg-run-status").textContent : "",
    error: live ? [...live.querySelectorAll(".mg-live-error")]
      .map((p) => p.textContent).join("\\n") : "",
    differs: live ? [...live.querySelectorAll(".mg-example-differs")]
      .map((d) => d.textContent) : [],
    built: svgs(built),
    drawn: svgs(live),
  };
})
"""


#: Outputs that differ because the browser's Python (3.14, Pyodide's) words
#: an error differently from the Python the book is built with. Each entry is
#: the page, the example and the exact text the browser shows, so any other
#: difference still fails.
PYTHON_VERSION_DIFFERENCES = {
    ("errors.md", "v8.Value(1.0) / v8.Value(0)"): (
        "ZeroDivisionError: zero to a negative power"
    ),
}


#: A node named by the object's id(), as chapter 2's own drawing function
#: does: the browser's Python hands out other ids than the build's, and the
#: order of a set of such nodes, hence the layout, follows the ids.
OBJECT_ID = re.compile(r"<title>\d{7,}")
TEXT = re.compile(r"<text[^>]*>([^<]*)</text>")


def same_drawing(drawn: list[str], built: list[str]) -> bool:
    """The same SVG; for drawings named by id(), the same boxes and arrows."""
    if len(drawn) != len(built):
        return False
    for mine, theirs in zip(drawn, built, strict=True):
        if not OBJECT_ID.search(theirs):
            if mine != theirs:
                return False
        elif sorted(TEXT.findall(mine)) != sorted(TEXT.findall(theirs)) or mine.count(
            'class="edge"'
        ) != theirs.count('class="edge"'):
            return False
    return True


def known_difference(source: str, differs: list[str]) -> bool:
    if len(differs) != 1:
        return False
    return any(
        page == source and example in differs[0] and message in differs[0]
        for (page, example), message in PYTHON_VERSION_DIFFERENCES.items()
    )


@pytest.mark.parametrize("source", runnable_pages())
def test_every_runnable_block_gives_the_build_output(
    session: Session, source: str
) -> None:
    expected = verdicts(source)
    tab = session.open(source)
    last = [b for b in expected if b.runs][-1]
    # The last runnable block may sit in a closed admonition or a tab that is
    # not selected; a click from script reaches it all the same.
    bar(tab, last.line).locator(".mg-run-run").evaluate("button => button.click()")
    wait_state(tab, last.line, "ok", "failed", "error", "blocked")
    report = tab.evaluate(BLOCK_REPORT)
    assert [(r["line"], r["run"]) for r in report] == [
        (b.line, b.kind if b.runs else "no") for b in expected
    ], "the page's blocks are not the ones the build marked"
    problems = []
    for row in report:
        # An exercise's starter is the reader's: the blocks after it run
        # without it (tests/browser/test_browser_exercises.py checks it).
        if row["run"] == "no" or row["exercise"]:
            continue
        where = f"{source}:{row['line']}"
        if row["state"] == "failed" and known_difference(source, row["differs"]):
            continue
        if row["state"] != "ok":
            problems.append(
                f"{where}: {row['state']}: {row['status']} {row['error']} "
                f"{row['differs']}"
            )
        elif not same_drawing(row["drawn"], row["built"]):
            problems.append(
                f"{where}: drew {len(row['drawn'])} graphs, the build "
                f"{len(row['built'])}, and they are not the same SVG"
            )
    assert problems == []
    assert session.foreign() == []


def test_some_page_draws_graphs_in_the_browser(session: Session) -> None:
    # Guards the comparison above against passing with no graph at all.
    tab = session.open(CHAPTER_5)
    steps = steps_line()
    bar(tab, steps).locator(".mg-run-run").click()
    assert wait_state(tab, steps, "ok") == "ok"
    built = tab.locator(
        f'div.highlight[data-mg-line="{steps}"] ~ .tabbed-set'
    ).first.locator(".mg-output svg")
    assert built.count() > 1
    assert live(tab, steps).locator(".mg-output svg").count() == built.count()


# ---- what a reader does ------------------------------------------------------------


def neuron_line() -> int:
    """The chapter 5 block that builds the neuron and draws it."""
    for verdict in verdicts(CHAPTER_5):
        if verdict.kind == "script" and "= neuron(Value)" in verdict.block.source:
            return verdict.line
    raise AssertionError("chapter 5 no longer builds the neuron")


def w2_gradient_with_x2_one() -> str:
    """What the steps block must now show for w2, computed here with v5."""
    from micrograd.versions.v5 import Value

    x1, x2, w1, w2 = Value(2.0), Value(1.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.grad = 1.0
    t = o.data
    n_grad = (1 - t**2) * o.grad
    return f"grad {x2.data * n_grad:.4f}"


def test_nothing_is_loaded_before_the_reader_runs(session: Session) -> None:
    session.requests.clear()
    tab = session.open(CHAPTER_5)
    tab.wait_for_timeout(500)
    # Only the small sanitiser comes with the page; Python waits for a Run.
    assert [url for url in session.requests if "/assets/run/" in url] == [
        session.base + "assets/run/dompurify/purify.min.js"
    ]
    assert tab.locator(".mg-run-run").count() == sum(
        b.runs for b in verdicts(CHAPTER_5)
    )


def test_edit_the_neuron_and_see_new_gradients(session: Session) -> None:
    tab = session.open(CHAPTER_5)
    line = neuron_line()
    built = tab.evaluate(
        "(line) => document.querySelector("
        "`div.highlight[data-mg-line='${line}'] ~ .mg-output svg`).outerHTML",
        line,
    )
    editor = edit(
        tab,
        line,
        # The neuron's own way to change one input: x2 = 0.0 + 1.0.
        lambda code: code.replace("neuron(Value)", 'neuron(Value, nudge="x2", h=1.0)'),
    )
    editor.press("Control+Enter")
    assert wait_state(tab, line, "ok") == "ok"
    drawn = live(tab, line).locator(".mg-output svg")
    assert drawn.count() == 1
    assert "data 1.0000" in node_texts(drawn, "x2")
    assert drawn.evaluate("svg => svg.outerHTML") != built
    # The build's drawing gives way to the new one.
    assert tab.locator(
        f'div.highlight[data-mg-line="{line}"] ~ .mg-output'
    ).first.is_hidden()

    # The next script block backpropagates through the edited neuron.
    steps = steps_line()
    bar(tab, steps).locator(".mg-run-run").click()
    assert wait_state(tab, steps, "ok") == "ok"
    tabs = live(tab, steps).locator("[role=tab]")
    tabs.last.click()
    shown = live(tab, steps).locator("[role=tabpanel]:not([hidden]) svg")
    assert w2_gradient_with_x2_one() in node_texts(shown, "w2")

    # Reset puts the book's code and the build's drawing back.
    bar(tab, line).locator(".mg-run-reset").click()
    assert block(tab, line).locator(".cm-editor").count() == 0
    assert block(tab, line).locator("pre").is_visible()
    assert live(tab, line).inner_text() == ""
    assert tab.locator(
        f'div.highlight[data-mg-line="{line}"] ~ .mg-output'
    ).first.is_visible()
    assert session.foreign() == []


def test_a_graph_drawn_in_the_page_opens_full_size(session: Session) -> None:
    # The drawings a run puts on the page open at full size on a click, as
    # the build's drawings do, in a tab of the step-through too.
    tab = session.open(CHAPTER_5)
    steps = steps_line()
    bar(tab, steps).locator(".mg-run-run").click()
    assert wait_state(tab, steps, "ok") == "ok"
    live(tab, steps).locator("[role=tab]").nth(2).click()
    graph = live(tab, steps).locator("[role=tabpanel]:not([hidden]) .mg-graph")
    # Named for a screen reader as the build's drawing of the same step is.
    built = (
        tab.locator(f'div.highlight[data-mg-line="{steps}"] ~ .tabbed-set')
        .first.locator(".mg-output svg")
        .nth(2)
    )
    assert graph.locator("svg").get_attribute("role") == "img"
    label = graph.locator("svg").get_attribute("aria-label")
    assert label.startswith("Computation graph of")
    assert label == built.get_attribute("aria-label")
    assert graph.get_attribute("role") == "button"
    assert graph.get_attribute("tabindex") == "0"
    graph.click()
    dialog = tab.locator("dialog.mg-zoom")
    assert dialog.evaluate("d => d.open")
    shown = dialog.locator("svg")
    assert shown.evaluate("s => s.outerHTML").count("<g") == graph.locator(
        "svg"
    ).evaluate("s => s.outerHTML").count("<g")
    tab.keyboard.press("Escape")
    assert not dialog.evaluate("d => d.open")
    assert tab.evaluate("document.activeElement.classList.contains('mg-graph')")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_a_page_that_ran(session: Session, scheme: str) -> None:
    # What a run adds (outputs, drawings in tabs, the editor, Reset, the
    # status line) is held to the same rules as the page the build made.
    tab = session.open(CHAPTER_5, scheme)
    steps = steps_line()
    bar(tab, steps).locator(".mg-run-run").click()
    assert wait_state(tab, steps, "ok") == "ok"
    edit(tab, neuron_line(), lambda code: code + "\n1 / 0")
    tab.keyboard.press("Control+Enter")
    assert wait_state(tab, neuron_line(), "failed") == "failed"
    tab.add_script_tag(content=axe_script())
    violations = tab.evaluate(AXE_RUN)
    assert [(v["id"], [n["html"] for n in v["nodes"][:3]]) for v in violations] == []


def test_a_graph_renders_itself_to_svg_in_the_page(session: Session) -> None:
    # Graph.svg() asks render_svg for a text alternative; the browser's
    # Graphviz must take the same call as the build's.
    tab = session.open(CHAPTER_5)
    line = neuron_line()
    edit(tab, line, lambda code: code + '\n"aria-label" in draw_dot(o).svg()')
    tab.keyboard.press("Control+Enter")
    assert wait_state(tab, line, "ok") == "ok"
    assert live(tab, line).locator(".mg-live-value").inner_text() == "True"


def test_a_doctest_that_agrees_keeps_its_transcript_folded(session: Session) -> None:
    # Every output equal to the book's: the transcript would repeat the block
    # above it, so it waits behind a summary; a difference is shown open.
    tab = session.open(CHAPTER_5)
    first = verdicts(CHAPTER_5)[0]
    bar(tab, first.line).locator(".mg-run-run").click()
    assert wait_state(tab, first.line, "ok") == "ok"
    folded = live(tab, first.line).locator("details.mg-live-transcript")
    assert folded.count() == 1
    assert not folded.evaluate("d => d.open")
    assert not live(tab, first.line).locator(".mg-live-doctest").first.is_visible()
    folded.locator("summary").click()
    assert "(-3.0, 2.0)" in folded.locator(".mg-live-doctest").inner_text()
    assert tab.locator("details.mg-live-transcript:not([open])").count() == 0
    # An edit that changes an output opens nothing to find: it is shown.
    edit(tab, first.line, lambda code: code.replace("Value(-3.0", "Value(-4.0"))
    bar(tab, first.line).locator(".mg-run-run").click()
    assert wait_state(tab, first.line, "failed") == "failed"
    assert live(tab, first.line).locator("details.mg-live-transcript").count() == 0
    assert live(tab, first.line).locator(".mg-example-differs").is_visible()


def test_an_edited_doctest_shows_expected_and_got(session: Session) -> None:
    tab = session.open(CHAPTER_5)
    first = verdicts(CHAPTER_5)[0]
    assert first.kind == "doctest"
    edit(tab, first.line, lambda code: code.replace("Value(-3.0", "Value(-4.0"))
    bar(tab, first.line).locator(".mg-run-run").click()
    assert wait_state(tab, first.line, "failed") == "failed"
    differs = live(tab, first.line).locator(".mg-example-differs")
    assert differs.count() == 1
    assert "(-3.0, 2.0)" in differs.locator(".mg-live-want").inner_text()
    assert "(-4.0, 2.0)" in differs.locator(".mg-live-got").inner_text()
    status = bar(tab, first.line).locator(".mg-run-status").inner_text()
    assert re.match(r"1 of \d+ outputs differs from the book\.", status), status


def test_an_exception_points_at_the_readers_line(session: Session) -> None:
    tab = session.open(CHAPTER_5)
    line = neuron_line()
    edit(tab, line, lambda code: code + "\nx1 / 0")
    bar(tab, line).locator(".mg-run-run").click()
    assert wait_state(tab, line, "failed") == "failed"
    error = live(tab, line).locator(".mg-live-error").inner_text()
    lines = editor_text(tab, line).count("\n") + 1
    assert f"line {lines} of this block" in error
    assert "x1 / 0" in error
    assert "TypeError" in error or "ZeroDivisionError" in error


def test_stop_ends_an_endless_loop(session: Session) -> None:
    tab = session.open(CHAPTER_5)
    line = neuron_line()
    edit(tab, line, lambda code: "while True:\n    pass")
    bar(tab, line).locator(".mg-run-run").click()
    wait_state(tab, line, "running")
    tab.wait_for_function(
        "(line) => document.querySelector(`div.highlight[data-mg-line='${line}'] "
        "+ .mg-run-bar .mg-run-status`).textContent === 'Running…'",
        arg=line,
        timeout=RUN_TIMEOUT,
    )
    stop = bar(tab, line).locator(".mg-run-stop")
    assert stop.is_visible()
    stop.click()
    assert wait_state(tab, line, "stopped") == "stopped"
    assert "Stopped" in bar(tab, line).locator(".mg-run-status").inner_text()
    # Python starts again on the next Run, with the book's code.
    bar(tab, line).locator(".mg-run-reset").click()
    bar(tab, line).locator(".mg-run-run").click()
    assert wait_state(tab, line, "ok") == "ok"


def test_keyboard_alone(session: Session) -> None:
    tab = session.open(CHAPTER_5)
    line = neuron_line()
    bar(tab, line).locator(".mg-run-edit").focus()
    tab.keyboard.press("Enter")
    editor = block(tab, line).locator(".cm-content")
    editor.wait_for()
    assert editor.evaluate("e => e === document.activeElement")
    tab.keyboard.press("Control+End")
    tab.keyboard.press("Enter")
    tab.keyboard.press("Tab")
    assert editor_text(tab, line).endswith("\n    ")
    # One Backspace takes the whole indent back.
    tab.keyboard.press("Backspace")
    tab.keyboard.type("print('typed')")
    tab.keyboard.press("Control+Enter")
    assert wait_state(tab, line, "ok") == "ok"
    assert "typed" in live(tab, line).locator(".mg-live-stdout").inner_text()
    # Escape, then Tab, leaves the editor for the next control: Run.
    tab.keyboard.press("Escape")
    tab.keyboard.press("Tab")
    run = bar(tab, line).locator(".mg-run-run")
    assert run.evaluate("b => b === document.activeElement")
    tab.evaluate(
        "(line) => { document.querySelector(`div.highlight[data-mg-line='${line}']`)"
        ".dataset.mgState = 'again'; }",
        line,
    )
    tab.keyboard.press("Enter")
    assert wait_state(tab, line, "ok") == "ok"


def test_graph_drawn_in_the_dark_scheme_is_readable(session: Session) -> None:
    tab = session.open(CHAPTER_5, "dark")
    line = neuron_line()
    bar(tab, line).locator(".mg-run-run").click()
    assert wait_state(tab, line, "ok") == "ok"
    assert tab.evaluate("document.body.dataset.mdColorScheme") == "slate"
    colours = (
        live(tab, line)
        .locator(".mg-output svg text")
        .first.evaluate(
            """(text) => {
          const backgrounds = [];
          for (let e = text.closest("svg").parentElement; e; e = e.parentElement) {
            backgrounds.unshift(getComputedStyle(e).backgroundColor);
          }
          return { fill: getComputedStyle(text).fill, backgrounds };
        }"""
        )
    )
    under = flatten(colours["backgrounds"])
    text = over(parse_colour(colours["fill"]), under)
    assert contrast(text, under) >= 4.5
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SCREENSHOTS / "run-chapter-05-dark.png")


def test_instant_navigation_keeps_python_with_a_clean_namespace(
    session: Session,
) -> None:
    tab = session.open(CHAPTER_5)
    line = neuron_line()
    bar(tab, line).locator(".mg-run-run").click()
    assert wait_state(tab, line, "ok") == "ok"
    tab.evaluate("window.mgSamePage = true")
    tab.locator(".md-footer__link--next").click()
    tab.wait_for_url(lambda url: "/06-topological-order/" in url)
    # Material swapped the content without loading a new document.
    assert tab.evaluate("window.mgSamePage === true")
    first = next(b for b in verdicts("chapters/06-topological-order.md") if b.runs)
    edit(
        tab, first.line, lambda code: "print(sorted(k for k in globals() if k == 'x1'))"
    )
    bar(tab, first.line).locator(".mg-run-run").click()
    assert wait_state(tab, first.line, "ok") == "ok"
    # Nothing of chapter 5 is left in the namespace...
    assert live(tab, first.line).locator(".mg-live-stdout").inner_text().strip() == "[]"
    # ...and the Python that ran it is the one chapter 5 had started.
    assert "starting Python" not in status_of(tab, first.line)
    workers = [w for w in tab.workers if w.url.endswith("/run-worker.js")]
    assert len(workers) == 1


def test_blocks_that_cannot_run_say_where_to_run_them(session: Session) -> None:
    source = "chapters/04-a-neuron.md"
    tab = session.open(source)
    stuck = [b for b in verdicts(source) if not b.runs]
    assert stuck, "chapter 4 has no block that needs matplotlib any more"
    note = tab.locator(f'div.highlight[data-mg-line="{stuck[0].line}"] + .mg-run-note')
    text = note.inner_text()
    assert "matplotlib" in text
    assert f"pytest docs/{source}" in text
    assert note.locator("a").get_attribute("href").endswith(".ipynb")


def steps_line() -> int:
    """Chapter 5's step-through: the script block whose last line is the dict
    of drawings the build shows as tabs."""
    (line,) = [
        b.line
        for b in verdicts(CHAPTER_5)
        if b.kind == "script" and b.block.source.rstrip().endswith("\nsteps")
    ]
    return line


def status_of(tab: sync_api.Page, line: int) -> str:
    return bar(tab, line).locator(".mg-run-status").inner_text()


def run_and_wait(tab: sync_api.Page, line: int, *states: str) -> str:
    bar(tab, line).locator(".mg-run-run").click()
    return wait_state(tab, line, *states)


def edit_and_run(tab: sync_api.Page, line: int, code: str, *states: str) -> str:
    edit(tab, line, lambda _: code)
    return run_and_wait(tab, line, *states)


def built_tab_svgs(tab: sync_api.Page, line: int) -> list[str]:
    return tab.evaluate(
        """(line) => [...document.querySelector(
             `div.highlight[data-mg-line="${line}"] ~ .tabbed-set`
           ).querySelectorAll(".mg-output svg")].map((s) => s.outerHTML)""",
        line,
    )


def live_tab_svgs(tab: sync_api.Page, line: int) -> list[str]:
    return (
        live(tab, line)
        .locator(".mg-output svg")
        .evaluate_all("svgs => svgs.map((s) => s.outerHTML)")
    )


def test_live_tabs_follow_the_arrow_keys(session: Session) -> None:
    # The WAI-ARIA tabs pattern: one tab in the Tab order; arrows, Home and
    # End move along the tabs and show each one's drawing.
    tab = session.open(CHAPTER_5)
    steps = steps_line()
    assert run_and_wait(tab, steps, "ok") == "ok"
    tabs = live(tab, steps).locator("[role=tab]")
    count = tabs.count()
    assert count > 2

    def selected() -> int:
        states = tabs.evaluate_all(
            "ts => ts.map((t) => [t.getAttribute('aria-selected'), t.tabIndex,"
            " t === document.activeElement,"
            " !document.getElementById(t.getAttribute('aria-controls')).hidden])"
        )
        chosen = [i for i, (on, *_) in enumerate(states) if on == "true"]
        assert len(chosen) == 1, states
        index = chosen[0]
        assert [tab_index for _, tab_index, *_ in states] == [
            0 if i == index else -1 for i in range(count)
        ]
        assert states[index][2], "the selected tab does not have focus"
        assert [shown for *_, shown in states] == [i == index for i in range(count)]
        return index

    tabs.first.focus()
    tab.keyboard.press("ArrowRight")
    assert selected() == 1
    tab.keyboard.press("End")
    assert selected() == count - 1
    tab.keyboard.press("ArrowRight")
    assert selected() == 0
    tab.keyboard.press("ArrowLeft")
    assert selected() == count - 1
    tab.keyboard.press("Home")
    assert selected() == 0


def test_a_failing_prelude_shows_on_its_block(session: Session) -> None:
    # A block that cannot run here still runs its imports for the blocks
    # after it; when they fail, its note says so instead of keeping quiet.
    source = "chapters/04-a-neuron.md"
    tab = session.open(source)
    expected = verdicts(source)
    stuck = next(b for b in expected if not b.runs and b.prelude)
    after = next(b for b in expected if b.runs and b.line > stuck.line)
    block(tab, stuck.line).evaluate(
        "e => { e.dataset.mgPrelude = 'import no_module_by_this_name'; }"
    )
    run_and_wait(tab, after.line, "ok", "failed")
    shown = tab.locator(
        f'div.highlight[data-mg-line="{stuck.line}"] ~ .mg-prelude-error'
    ).first
    assert shown.is_visible()
    assert "no_module_by_this_name" in shown.inner_text()


def test_running_a_block_again_gives_the_books_output(session: Session) -> None:
    # The step-through's first tab is the seed, every gradient but o's still
    # 0: a second run must not start from the gradients the first one left.
    tab = session.open(CHAPTER_5)
    steps = steps_line()
    built = built_tab_svgs(tab, steps)
    assert run_and_wait(tab, steps, "ok") == "ok"
    assert same_drawing(live_tab_svgs(tab, steps), built)
    assert run_and_wait(tab, steps, "ok") == "ok"
    assert same_drawing(live_tab_svgs(tab, steps), built)
    assert "Ran the earlier blocks again from a clean start" in status_of(tab, steps)
    # An earlier block run on its own after it does not see its leftovers.
    first = verdicts(CHAPTER_5)[0]
    assert run_and_wait(tab, first.line, "ok") == "ok"


def test_run_is_disabled_while_a_run_is_in_flight(session: Session) -> None:
    tab = session.open(CHAPTER_5)
    steps = steps_line()
    built = built_tab_svgs(tab, steps)
    run = bar(tab, steps).locator(".mg-run-run")
    run.dblclick()
    assert run.get_attribute("aria-disabled") == "true"
    first = verdicts(CHAPTER_5)[0]
    assert (
        bar(tab, first.line).locator(".mg-run-run").get_attribute("aria-disabled")
        == "true"
    )
    # Still in the Tab order, so focus does not jump away.
    assert run.evaluate("b => b.tabIndex >= 0 && !b.disabled")
    assert wait_state(tab, steps, "ok") == "ok"
    assert run.get_attribute("aria-disabled") is None
    assert same_drawing(live_tab_svgs(tab, steps), built)
    assert "again" not in status_of(tab, steps)


def test_progress_and_stop_sit_on_the_pressed_block(session: Session) -> None:
    tab = session.open(CHAPTER_5)
    steps = steps_line()
    earlier = [
        b
        for b in verdicts(CHAPTER_5)
        if b.runs and b.line < steps and not b.block.exercise
    ]
    tab.evaluate(
        """(line) => {
          window.mgSaid = [];
          const status = document.querySelector(
            `div.highlight[data-mg-line="${line}"] + .mg-run-bar .mg-run-status`);
          new MutationObserver(() => window.mgSaid.push(status.textContent))
            .observe(status, { childList: true, characterData: true, subtree: true });
        }""",
        steps,
    )
    bar(tab, steps).locator(".mg-run-run").click()
    tab.wait_for_function(
        "() => window.mgSaid.some((s) => s.includes(' first ('))", timeout=RUN_TIMEOUT
    )
    assert bar(tab, steps).locator(".mg-run-stop").is_visible()
    assert tab.locator(".mg-run-stop:visible").count() == 1
    assert wait_state(tab, steps, "ok") == "ok"
    said = tab.evaluate("window.mgSaid")
    for number, step in enumerate(earlier, start=1):
        assert (
            f"Running the block at line {step.line} first ({number} of {len(earlier)})…"
            in said
        ), said
    final = status_of(tab, steps)
    assert re.search(
        rf"in all: starting Python [\d.]+ m?s, {len(earlier)} earlier blocks "
        r"[\d.]+ m?s, .*this block [\d.]+ m?s, drawing [\d.]+ m?s\.$",
        final,
    ), final
    assert not bar(tab, steps).locator(".mg-run-stop").is_visible()


def test_outputs_are_counted_in_good_english(session: Session) -> None:
    tab = session.open(CHAPTER_5)
    first = verdicts(CHAPTER_5)[0]
    assert edit_and_run(tab, first.line, ">>> 1 + 1\n2", "ok") == "ok"
    assert status_of(tab, first.line).startswith("The 1 output matches the book.")
    assert edit_and_run(tab, first.line, ">>> 1 + 1\n2\n>>> 2 + 2\n4", "ok") == "ok"
    assert status_of(tab, first.line).startswith("All 2 outputs match the book.")
    assert edit_and_run(tab, first.line, ">>> 1 + 1\n3", "failed") == "failed"
    assert status_of(tab, first.line).startswith("The 1 output differs from the book.")


def test_a_doctest_edited_into_plain_code_claims_nothing(session: Session) -> None:
    # No >>> left: either it runs as a script (and says so) or the page says
    # nothing was checked; never "All 0 outputs".
    tab = session.open(CHAPTER_5)
    first = verdicts(CHAPTER_5)[0]
    state = edit_and_run(tab, first.line, "x = 6 * 7\nprint(x)", "ok", "empty")
    said = status_of(tab, first.line)
    assert "0 outputs" not in said and "match" not in said
    if state == "ok":
        assert said.startswith("Ran as a script")
        assert "42" in live(tab, first.line).locator(".mg-live-stdout").inner_text()
    else:
        assert state == "empty", said
        assert said.startswith("Nothing was checked")


def test_a_missing_module_says_where_to_run_the_block(session: Session) -> None:
    tab = session.open(CHAPTER_5)
    line = neuron_line()
    assert edit_and_run(tab, line, "import numpy", "failed") == "failed"
    error = live(tab, line).locator(".mg-live-error").inner_text()
    assert "ModuleNotFoundError" in error
    note = live(tab, line).locator(".mg-run-note")
    assert "numpy" in note.inner_text()
    assert f"pytest docs/{CHAPTER_5}" in note.inner_text()
    if tab.locator(".mg-notebook-link a").count():
        assert note.locator("a").get_attribute("href").endswith(".ipynb")


def test_a_huge_error_is_cut_and_wraps(session: Session) -> None:
    tab = session.open(CHAPTER_5)
    line = neuron_line()
    code = "raise ValueError('x' * 100_000)"
    assert edit_and_run(tab, line, code, "failed") == "failed"
    error = live(tab, line).locator(".mg-live-error code")
    text = error.inner_text()
    assert len(text) < 21_000
    assert "more characters not shown" in text
    size = error.evaluate(
        "c => ({scroll: c.scrollWidth, client: c.clientWidth, height: c.clientHeight})"
    )
    assert size["scroll"] <= size["client"] + 1, size
    assert size["height"] > 200, size


def test_a_javascript_link_in_a_graph_is_not_followed(session: Session) -> None:
    tab = session.open(CHAPTER_5)
    alerts: list[str] = []
    tab.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    line = neuron_line()
    code = (
        "import graphviz\n"
        "g = graphviz.Digraph()\n"
        "g.node('a', 'press me', URL='javascript:alert(1)')\n"
        "g"
    )
    assert edit_and_run(tab, line, code, "ok") == "ok"
    svg = live(tab, line).locator(".mg-output svg")
    assert "press me" in svg.text_content()
    links = svg.evaluate(
        """(svg) => [...svg.querySelectorAll("*")].flatMap((e) =>
             [...e.attributes].map((a) => a.value)
               .filter((v) => /^\\s*javascript:/i.test(v)))"""
    )
    assert links == []
    svg.locator("text", has_text="press me").click()
    tab.wait_for_timeout(300)
    tab.keyboard.press("Escape")
    assert alerts == []


FORGE = """() => {
  const real = onmessage;
  const trap = (n) => `<img src="x" onerror="window.mgForged = ${n}">`;
  onmessage = (event) => {
    if (event.data.type !== "run") return real(event);
    postMessage({ id: event.data.id, type: "result", result: {
      ok: false, stdout: trap(1), error: trap(2), value: trap(3), examples: [],
      graphs: [], svgs: [
        [trap(4), `<svg xmlns="http://www.w3.org/2000/svg">${trap(5)}` +
          `<image href="x" onerror="window.mgForged = 6"/>` +
          `<foreignObject>${trap(7)}</foreignObject></svg>`],
        ["two", trap(8)],
      ],
    } });
  };
}"""


def test_a_forged_worker_message_runs_nothing(session: Session) -> None:
    tab = session.open(CHAPTER_5)
    first = verdicts(CHAPTER_5)[0]
    assert run_and_wait(tab, first.line, "ok") == "ok"
    [python] = [w for w in tab.workers if w.url.endswith("/run-worker.js")]
    python.evaluate(FORGE)
    line = neuron_line()
    edit(tab, line, lambda code: code + "\n1")
    assert run_and_wait(tab, line, "ok", "failed") == "failed"
    assert live(tab, line).locator("[role=tab]").count() == 2
    tab.wait_for_timeout(500)
    assert tab.evaluate("window.mgForged") is None
    assert tab.locator(".mg-live [onerror], .mg-live img").count() == 0


#: Frees a chain of 300,000 objects, each holding the next: CPython frees
#: them recursively, deeper than the browser's stack, and Pyodide breaks
#: for good ("Maximum call stack size exceeded").
FATAL = """class Link:
    pass

chain = None
for _ in range(300_000):
    link = Link()
    link.next = chain
    chain = link
del chain, link"""


def test_python_that_breaks_is_started_again(session: Session) -> None:
    tab = session.open(CHAPTER_5)
    line = neuron_line()
    assert edit_and_run(tab, line, FATAL, "error") == "error"
    said = status_of(tab, line)
    assert "Python stopped working" in said
    assert "it will start again on the next Run" in said
    bar(tab, line).locator(".mg-run-reset").click()
    assert run_and_wait(tab, line, "ok") == "ok"


#: A chain of 50,000 of the library's Values: built, backpropagated and
#: dropped. Freeing it nests one call per node unless the engine frees it in
#: a loop, which it does under Pyodide (micrograd/engine.py).
LONG_CHAIN = """from micrograd.engine import Value
x = Value(1.0)
y = x
for _ in range(50_000):
    y = y * 1.0001
y.backward()
print(round(x.grad, 2))
del x, y
print("freed")"""


def test_a_chain_of_50000_values_is_freed_and_python_lives_on(
    session: Session,
) -> None:
    tab = session.open(CHAPTER_5)
    line = neuron_line()
    assert edit_and_run(tab, line, LONG_CHAIN, "ok") == "ok"
    printed = live(tab, line).locator(".mg-live-stdout").inner_text()
    assert printed.split() == [str(round(1.0001**50_000, 2)), "freed"]
    # The same Python runs the next block: it did not break.
    assert run_and_wait(tab, line, "ok") == "ok"
    assert "Python stopped working" not in status_of(tab, line)


def test_no_page_error_and_no_other_host(session: Session) -> None:
    assert session.errors == []
    assert session.foreign() == []
