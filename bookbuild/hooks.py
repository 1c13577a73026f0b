"""MkDocs hooks: run each chapter while building it and show what it makes.

For every page with runnable Python blocks, the examples run in order with
the same parser pytest uses (`bookbuild.chapters`). A failing example stops
the build with the chapter's file and line. A block that ends in a graph or a
figure gets it rendered under the block. Snapshot directives are expanded,
and each chapter is offered as a notebook, each snapshot as a file. Every
Python block is marked as runnable in the reader's browser or not
(`bookbuild.runnable`), and what runs it there is copied into the site
(`bookbuild.pyodide_assets`), with the code editor a page loads when the
reader first edits a block (`bookbuild.editor_assets`).

Settings (``BOOK_EXECUTE``, the time and output limits of an example) are
read in `bookbuild.settings`. The chapters run in worker processes
(`bookbuild.prerun`) started by each build and stopped when it ends, fails or
is terminated.

Under `mkdocs serve` every rebuild loads `bookbuild` and `micrograd` afresh,
so an edit to the tooling or the snapshots shows in the next build. This file
itself is loaded once by MkDocs: a change to it stops the next build with a
request to restart the server.
"""

from __future__ import annotations

import atexit
import hashlib
import html
import re
import signal
import sys
import threading
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# MkDocs restores sys.path after importing a hook, so the path is set again in
# on_config for the imports that happen later.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mkdocs.config.defaults import MkDocsConfig  # noqa: E402
from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402
from mkdocs.structure.pages import Page  # noqa: E402
from mkdocs.utils import get_relative_url  # noqa: E402

from bookbuild import (  # noqa: E402
    chapters,
    directives,
    editor_assets,
    katex,
    notebooks,
    prerun,
    pyodide_assets,
    runnable,
    settings,
)
from micrograd import versions  # noqa: E402

_THIS_SOURCE = Path(__file__).read_bytes()

SNAPSHOT_DOWNLOADS = "downloads"
NOTEBOOK_DOWNLOADS = "downloads/notebooks"
# Outputs stand in the Markdown as empty spans and are swapped in only in the
# finished page: Markdown never parses the SVG, and the search index (built
# before the swap) holds the prose, not the text of every graph label.
_PLACEHOLDER = '<span class="mg-slot" data-slot="{:04d}"></span>'
_PLACEHOLDER_PARAGRAPH = re.compile(
    r'<p>(<span class="mg-slot" data-slot="\d{4}"></span>)</p>'
)

_outputs_by_page: dict[str, dict[str, str]] = {}
_runner: prerun.ChapterRunner | None = None


def on_startup(command: str, dirty: bool) -> None:
    # Without a handler, SIGTERM ends Python at once, before any cleanup;
    # SystemExit runs MkDocs' own shutdown and stops the chapter workers.
    # (The workers also exit by themselves once this process is gone.)
    if (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    ):
        signal.signal(signal.SIGTERM, _exit_on_terminate)


def _exit_on_terminate(signum: int, frame: object) -> None:
    _stop_runner()
    raise SystemExit(128 + signum)


def on_shutdown() -> None:
    _stop_runner()


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    _load_tooling()
    execute = settings.execute()
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is not None:
        # Read here rather than in mkdocs.yml, whose !ENV gives "0" as text.
        plugin.config["execute"] = execute
    _key_notebook_cache_on_library(config, execute)
    _stop_runner()
    if execute:
        # Started as early as the build can know its chapters, so they run
        # while MkDocs loads the API reference and renders other pages.
        _start_runner(
            _in_nav_order(chapters.chapter_files(Path(config.docs_dir)), config),
            config.docs_dir,
        )
    return config


def _load_tooling() -> None:
    """Import `bookbuild` and `micrograd` from disk again, so a rebuild under
    `mkdocs serve` uses the code as it is now, not as it was at start."""
    global chapters, directives, editor_assets, katex, notebooks, prerun, settings
    global versions
    if Path(__file__).read_bytes() != _THIS_SOURCE:
        raise PluginError(
            "bookbuild/hooks.py changed since this server started; "
            "restart `make serve` to load it"
        )
    for name in list(sys.modules):
        if name.partition(".")[0] in {"bookbuild", "micrograd"}:
            del sys.modules[name]
    from bookbuild import (
        chapters,
        directives,
        editor_assets,
        katex,
        notebooks,
        prerun,
        settings,
    )
    from micrograd import versions


