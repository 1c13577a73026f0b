"""Exercises checked in the reader's page, in headless Chromium.

For a sample of exercises across the book, the page's Check must say what
the book's own checker says: the solution passes, the starter fails and
every typical mistake fails, each with the message `page_runner.check`
gives under CPython after the chapter's earlier blocks (the function
pytest's checker runs too). Then what a reader does: the story of chapter
8's relu (wrong, told which gradient, fixed, passed, kept across a reload,
counted in the navigation), hints one at a time, the solution behind a
question, the keyboard alone, a phone's width, both colour schemes under
axe-core, instant navigation, and the home page's table with its button
that forgets everything. No request may go to another host.

How long a Check takes on a warm page is printed and recorded as the
test's `check_ms` property (a figure, not a pass mark: see
benchmarks/bench_browser.py for the target).
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import (
    AXE_RUN,
    BROWSER_MARKS,
    ROOT,
    Session,
    axe_script,
    nav_sources,
    page_url,
    serve,
)
from test_browser_run import (
    RUN_TIMEOUT,
    bar,
    block,
    editor_text,
    wait_state,
)

from bookbuild import content, exercise_index, runnable

sys.path.insert(0, str(ROOT / "bookbuild"))
import page_runner  # noqa: E402  (the browser's runner, run here under CPython)

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing"
)

DOCS = ROOT / "docs"
CHAPTER_7 = "chapters/07-gradients-add-up.md"
CHAPTER_8 = "chapters/08-more-operations.md"

#: (page, exercise) checked in the browser against CPython.
SAMPLE = [
    ("chapters/01-derivatives.md", "slope"),
    ("chapters/02-remembering-the-graph.md", "walk"),
    ("chapters/05-backward-rules.md", "sub-rule"),
    ("chapters/07-gradients-add-up.md", "zero-grad"),
    (CHAPTER_8, "relu"),
    ("chapters/10-neural-net.md", "linear"),
    ("chapters/12-complete-library.md", "hinge"),
]


def exercise(source: str, name: str) -> content.Exercise:
    return content.read(DOCS / source).exercise(name)


def expected(source: str, name: str, code: str) -> dict:
    """What `page_runner.check` says of `code` under CPython, after the
    blocks the page runs before the exercise (never another starter)."""
    chapter = content.read(DOCS / source)
    starter = chapter.exercise(name).starter.line
    page_runner.reset()
    for verdict in runnable.blocks(chapter):
        if verdict.line == starter:
            break
        if verdict.block.exercise:
            continue
        if verdict.runs:
            page_runner.run(verdict.block.source, verdict.kind)
        elif verdict.prelude:
            page_runner.run(verdict.prelude, "script")
    try:
        return json.loads(page_runner.check(code, chapter.exercise(name).checks))
    finally:
        page_runner.reset()


@pytest.fixture(scope="module")
def session(
    built_site: Path, playwright_driver: sync_api.Playwright
) -> Iterator[Session]:
    with serve(built_site) as base, Session(playwright_driver, base) as browser:
        yield browser


@pytest.fixture(autouse=True)
def forget(session: Session) -> Iterator[None]:
    """Each test starts with nothing kept, in both colour schemes."""
    yield
    for tab in session.tabs.values():
        if tab.url.startswith(session.base):
            tab.evaluate("() => window.localStorage.clear()")


def verdict(tab: sync_api.Page, line: int) -> sync_api.Locator:
    return tab.locator(f'div.highlight[data-mg-line="{line}"] ~ .mg-check').first


def question(tab: sync_api.Page, line: int) -> sync_api.Locator:
    return block(tab, line).locator("xpath=ancestor::div[contains(@class, 'question')]")


def nav_progress(tab: sync_api.Page, source: str) -> sync_api.Locator:
    return tab.locator(
        f'.md-nav--primary a.md-nav__link[href$="{page_url(source)}"] .mg-nav-progress'
    ).first


def nav_count(tab: sync_api.Page, source: str) -> str:
    """The count the navigation shows next to `source`, e.g. "1/3"."""
    return nav_progress(tab, source).locator("[aria-hidden=true]").inner_text()


#: Presses Check on the starter at `line` and resolves with its verdict and
#: the milliseconds from the press to the verdict on the page.
CHECK = r"""
async (line) => {
  const starter = document.querySelector(`div.highlight[data-mg-line="${line}"]`);
  const button = starter.nextElementSibling.querySelector(".mg-run-check");
  const shown = starter.parentElement.querySelector(
    `:scope > div.highlight[data-mg-line="${line}"] ~ .mg-check`);
  const began = performance.now();
  button.click();
  await new Promise((resolve, reject) => {
    const limit = setTimeout(() => reject(new Error("no verdict")), LIMIT);
    const watch = new MutationObserver(() => {
      if (shown.dataset.mgPassed || starter.dataset.mgState === "error"
          || starter.dataset.mgState === "blocked") {
        clearTimeout(limit);
        watch.disconnect();
        resolve();
      }
    });
    watch.observe(shown, { attributes: true });
    watch.observe(starter, { attributes: true });
  });
  return {
    ms: performance.now() - began,
    passed: shown.dataset.mgPassed,
    verdict: shown.querySelector(".mg-check-verdict")?.textContent ?? "",
    // The verdict as the checks wrote it: the page sets what they put
    // between backticks as code.
    written: [...(shown.querySelector(".mg-check-verdict")?.childNodes ?? [])]
      .map((n) => (n.nodeName === "CODE" ? `\`${n.textContent}\`` : n.textContent))
      .join(""),
    status: starter.nextElementSibling.querySelector(".mg-run-status").textContent,
  };
}
""".replace("LIMIT", str(RUN_TIMEOUT))


def write(tab: sync_api.Page, line: int, code: str) -> None:
    """The reader's code in the starter's editor (opened if need be)."""
    # After instant navigation the page's script may still be setting up.
    bar(tab, line).locator(".mg-run-check").wait_for()
    edit = bar(tab, line).locator(".mg-run-edit")
    if edit.is_visible():
        edit.click()
    editor = block(tab, line).locator(".cm-content")
    editor.wait_for()
    editor.fill(code)


def check(tab: sync_api.Page, line: int, code: str | None = None) -> dict:
    if code is not None:
        write(tab, line, code)
    return tab.evaluate(CHECK, line)


def said(result: dict) -> str:
    return "Not yet: " + result["message"]


# ---- the page says what the book's checker says ---------------------------------


@pytest.mark.parametrize(("source", "name"), SAMPLE)
def test_check_agrees_with_the_books_checker(
    session: Session, source: str, name: str
) -> None:
    found = exercise(source, name)
    tab = session.open(source)
    line = found.starter.line
    # The starter as the book gives it, unedited.
    shown = tab.evaluate(CHECK, line)
    starter = expected(source, name, found.starter.source)
    assert not starter["passed"]
    assert (shown["passed"], shown["written"]) == ("false", said(starter)), shown
    for mistake in found.mistakes:
        shown = check(tab, line, mistake.code)
        wanted = expected(source, name, mistake.code)
        assert mistake.says in wanted["message"]
        assert (shown["passed"], shown["written"]) == ("false", said(wanted)), (
            f"mistake at line {mistake.line}"
        )
    assert found.solution is not None
    shown = check(tab, line, found.solution.code)
    assert shown["passed"] == "true", shown
    assert shown["verdict"].startswith("Passed")
    assert question(tab, line).locator(".mg-done-mark").inner_text() == "✓ Done"
    assert session.foreign() == []


# ---- what a reader does ------------------------------------------------------------


def relu() -> content.Exercise:
    return exercise(CHAPTER_8, "relu")


def relu_with(rule: str) -> str:
    """relu with `rule` as the body of its `_backward`."""
    return (
        "def relu(v):\n"
        '    out = Value(max(0.0, v.data), (v,), "relu")\n'
        "\n"
        "    def _backward():\n"
        f"        {rule}\n"
        "\n"
        "    out._backward = _backward\n"
        "    return out\n"
    )


def test_the_relu_story(session: Session, record_property: callable) -> None:
    # Chapter 8: a relu with the wrong backward rule, told which gradient is
    # wrong; fixed, passed; still done after a reload, counted in the nav.
    tab = session.open(CHAPTER_8)
    line = relu().starter.line
    total = len(
        next(
            entry["exercises"]
            for entry in exercise_index.pages(DOCS, nav_sources())
            if entry["url"] == page_url(CHAPTER_8)
        )
    )
    assert nav_count(tab, CHAPTER_8) == f"0/{total}"

    wrong = relu_with("v.grad += out.grad")
    shown = check(tab, line, wrong)
    assert shown["passed"] == "false"
    assert shown["written"] == said(expected(CHAPTER_8, "relu", wrong))
    assert "x.grad is 6.0, it should be 0.0" in shown["verdict"]
    assert verdict(tab, line).locator("code").first.inner_text() == "x.grad"
    status = verdict(tab, line)
    assert status.get_attribute("role") == "status"
    assert question(tab, line).locator(".mg-done-mark").count() == 0

    right = relu_with("v.grad += (1.0 if v.data > 0 else 0.0) * out.grad")
    shown = check(tab, line, right)
    assert shown["passed"] == "true", shown
    assert status.inner_text().startswith("Passed")
    mark = question(tab, line).locator(".mg-done-mark")
    assert mark.inner_text() == "✓ Done"
    progress = nav_progress(tab, CHAPTER_8)
    assert nav_count(tab, CHAPTER_8) == f"1/{total}"
    assert progress.text_content().endswith(f"1 of {total} exercises done")

    # A Check on a warm page: Python up, the earlier blocks already run.
    times = [check(tab, line)["ms"] for _ in range(5)]
    warm = statistics.median(times)
    record_property("check_ms", round(warm, 1))
    rounded = [round(t) for t in times]
    print(f"\nCheck on a warm page: median {warm:.0f} ms of {rounded}")

    tab.reload(wait_until="load")
    block(tab, line).locator(".cm-content").wait_for()
    assert editor_text(tab, line) == right
    assert question(tab, line).locator(".mg-done-mark").inner_text() == "✓ Done"
    assert nav_count(tab, CHAPTER_8) == f"1/{total}"
    reset = bar(tab, line).locator(".mg-run-reset")
    assert reset.inner_text() == "Reset to the book's code"
    reset.click()
    assert block(tab, line).locator(".cm-content").count() == 0
    tab.reload(wait_until="load")
    bar(tab, line).locator(".mg-run-check").wait_for()
    assert block(tab, line).locator(".cm-content").count() == 0
    # Finished stays finished when the code goes back to the book's.
    assert question(tab, line).locator(".mg-done-mark").count() == 1
    assert session.foreign() == []


def test_the_starter_never_runs_before_a_later_block(session: Session) -> None:
    tab = session.open(CHAPTER_8)
    starter = relu().starter.line
    later = [v for v in runnable.blocks(content.read(DOCS / CHAPTER_8)) if v.runs]
    after = next(v.line for v in later if v.line > starter and not v.block.exercise)
    # A starter that would fail if it ran: the chain must leave it alone.
    write(tab, starter, "raise RuntimeError('the starter ran')")
    bar(tab, after).locator(".mg-run-run").evaluate("button => button.click()")
    assert wait_state(tab, after, "ok") == "ok"
    assert block(tab, starter).get_attribute("data-mg-state") is None
    ran = [
        v.line
        for v in later
        if v.line < after and block(tab, v.line).get_attribute("data-mg-state") == "ok"
    ]
    assert ran == [v.line for v in later if v.line < after and not v.block.exercise]


def test_hints_come_one_at_a_time(session: Session) -> None:
    source = "chapters/02-remembering-the-graph.md"
    tab = session.open(source)
    line = exercise(source, "walk").starter.line
    hints = question(tab, line).locator("details.tip")
    assert hints.count() == 2
    assert hints.nth(0).is_visible()
    assert hints.nth(1).is_hidden()
    hints.nth(0).locator("summary").click()
    assert hints.nth(1).is_visible()
    tab.reload(wait_until="load")
    assert question(tab, line).locator("details.tip").nth(1).is_visible()


def test_the_solution_asks_before_a_first_check(session: Session) -> None:
    tab = session.open(CHAPTER_8)
    line = relu().starter.line
    solution = question(tab, line).locator("xpath=following-sibling::details[1]")
    summary = solution.locator("summary")
    summary.click()
    ask = tab.locator(".mg-ask")
    assert (
        ask.locator(".mg-ask-question")
        .inner_text()
        .startswith("Show the solution before trying?")
    )
    assert not solution.evaluate("d => d.open")
    assert tab.evaluate("document.activeElement.textContent") == "Show the solution"
    ask.locator(".mg-ask-no").click()
    assert ask.count() == 0
    assert summary.evaluate("s => s === document.activeElement")
    summary.click()
    tab.locator(".mg-ask-yes").click()
    assert solution.evaluate("d => d.open")
    # Folding it asks nothing; opening it again asks again, until a Check.
    summary.click()
    assert not solution.evaluate("d => d.open")
    assert ask.count() == 0
    summary.click()
    assert not solution.evaluate("d => d.open")
    tab.locator(".mg-ask-no").click()
    # After a first Check the solution opens at once.
    check(tab, line)
    summary.click()
    assert solution.evaluate("d => d.open")
    assert tab.locator(".mg-ask").count() == 0


def test_keyboard_alone(session: Session) -> None:
    tab = session.open(CHAPTER_8)
    line = relu().starter.line
    bar(tab, line).locator(".mg-run-edit").focus()
    tab.keyboard.press("Enter")
    editor = block(tab, line).locator(".cm-content")
    editor.wait_for()
    assert editor.evaluate("e => e === document.activeElement")
    # The line `pass  # ...` (the fifth) becomes the rule: Home selects back
    # to the end of its indentation.
    tab.keyboard.press("Control+Home")
    for _ in range(4):
        tab.keyboard.press("ArrowDown")
    tab.keyboard.press("End")
    tab.keyboard.press("Shift+Home")
    tab.keyboard.type("v.grad += (v.data > 0) * out.grad")
    assert "        v.grad += (v.data > 0) * out.grad\n" in editor_text(tab, line)
    # Escape then Tab leaves the editor for Run; Check comes next.
    tab.keyboard.press("Escape")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Run"
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Check"
    tab.keyboard.press("Enter")
    status = verdict(tab, line)
    status.locator("strong").wait_for(timeout=RUN_TIMEOUT)
    assert status.inner_text().startswith("Passed"), status.inner_text()


def test_a_phone_fits_the_exercise_and_the_progress(session: Session) -> None:
    tab = session.open(CHAPTER_8)
    tab.set_viewport_size({"width": 390, "height": 844})
    try:
        line = relu().starter.line
        shown = check(tab, line, relu_with("v.grad += out.grad"))
        assert shown["passed"] == "false"
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        for part in (bar(tab, line).locator(".mg-run-check"), verdict(tab, line)):
            box = part.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        tab.goto(session.base, wait_until="load")
        table = tab.locator("#mg-progress table")
        table.wait_for()
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        tab.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_exercises_and_progress(
    session: Session, scheme: str
) -> None:
    tab = session.open(CHAPTER_8, scheme)
    line = relu().starter.line
    check(tab, line, relu_with("print('trying')\n        v.grad += out.grad"))
    log = exercise(CHAPTER_8, "log")
    check(tab, log.starter.line, log.solution.code)
    question(tab, line).locator("xpath=following-sibling::details[1]/summary").click()
    assert tab.locator(".mg-ask").count() == 0  # checked once: it opens at once
    tab.add_script_tag(content=axe_script())
    violations = tab.evaluate(AXE_RUN)
    assert [(v["id"], [n["html"] for n in v["nodes"][:3]]) for v in violations] == []

    tab.goto(session.base, wait_until="load")
    tab.locator("#mg-progress table").wait_for()
    tab.locator(".mg-forget").click()
    tab.add_script_tag(content=axe_script())
    violations = tab.evaluate(AXE_RUN)
    assert [(v["id"], [n["html"] for n in v["nodes"][:3]]) for v in violations] == []


def test_the_home_page_counts_and_forgets(session: Session) -> None:
    tab = session.open(CHAPTER_8)
    line = relu().starter.line
    assert check(tab, line, relu().solution.code)["passed"] == "true"
    tab.goto(session.base, wait_until="load")
    rows = tab.locator("#mg-progress tbody tr")
    rows.first.wait_for()
    listed = exercise_index.pages(DOCS, nav_sources())
    assert rows.count() == len(listed)
    counts = {
        rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td").inner_text()
        for i in range(rows.count())
    }
    chapter_8 = next(entry for entry in listed if entry["url"] == page_url(CHAPTER_8))
    assert counts[chapter_8["title"]] == f"1 / {len(chapter_8['exercises'])}"
    assert sum(int(count.split(" / ")[0]) for count in counts.values()) == 1

    tab.locator(".mg-forget").click()
    assert tab.locator(".mg-ask-yes").evaluate("b => b === document.activeElement")
    tab.locator(".mg-ask-no").click()
    assert (
        counts[chapter_8["title"]]
        == tab.locator("#mg-progress tbody tr td")
        .nth(listed.index(chapter_8))
        .inner_text()
    )
    tab.locator(".mg-forget").click()
    tab.locator(".mg-ask-yes").click()
    assert tab.locator(".mg-progress-said").inner_text().startswith("Forgotten")
    assert (
        tab.locator("#mg-progress tbody tr td")
        .nth(listed.index(chapter_8))
        .inner_text()
        == f"0 / {len(chapter_8['exercises'])}"
    )
    assert (
        tab.evaluate(
            "() => Object.keys(localStorage)"
            ".filter((key) => key.startsWith('micrograd-book:'))"
        )
        == []
    )
    assert nav_count(tab, CHAPTER_8).startswith("0/")


def test_instant_navigation_keeps_checking(session: Session) -> None:
    tab = session.open(CHAPTER_7)
    tab.evaluate("window.mgSamePage = true")
    tab.locator(".md-footer__link--next").click()
    tab.wait_for_url(lambda url: "/08-more-operations/" in url)
    assert tab.evaluate("window.mgSamePage === true")
    line = relu().starter.line
    assert check(tab, line, relu().solution.code)["passed"] == "true"
    assert nav_count(tab, CHAPTER_8).startswith("1/")
    tab.locator(".md-footer__link--prev").click()
    tab.wait_for_url(lambda url: "/07-gradients-add-up/" in url)
    assert nav_count(tab, CHAPTER_8).startswith("1/")


def test_work_is_kept_under_the_exercises_name(session: Session) -> None:
    # Not under the starter's line: an edit of the chapter above the exercise
    # moves the line, and the reader's work must not be lost with it.
    tab = session.open(CHAPTER_8)
    line = relu().starter.line
    right = relu_with("v.grad += (1.0 if v.data > 0 else 0.0) * out.grad")
    assert check(tab, line, right)["passed"] == "true"
    page = page_url(CHAPTER_8)
    kept = tab.evaluate(
        "() => Object.keys(localStorage).filter((k) => k.startsWith('micrograd-book:'))"
    )
    assert kept == [f"micrograd-book:exercise:{page}:relu"]
    # Work written under that key (as if saved when the starter sat
    # elsewhere) is what the page opens with.
    earlier = right.replace("1.0 if", "1.0  if")
    tab.evaluate(
        "([key, code]) =>"
        " localStorage.setItem(key, JSON.stringify({ code, done: true }))",
        [kept[0], earlier],
    )
    tab.reload(wait_until="load")
    block(tab, line).locator(".cm-content").wait_for()
    assert editor_text(tab, line) == earlier
    assert question(tab, line).locator(".mg-done-mark").inner_text() == "✓ Done"


def test_check_is_greyed_out_while_another_block_runs(session: Session) -> None:
    tab = session.open(CHAPTER_8)
    line = relu().starter.line
    check_button = bar(tab, line).locator(".mg-run-check")
    check_button.wait_for()
    assert check_button.get_attribute("aria-disabled") is None
    # A block above the exercise that runs until the reader stops it.
    first = next(v for v in runnable.blocks(content.read(DOCS / CHAPTER_8)) if v.runs)
    edit = bar(tab, first.line).locator(".mg-run-edit")
    edit.click()
    editor = block(tab, first.line).locator(".cm-content")
    editor.wait_for()
    editor.fill("import time\nwhile True:\n    time.sleep(0.05)")
    bar(tab, first.line).locator(".mg-run-run").click()
    tab.wait_for_function(
        f"""() => document.querySelector('div.highlight[data-mg-line="{first.line}"]')
              .dataset.mgState === "running" """,
        timeout=RUN_TIMEOUT,
    )
    assert check_button.get_attribute("aria-disabled") == "true"
    # Pressed anyway (a browser still delivers the click; Playwright must be
    # told to), it says what it waits for and starts nothing.
    check_button.click(force=True)
    assert f"line {first.line} is running" in (
        bar(tab, line).locator(".mg-run-status").inner_text()
    )
    bar(tab, first.line).locator(".mg-run-stop").click()
    assert wait_state(tab, first.line, "stopped") == "stopped"
    assert check_button.get_attribute("aria-disabled") is None
    bar(tab, first.line).locator(".mg-run-reset").click()


def test_no_page_error_and_no_other_host(session: Session) -> None:
    assert session.errors == []
    assert session.foreign() == []
