"""The Playground page in headless Chromium: its numbers are CPython's, its
controls work from the keyboard, its code can be edited and fail safely, a
point's loss draws as a graph, and axe finds nothing in either colour scheme.

One browser serves the module. Its tabs ask for reduced motion, so nothing
plays by itself and every step is the test's; one test plays without that
and reads the page's own timings. Any request for another host is aborted
and fails the test that checks for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import AXE_RUN, BROWSER_MARKS, Session, axe_script, serve
from support.training import SECOND, reference_run

from bookbuild import playground

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing"
)

PAGE = "playground/"
#: Booting Python takes seconds of CPU; a busy machine may need many.
BOOT_TIMEOUT = 180_000
STEPS = 20

#: The page's state after its last answer: what the readout was drawn from.
STATE = """
() => {
  const p = window.mgPlayground;
  return { step: p.state.step, weights: p.state.weights, losses: p.losses,
           accuracies: p.accuracies, readout: p.el.readout.textContent };
}
"""

#: Long tasks of the page's main thread, recorded from the start.
LONG_TASKS = """
window.mgLongTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.mgLongTasks.push(entry.duration);
}).observe({ type: "longtask", buffered: true });
"""


class Browser(Session):
    def tab(
        self,
        scheme: str = "light",
        motion: str = "reduce",
        width: int = 1280,
        javascript: bool = True,
    ) -> sync_api.Page:
        context = self.context(
            scheme, width=width, motion=motion, java_script_enabled=javascript
        )
        context.add_init_script(LONG_TASKS)
        tab = context.new_page()
        tab.goto(self.base + PAGE, wait_until="load")
        return tab


@pytest.fixture(scope="module")
def browser(
    built_site: Path, playwright_driver: sync_api.Playwright
) -> Iterator[Browser]:
    with serve(built_site) as base, Browser(playwright_driver, base) as opened:
        yield opened


def ready(tab: sync_api.Page) -> None:
    tab.wait_for_function(
        "() => window.mgPlayground && window.mgPlayground.state"
        " && /Ready|Paused/.test(window.mgPlayground.el.state.textContent)",
        timeout=BOOT_TIMEOUT,
    )


def settle(tab: sync_api.Page, step: int) -> None:
    tab.wait_for_function(
        "(n) => window.mgPlayground.state.step === n"
        " && /Paused|Ready/.test(window.mgPlayground.el.state.textContent)",
        arg=step,
        timeout=BOOT_TIMEOUT,
    )


def choose(tab: sync_api.Page, settings: dict) -> None:
    """Set the form as a reader would, then Reset."""
    form = tab.locator("form.mg-pg-settings")
    for name, value in settings.items():
        field = form.locator(f"[name={name}]")
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        if field.evaluate("(e) => e.tagName") == "SELECT":
            field.select_option(text)
        else:
            field.fill(text)
            field.dispatch_event("change")
    tab.get_by_role("button", name="Reset").click()
    ready(tab)
    settle(tab, 0)


def close(got: float, want: float) -> bool:
    return abs(got - want) <= 1e-9 * max(abs(want), 1e-300)


@pytest.mark.parametrize("settings", [{}, SECOND], ids=["default", "second"])
def test_twenty_steps_in_the_page_are_cpythons(
    browser: Browser, settings: dict
) -> None:
    tab = browser.tab()
    ready(tab)
    if settings:
        choose(tab, settings)
    step = tab.get_by_role("button", name="Step")
    for n in range(1, STEPS + 1):
        step.click()
        settle(tab, n)
    state = tab.evaluate(STATE)
    losses, accuracies, net = reference_run(settings, STEPS)
    weights = [p.data for p in net.parameters()]
    assert state["step"] == STEPS
    assert len(state["weights"]) == len(weights)
    assert all(close(g, w) for g, w in zip(state["losses"], losses, strict=True))
    assert state["accuracies"] == accuracies
    assert all(close(g, w) for g, w in zip(state["weights"], weights, strict=True))
    accuracy = round(accuracies[-1] * 100)
    shown = f"Step {STEPS} · loss {losses[-1]:.4f} · accuracy {accuracy}%"
    assert state["readout"] == shown
    tab.context.close()


#: The text of the editor that holds the element (the code panel's editor).
EDITOR_TEXT = (
    "async (e) => (await import('/assets/run/editor.js')).editorOf(e).getValue()"
)
#: The editor's selection, as [from, to].
EDITOR_SELECTION = (
    "async (e) => { const { view } = (await import('/assets/run/editor.js'))"
    ".editorOf(e); const { from, to } = view.state.selection.main;"
    " return [from, to]; }"
)
#: Puts the caret just after the first occurrence of a text and focuses the
#: editor, as a click there would.
CARET_AFTER = (
    "async (e, text) => { const editor = (await import('/assets/run/editor.js'))"
    ".editorOf(e); const at = editor.getValue().indexOf(text);"
    " if (at < 0) throw new Error(`no ${text} in the editor`);"
    " editor.view.dispatch({ selection: { anchor: at + text.length } });"
    " editor.focus(); }"
)


def code_editor(tab: sync_api.Page) -> sync_api.Locator:
    """The code panel's editor, once the panel is on screen and it loaded."""
    panel = tab.locator("[data-mg-pg=code-panel]")
    panel.scroll_into_view_if_needed()
    content = panel.locator(".cm-editor .cm-content")
    content.wait_for()
    return content


