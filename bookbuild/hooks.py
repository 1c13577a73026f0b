"""MkDocs hooks: run each chapter while building it and show what it makes.

For every page with runnable Python blocks, the examples run in order with
the same parser pytest uses (`bookbuild.chapters`). A failing example stops
the build with the chapter's file and line. A block that ends in a graph or a
figure gets it rendered under the block. Snapshot directives are expanded,
and each chapter is offered as a notebook, each snapshot as a file. Every
Python block is marked as runnable in the reader's browser or not
(`bookbuild.runnable`), and what runs it there is copied into the site
(`bookbuild.pyodide_assets`).

Set ``BOOK_EXECUTE=false`` to build without running anything (the baseline of
the build benchmark).
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
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
    katex,
    notebooks,
    prerun,
    pyodide_assets,
    runnable,
)
from micrograd import versions  # noqa: E402

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


def _start_early() -> prerun.ChapterRunner | None:
    """Start running the book's chapters while MkDocs is still loading.

    MkDocs imports this module before it loads its plugins, a second or two
    before the first hook runs. When the build is the book's own (run from
    the repository), the chapters can start on the other cores right away;
    on_pre_build adopts these runs if the configured chapters are the same.
    """
    if not execution_enabled() or Path.cwd().resolve() != ROOT:
        return None
    return prerun.ChapterRunner(chapters.chapter_files())


def execution_enabled() -> bool:
    return os.environ.get("BOOK_EXECUTE", "true").strip().lower() not in {
        "0",
        "false",
        "no",
    }


_early_runner: prerun.ChapterRunner | None = _start_early()


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    _key_notebook_cache_on_library(config)
    return config


def _key_notebook_cache_on_library(config: MkDocsConfig) -> None:
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
    digest.update(f"execute={execution_enabled()}".encode())
    for name in ("matplotlib", "numpy", "nbconvert", "nbclient", "ipykernel"):
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            pass
    # BOOK_NOTEBOOK_CACHE moves the cache (the build benchmark times builds
    # that start from an empty one).
    cache_root = Path(
        os.environ.get("BOOK_NOTEBOOK_CACHE", ROOT / "build" / "notebooks")
    )
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
        notebook = notebooks.chapter_notebook_file(path)
        files.append(
            File.generated(
                config,
                f"{NOTEBOOK_DOWNLOADS}/{path.stem}.ipynb",
                content=notebooks.to_json(notebook),
            )
        )
    return files


def on_pre_build(config: MkDocsConfig) -> None:
    global _runner, _early_runner
    early, _early_runner = _early_runner, None
    _stop_runner()
    if not execution_enabled():
        if early is not None:
            early.close()
        return
    paths = chapters.chapter_files(Path(config.docs_dir))
    if early is not None and early.covers(paths):
        _runner = early
        return
    if early is not None:
        early.close()
    _runner = prerun.ChapterRunner(paths)


def _stop_runner() -> None:
    global _runner
    if _runner is not None:
        _runner.close()
        _runner = None


def on_page_markdown(
    markdown: str, page: Page, config: MkDocsConfig, files: Files
) -> str:
    source_path = Path(page.file.abs_src_path) if page.file.abs_src_path else None
    has_code = any(True for _ in chapters.python_fences(markdown))
    stash: dict[str, str] = {}
    if has_code and source_path is not None:
        if _runner is not None:
            markdown = _show_outputs(markdown, source_path, _runner, stash)
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
    except (directives.DirectiveError, LookupError) as error:
        raise PluginError(f"{page.file.src_uri}: {error}") from error


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    output = runnable.attach(output)
    stash = _outputs_by_page.pop(page.file.src_uri, {})
    if not stash:
        return output
    return _PLACEHOLDER_PARAGRAPH.sub(lambda m: stash.get(m[1], m[0]), output)


def on_post_build(config: MkDocsConfig) -> None:
    _stop_runner()
    katex.install(Path(config.site_dir) / "assets" / "katex")
    pyodide_assets.install(Path(config.site_dir))


def on_build_error(error: Exception) -> None:
    _stop_runner()


def _show_outputs(
    markdown: str,
    source_path: Path,
    runner: prerun.ChapterRunner,
    stash: dict[str, str],
) -> str:
    run = runner.result(source_path)
    if run.failure is not None:
        # The worker ran the file itself (front matter included), so its line
        # numbers are the file's.
        relative = (
            source_path.relative_to(ROOT)
            if source_path.is_relative_to(ROOT)
            else source_path
        )
        raise PluginError(
            f"{relative}:{run.failure.line}: example failed: "
            f"{run.failure.error_type}: {run.failure.detail}"
        )
    pieces: list[str] = []
    position = 0
    for index, fence in enumerate(chapters.python_fences(markdown)):
        shown = run.outputs.get(index)
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
    for title, html in shown:
        token = _PLACEHOLDER.format(len(stash))
        stash[token] = html
        if title:
            label = title.replace('"', "&quot;")
            blocks.append(f'{indent}=== "{label}"\n\n{indent}    {token}\n')
        else:
            blocks.append(f"{indent}{token}\n")
    return "\n\n" + "\n".join(blocks) + "\n"


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
        f'<p class="mg-notebook-link"><a href="{url}" '
        f'download="{source_path.stem}.ipynb">'
        f"Download this page as a Jupyter notebook</a></p>\n"
    )
    heading = re.search(r"^# .*$", markdown, re.MULTILINE)
    if heading is None:
        return link + "\n" + markdown
    return markdown[: heading.end()] + "\n\n" + link + markdown[heading.end() :]