def _in_nav_order(paths: list[Path], config: MkDocsConfig) -> list[Path]:
    """`paths` in the order the nav lists them (the order pages are built),
    then any page the nav leaves out."""
    docs = Path(config.docs_dir).resolve()
    listed = chapters.nav_pages(config.nav)
    rank = {(docs / entry).resolve(): index for index, entry in enumerate(listed)}
    return sorted(paths, key=lambda p: (rank.get(p.resolve(), len(rank)), str(p)))


def _key_notebook_cache_on_library(config: MkDocsConfig, execute: bool) -> None:
    """Let mkdocs-jupyter reuse an executed notebook only while nothing it
    imports from the book has changed.

    mkdocs-jupyter keys its cache on the notebook's own bytes; a notebook that
    trains `micrograd.nn.MLP` must run again when `micrograd` changes. Naming
    the cache folder after a hash of every source file of the package (and the
    interpreter and packages that run it) makes any such change a cache miss.
    """
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is None or not plugin.config.get("cache"):
        return
    digest = hashlib.sha256()
    for path in sorted((ROOT / "micrograd").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(sys.version.encode())
    # mkdocs-jupyter deletes every cached page a build did not use; a build
    # that does not execute would otherwise evict the executed notebooks.
    digest.update(f"execute={execute}".encode())
    for name in ("matplotlib", "numpy", "nbconvert", "nbclient", "ipykernel"):
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            pass
    cache_root = settings.notebook_cache() or ROOT / "build" / "notebooks"
    plugin.config["cache_dir"] = str(cache_root / digest.hexdigest()[:16])


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for version in versions.VERSIONS:
        files.append(
            File.generated(
                config,
                f"{SNAPSHOT_DOWNLOADS}/{version.path.name}",
                content=version.path.read_bytes(),
            )
        )
    for path in chapters.chapter_files(Path(config.docs_dir)):
        try:
            notebook = notebooks.chapter_notebook_file(path)
        except directives.DirectiveError as error:
            raise PluginError(str(error.located(_shown_path(path)))) from None
        files.append(
            File.generated(
                config,
                f"{NOTEBOOK_DOWNLOADS}/{path.stem}.ipynb",
                content=notebooks.to_json(notebook),
            )
        )
    return files


def _start_runner(paths: list[Path], docs_dir: str) -> None:
    global _runner
    # One record of chapter run times per book (the tests build small books
    # of their own from this checkout too).
    book = hashlib.sha256(str(Path(docs_dir).resolve()).encode()).hexdigest()[:12]
    timings = ROOT / "build" / "chapter-seconds" / f"{book}.json"
    _runner = prerun.ChapterRunner(paths, timings=timings)


def _stop_runner() -> None:
    global _runner
    runner, _runner = _runner, None
    if runner is not None:
        runner.close()


# A build ended by Ctrl-C (or anything else that skips MkDocs' error events)
# still stops its workers.
atexit.register(_stop_runner)


def on_page_markdown(
    markdown: str, page: Page, config: MkDocsConfig, files: Files
) -> str:
    source_path = Path(page.file.abs_src_path) if page.file.abs_src_path else None
    lines_before = 0 if source_path is None else _lines_before(markdown, source_path)
    has_code = any(True for _ in chapters.python_fences(markdown))
    stash: dict[str, str] = {}
    if has_code and source_path is not None:
        if _runner is not None:
            markdown = _show_outputs(
                markdown, source_path, lines_before, _runner, stash
            )
        markdown = _mark_runnable(markdown, source_path)
        markdown = _with_notebook_link(markdown, page, source_path)
    _outputs_by_page[page.file.src_uri] = stash
    try:
        return directives.expand(
            markdown,
            download_url=lambda n: get_relative_url(
                f"{SNAPSHOT_DOWNLOADS}/v{n}.py", page.file.url
            ),
        )
    except directives.DirectiveError as error:
        where = _shown_path(source_path) if source_path else page.file.src_uri
        raise PluginError(str(error.located(where, lines_before))) from None


def _lines_before(markdown: str, source_path: Path) -> int:
    """How many lines of the file (its front matter) precede `markdown`.

    A block is known by the file line of its opening fence everywhere; the
    Markdown MkDocs hands over starts after the front matter.
    """
    source = source_path.read_text(encoding="utf-8-sig")
    if not source.endswith(markdown):
        raise PluginError(
            f"{_shown_path(source_path)}: the page's Markdown was changed before "
            "the book's hooks saw it; its blocks cannot be matched to their lines"
        )
    return source[: len(source) - len(markdown)].count("\n")


def _shown_path(path: Path) -> Path:
    """A page as a reader finds it: from the repository root if inside it."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    output = runnable.attach(output)
    stash = _outputs_by_page.pop(page.file.src_uri, {})
    if not stash:
        return output
    return _PLACEHOLDER_PARAGRAPH.sub(lambda m: stash.get(m[1], m[0]), output)


def on_post_build(config: MkDocsConfig) -> None:
    _stop_runner()
    try:
        katex.install(Path(config.site_dir) / "assets" / "katex")
    except katex.FetchError as error:
        raise PluginError(str(error)) from None
    pyodide_assets.install(Path(config.site_dir))
    try:
        editor_assets.install(Path(config.site_dir))
    except editor_assets.EditorBuildError as error:
        raise PluginError(str(error)) from None


def on_build_error(error: Exception) -> None:
    _stop_runner()


def _show_outputs(
    markdown: str,
    source_path: Path,
    lines_before: int,
    runner: prerun.ChapterRunner,
    stash: dict[str, str],
) -> str:
    run = runner.result(source_path)
    if run.failure is not None:
        failure = run.failure
        code = "\n".join(f"    | {line}" for line in failure.code.splitlines())
        raise PluginError(
            f"{_shown_path(source_path)}:{failure.line}: example failed: "
            f"{failure.error_type}: {failure.detail}" + (f"\n{code}" if code else "")
        )
    pieces: list[str] = []
    position = 0
    for fence in chapters.python_fences(markdown):
        line = markdown.count("\n", 0, fence.start) + 1 + lines_before
        shown = run.outputs.get(line)
        if not shown:
            continue
        pieces.append(markdown[position : fence.end])
        pieces.append(_output_markdown(shown, _indent_of(markdown, fence.start), stash))
        position = fence.end
    pieces.append(markdown[position:])
    return "".join(pieces)


def _output_markdown(
    shown: list[tuple[str, str]], indent: str, stash: dict[str, str]
) -> str:
    blocks: list[str] = []
    for title, html_text in shown:
        token = _PLACEHOLDER.format(len(stash))
        stash[token] = html_text
        if title:
            label = _literal_markdown(title)
            blocks.append(f'{indent}=== "{label}"\n\n{indent}    {token}\n')
        else:
            blocks.append(f"{indent}{token}\n")
    return "\n\n" + "\n".join(blocks) + "\n"


def _literal_markdown(text: str) -> str:
    """`text` (computed by a page, so anything) as inline Markdown that shows
    exactly those characters: every character that Markdown or HTML could
    read as markup becomes a character reference."""
    return "".join(
        char if char.isalnum() or char == " " else f"&#{ord(char)};" for char in text
    )


def _indent_of(text: str, position: int) -> str:
    """The indentation of the line at `position` (a fence inside a block)."""
    line_start = text.rfind("\n", 0, position) + 1
    line = text[line_start:]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _mark_runnable(markdown: str, source_path: Path) -> str:
    """Tell the page's script which blocks the reader can run (see
    bookbuild/runnable.py)."""
    file = (
        source_path.relative_to(ROOT).as_posix()
        if source_path.is_relative_to(ROOT)
        else source_path.name
    )
    try:
        return runnable.mark(markdown, source_path, file)
    except ValueError as error:
        raise PluginError(str(error)) from error


def _with_notebook_link(markdown: str, page: Page, source_path: Path) -> str:
    url = get_relative_url(
        f"{NOTEBOOK_DOWNLOADS}/{source_path.stem}.ipynb", page.file.url
    )
    link = (
        f'<p class="mg-notebook-link"><a href="{html.escape(url)}" '
        f'download="{html.escape(source_path.stem)}.ipynb">'
        f"Download this page as a Jupyter notebook</a></p>\n"
    )
    heading = re.search(r"^# .*$", markdown, re.MULTILINE)
    if heading is None:
        return link + "\n" + markdown
    return markdown[: heading.end()] + "\n\n" + link + markdown[heading.end() :]