def type_after(editor: sync_api.Locator, text: str, typed: str) -> None:
    """Types at the end of `text` in the editor, key by key."""
    editor.evaluate(CARET_AFTER, text)
    editor.page.keyboard.type(typed)


def test_edited_code_runs_and_an_error_names_its_line(browser: Browser) -> None:
    tab = browser.tab()
    ready(tab)
    choose(tab, {"layers": [4], "points": 20})
    code = code_editor(tab)
    book = code.evaluate(EDITOR_TEXT)
    type_after(code, "    loss.backward()", "\noops()")
    broken = code.evaluate(EDITOR_TEXT)
    assert broken == book.replace(
        "    loss.backward()\n", "    loss.backward()\n    oops()\n"
    )
    line = broken.splitlines().index("    oops()") + 1
    tab.get_by_role("button", name="Run this code").click()
    tab.get_by_role("button", name="Step").click()
    error = tab.locator("#mg-pg-code-error")
    error.filter(has_text="NameError").wait_for()
    assert error.inner_text().startswith(
        f"Line {line}: NameError: name 'oops' is not defined"
    )
    assert "The last code that worked keeps running" in error.inner_text()
    assert code.get_attribute("aria-invalid") == "true"
    # The book's code went on: the next step is taken.
    tab.get_by_role("button", name="Step").click()
    settle(tab, 1)
    # A step twice as long, run from the keyboard: Ctrl+Enter in the editor.
    tab.get_by_role("button", name="Back to the book's code").click()
    tab.locator("[data-mg-pg=state]").filter(has_text="next step runs").wait_for()
    assert code.get_attribute("aria-invalid") is None
    type_after(code, "p.data -= ", "2 * ")
    doubled = code.evaluate(EDITOR_TEXT)
    assert doubled == book.replace(
        "learning_rate * p.grad", "2 * learning_rate * p.grad"
    )
    # Calls to Python queue in order: the code is in place before the step.
    tab.keyboard.press("Control+Enter")
    tab.get_by_role("button", name="Step").click()
    settle(tab, 2)
    assert error.inner_text() == ""
    assert tab.evaluate("() => window.mgPlayground.goodCode") == doubled
    tab.context.close()


def test_reset_ends_code_that_never_finishes_a_step(browser: Browser) -> None:
    tab = browser.tab()
    ready(tab)
    choose(tab, {"layers": [4], "points": 20})
    code = code_editor(tab)
    book = code.evaluate(EDITOR_TEXT)
    type_after(code, "    net.zero_grad()", "\nwhile True:\npass")
    endless = book.replace(
        "    net.zero_grad()\n", "    net.zero_grad()\n    while True:\n        pass\n"
    )
    assert code.evaluate(EDITOR_TEXT) == endless
    tab.get_by_role("button", name="Run this code").click()
    tab.get_by_role("button", name="Step").click()
    tab.wait_for_timeout(3500)
    tab.get_by_role("button", name="Reset").click()
    ready(tab)
    settle(tab, 0)
    tab.get_by_role("button", name="Step").click()
    settle(tab, 1)
    assert tab.evaluate("() => window.mgPlayground.goodCode") == book
    tab.context.close()


def test_the_code_panel_is_the_books_editor(browser: Browser) -> None:
    settings = {"layers": [4], "points": 20}
    tab = browser.tab()
    ready(tab)
    choose(tab, settings)
    # The bundle waits until the panel is on screen: the cold start skips it.
    loaded = (
        "() => performance.getEntriesByType('resource')"
        ".some((e) => e.name.endsWith('/assets/run/editor.js'))"
    )
    assert not tab.evaluate(loaded)
    code = code_editor(tab)
    assert tab.evaluate(loaded)
    panel = tab.locator("[data-mg-pg=code-panel]")
    assert panel.locator(".mg-code-editor .cm-lineNumbers").count() == 1
    assert tab.locator("textarea.mg-pg-code").is_hidden()
    assert code.get_attribute("aria-label") == "The training step"
    assert "mg-pg-code-keys" in code.get_attribute("aria-describedby")
    hint = tab.locator("#mg-pg-code-keys")
    assert hint.is_visible() and "Esc then Tab" in hint.inner_text()
    book = code.evaluate(EDITOR_TEXT)
    # Half the learning rate, typed, and applied with Ctrl+Enter: the page's
    # readout after two steps is the one of a run at half the rate.
    type_after(code, "learning_rate = ", "0.5 * ")
    tab.keyboard.press("Control+Enter")
    tab.locator("[data-mg-pg=state]").filter(has_text="next step runs").wait_for()
    step = tab.get_by_role("button", name="Step")
    for n in (1, 2):
        step.click()
        settle(tab, n)
    readout = tab.locator("[data-mg-pg=readout]").inner_text()

    def shown(learning_rate: float) -> str:
        losses, accuracies, _ = reference_run(
            {**settings, "learning_rate": learning_rate}, 2
        )
        accuracy = round(accuracies[-1] * 100)
        return f"Step 2 · loss {losses[-1]:.4f} · accuracy {accuracy}%"

    assert shown(0.5) != shown(1.0)
    assert readout == shown(0.5)
    # A syntax error: the error names its line, and the editor selects it.
    type_after(code, "loss = data_loss + reg_loss", " +")
    edited = code.evaluate(EDITOR_TEXT)
    lines = edited.splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.endswith("reg_loss +"))
    tab.keyboard.press("Control+Enter")
    error = tab.locator("#mg-pg-code-error")
    error.filter(has_text="SyntaxError").wait_for()
    assert error.inner_text().startswith(f"Line {line}: SyntaxError")
    assert code.get_attribute("aria-invalid") == "true"
    start = sum(len(text) + 1 for text in lines[: line - 1])
    end = start + len(lines[line - 1])
    assert code.evaluate(EDITOR_SELECTION) == [start, end]
    # Escape then Tab leaves the editor for the next control.
    tab.keyboard.press("Escape")
    tab.keyboard.press("Tab")
    assert tab.evaluate("() => document.activeElement.dataset.mgPg") == "apply-code"
    # The reader's code stays in the editor through Reset.
    tab.get_by_role("button", name="Reset").click()
    settle(tab, 0)
    assert code.evaluate(EDITOR_TEXT) == edited
    tab.get_by_role("button", name="Back to the book's code").click()
    tab.locator("[data-mg-pg=state]").filter(has_text="next step runs").wait_for()
    assert code.evaluate(EDITOR_TEXT) == book
    assert code.get_attribute("aria-invalid") is None
    tab.context.close()


def test_the_code_panel_keeps_its_textarea_without_the_editor(browser: Browser) -> None:
    tab = browser.tab()
    tab.route("**/assets/run/editor.js", lambda route: route.abort("failed"))
    tab.reload(wait_until="load")
    ready(tab)
    tab.get_by_role("button", name="Step").click()
    settle(tab, 1)
    area = tab.locator("textarea.mg-pg-code")
    area.scroll_into_view_if_needed()
    area.focus()
    tab.wait_for_timeout(500)
    assert area.is_visible()
    assert tab.locator("[data-mg-pg=code-panel] .cm-editor").count() == 0
    area.press("Control+End")
    area.type("# typed\n")
    area.press("Control+Enter")
    tab.locator("[data-mg-pg=state]").filter(has_text="next step runs").wait_for()
    tab.get_by_role("button", name="Step").click()
    settle(tab, 2)
    assert tab.evaluate("() => window.mgPlayground.goodCode").endswith("# typed\n")
    tab.context.close()


def test_clicking_a_point_draws_its_loss(browser: Browser) -> None:
    tab = browser.tab()
    ready(tab)
    choose(tab, {"layers": [3], "points": 20, "activation": "tanh"})
    tab.locator("[data-mg-pg=boundary]").scroll_into_view_if_needed()
    where = tab.evaluate(
        "() => { const p = window.mgPlayground; const [x, y] = p.started.points[5];"
        " const [cx, cy] = p.toCanvas(x, y); const c = p.el.boundary;"
        " const box = c.getBoundingClientRect();"
        " return [box.left + cx * box.width / c.width,"
        "         box.top + cy * box.height / c.height]; }"
    )
    tab.mouse.click(*where)
    graph = tab.locator(".mg-pg-graph svg")
    graph.wait_for(timeout=BOOT_TIMEOUT)
    assert tab.locator(".mg-pg-graph p").inner_text().startswith("The loss of point 6")
    assert "Computation graph of" in graph.get_attribute("aria-label")
    assert tab.locator("[data-mg-pg=point]").input_value() == "6"
    # The default network is too big to draw, and the page says so.
    choose(tab, {"layers": [16, 16]})
    tab.get_by_role("button", name="Draw its graph").click()
    tab.locator(".mg-pg-graph").filter(has_text="at most 60").wait_for()
    tab.context.close()


def test_the_keyboard_plays_and_pauses_and_the_readout_is_announced(
    browser: Browser,
) -> None:
    tab = browser.tab()
    ready(tab)
    play = tab.get_by_role("button", name="Play")
    play.focus()
    tab.keyboard.press("Enter")
    tab.wait_for_function(
        "() => window.mgPlayground.state.step >= 3", timeout=BOOT_TIMEOUT
    )
    assert tab.locator("[data-mg-pg=play]").get_attribute("aria-pressed") == "true"
    tab.keyboard.press("Enter")
    tab.wait_for_function(
        "() => !window.mgPlayground.playing && !window.mgPlayground.looping"
    )
    assert tab.locator("[data-mg-pg=play]").get_attribute("aria-pressed") == "false"
    announce = tab.locator("[data-mg-pg=announce]")
    assert announce.get_attribute("aria-live") == "polite"
    tab.wait_for_function(
        "() => /^Step \\d+, loss /.test(document.querySelector('[data-mg-pg=announce]')"
        ".textContent)",
        timeout=10_000,
    )
    label = tab.locator("[data-mg-pg=boundary]").get_attribute("aria-label")
    assert re.match(
        r"Decision boundary after step \d+: the network puts \d+ of 100", label
    )
    tab.locator("summary", has_text="as a table").click()
    rows = tab.locator(".mg-pg-table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 100
    tab.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing(browser: Browser, scheme: str) -> None:
    tab = browser.tab(scheme=scheme)
    ready(tab)
    tab.get_by_role("button", name="Step").click()
    settle(tab, 1)
    tab.locator("summary", has_text="as a table").click()
    tab.locator(".mg-pg-table tbody tr").first.wait_for()
    # The code panel's editor is checked too, with an error showing.
    code = code_editor(tab)
    type_after(code, "loss = data_loss + reg_loss", " +")
    tab.keyboard.press("Control+Enter")
    tab.locator("#mg-pg-code-error").filter(has_text="SyntaxError").wait_for()
    tab.add_script_tag(content=axe_script())
    violations = tab.evaluate(AXE_RUN)
    assert violations == [], violations
    tab.context.close()


def test_phone_width_has_no_sideways_scroll(browser: Browser) -> None:
    tab = browser.tab(width=360)
    ready(tab)
    wide = tab.evaluate(
        "() => document.documentElement.scrollWidth"
        " > document.documentElement.clientWidth"
    )
    assert not wide
    tab.context.close()


def test_playing_is_fast_and_leaves_the_main_thread_free(browser: Browser) -> None:
    # Without reduced motion the page plays by itself once Python is ready.
    tab = browser.tab(motion="no-preference")
    tab.wait_for_function(
        "() => window.mgPlayground && window.mgPlayground.playing", timeout=BOOT_TIMEOUT
    )
    tab.wait_for_function(
        "() => window.mgPlayground.state.step >= 1", timeout=BOOT_TIMEOUT
    )
    tab.evaluate(
        "() => { window.mgLongTasks.length = 0;"
        " window.mgPlayground.timings = {calls: 0, steps: 0, ms: 0, grids: 0}; }"
    )
    tab.wait_for_timeout(5000)
    timings = tab.evaluate("() => window.mgPlayground.timings")
    long_tasks = tab.evaluate("() => window.mgLongTasks")
    tab.get_by_role("button", name="Pause").click()
    print(f"\nplaying for 5 s: {timings}; main-thread long tasks {long_tasks}")
    assert timings["steps"] > 0 and timings["grids"] >= 2
    # What the page does with each answer is small; a busy machine can still
    # stretch one task (benchmarks/bench_browser.py measures the long tasks).
    updates = sorted(timings["updateMs"])
    assert updates[len(updates) // 2] < 50
    tab.context.close()


def test_without_javascript_the_page_says_what_it_needs(browser: Browser) -> None:
    tab = browser.tab(javascript=False)
    assert tab.locator(".mg-pg-noscript").is_visible()
    assert "needs JavaScript" in tab.locator(".mg-pg-noscript").inner_text()
    assert tab.locator("#mg-playground").is_hidden()
    still = tab.locator("pre.mg-pg-still")
    assert still.is_visible()
    assert still.inner_text() == playground.STEP_CODE
    assert (
        tab.get_by_role("link", name="the loss curves of its training loop").count()
        == 1
    )
    tab.context.close()


def test_no_request_for_another_host(browser: Browser) -> None:
    assert browser.requests, "no test opened the page"
    assert browser.foreign() == []
    assert browser.errors == []
