"""The build of the book: what MkDocs does with each chapter, as one object.

`bookbuild/hooks.py` (the only hook MkDocs loads) makes a new `Book` for
every build, from freshly imported modules, and forwards MkDocs' events to
it. A `Book` holds all of a build's state; nothing lives in module globals.

For a page with runnable Python blocks (`bookbuild.content` parses it once):

1. its chapter runs in a worker process of `bookbuild.build_workers`,
   started as soon as the configuration is read: each example through
   `bookbuild.chapters` (Sybil) and `bookbuild.blockrun`, exactly as under
   pytest. A failing example stops the build with the chapter's file and line;
2. a block that ends in a graph or a figure gets it drawn under the block
   (`bookbuild.outputs`, which renders through `micrograd.viz`);
3. every block is marked for the reader's page (`bookbuild.runnable`): runs
   there or not, and an exercise's checks;
4. the page is offered as a notebook (`bookbuild.notebooks`), and snapshot
   directives are expanded (`bookbuild.directives`).

After the build, the files the page runs Python with (`pyodide_assets`),
its code editor (`editor_assets`) and KaTeX (`katex`) are copied into the
site, and the search index gets the formulas' text rather than their LaTeX
(`search_text`); the list of exercises the page counts the reader's
progress by is written (`exercise_index`); `offline` refuses a page that
would ask another host, and `provenance` names what built the site in every
page's footer.
"""

from __future__ import annotations

import hashlib
import html
import re
import sys
from importlib import metadata
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from bookbuild import (
    build_workers,
    chapters,
    content,
    directives,
    editor_assets,
    exercise_index,
    katex,
    notebooks,
    offline,
    playground,
    provenance,
    pyodide_assets,
    runnable,
    search_text,
    settings,
)
from micrograd import versions

ROOT = Path(__file__).resolve().parent.parent

SNAPSHOT_DOWNLOADS = "downloads"
NOTEBOOK_DOWNLOADS = "downloads/notebooks"
# Outputs stand in the Markdown as empty spans and are swapped in only in the
# finished page: Markdown never parses the SVG, and the search index (built
# before the swap) holds the prose, not the text of every graph label. Slots
# are numbered across the whole build, so the page that prints the whole
# book gets them too.
_PLACEHOLDER = '<span class="mg-slot" data-slot="{:05d}"></span>'
_PLACEHOLDER_PARAGRAPH = re.compile(
    r'<p>(<span class="mg-slot" data-slot="\d{5}"></span>)</p>'
)
#: The page print-site writes with every chapter on it (mkdocs.yml).
PRINT_PAGE = Path("print_page") / "index.html"
#: Pages whose notebook link goes at the end rather than under the title:
#: the home page leads with what the book is.
_LINK_AT_END = {"index.md"}
#: Where the Playground page holds its training step: the code of
#: bookbuild/playground.py goes there at build time, so the page shows it
#: before Python has started, and without JavaScript.
STEP_CODE_MARKER = "<!-- playground: step code -->"


class Book:
    """One build of the book."""

    def __init__(self) -> None:
        self.workers: build_workers.ChapterWorkers | None = None
        #: The HTML of every block's output, by its placeholder.
        self.slots: dict[str, str] = {}

    def close(self) -> None:
        """Stop the chapter workers (idempotent)."""
        workers, self.workers = self.workers, None
        if workers is not None:
            workers.close()

    # ---- events ------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        config = provenance.on_config(config)
        execute = settings.execute()
        plugin = config.plugins.get("mkdocs-jupyter")
        if plugin is not None:
            # Read here rather than in mkdocs.yml, whose !ENV gives "0" as text.
            plugin.config["execute"] = execute
        _key_notebook_cache_on_library(config, execute)
        if execute:
            # Started as early as the build can know its chapters, so they run
            # while MkDocs loads the API reference and renders other pages.
            docs_dir = Path(config.docs_dir)
            self.workers = build_workers.ChapterWorkers(
                _in_nav_order(chapters.chapter_files(docs_dir), config),
                timings=_timings_file(docs_dir),
            )
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
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

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig) -> str:
        path = Path(page.file.abs_src_path) if page.file.abs_src_path else None
        lines_before = 0
        if path is not None and content.has_blocks(markdown):
            try:
                chapter = content.read(path)
            except content.ContentError as error:
                raise PluginError(str(error)) from None
            lines_before = _lines_before(markdown, chapter)
            edits = runnable.page_edits(chapter, _file_name(path))
            if self.workers is not None:
                edits += self._output_edits(chapter)
            shift = len(chapter.text) - len(markdown)
            markdown = runnable.apply(chapter.text, edits, shift)
            markdown = _with_notebook_link(markdown, page, path)
        markdown = markdown.replace(STEP_CODE_MARKER, html.escape(playground.STEP_CODE))
        try:
            return directives.expand(
                markdown,
                download_url=lambda n: get_relative_url(
                    f"{SNAPSHOT_DOWNLOADS}/v{n}.py", page.file.url
                ),
            )
        except directives.DirectiveError as error:
            where = _shown_path(path) if path else page.file.src_uri
            raise PluginError(str(error.located(where, lines_before))) from None

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        output = self._finished(output)
        if page.file.src_uri.endswith(".ipynb"):
            output = _with_own_notebook_link(output, Path(page.file.src_uri).name)
        return offline.on_post_page(output, page, config)

    def _finished(self, output: str) -> str:
        """A page's HTML with its blocks' markers and outputs in place."""
        output = runnable.attach(output)
        return _PLACEHOLDER_PARAGRAPH.sub(lambda m: self.slots.get(m[1], m[0]), output)

    def _finish_print_page(self, site_dir: Path) -> None:
        """The page that prints the whole book is written by print-site after
        every page, without the events a page goes through: it gets the
        same finishing here."""
        path = site_dir / PRINT_PAGE
        if not path.exists():
            return
        output = offline.without_notebook_loaders(self._finished(path.read_text()))
        foreign = offline.foreign_scripts(output)
        if foreign:
            raise PluginError(
                f"{PRINT_PAGE}: a script names another host: {', '.join(foreign)}"
            )
        path.write_text(output, encoding="utf-8")

    def on_post_build(self, config: MkDocsConfig) -> None:
        self.close()
        try:
            katex.install(Path(config.site_dir) / "assets" / "katex")
        except katex.FetchError as error:
            raise PluginError(str(error)) from None
        pyodide_assets.install(Path(config.site_dir))
        try:
            editor_assets.install(Path(config.site_dir))
        except editor_assets.EditorBuildError as error:
            raise PluginError(str(error)) from None
        search_text.clean_index(Path(config.site_dir))
        exercise_index.write(config)
        self._finish_print_page(Path(config.site_dir))

    # ---- outputs -------------------------------------------------------------

    def _output_edits(self, chapter: content.Chapter) -> list[runnable.Edit]:
        """What each block showed (a graph, a plot, tabs), inserted after it."""
        assert self.workers is not None
        run = self.workers.result(chapter.path)
        if run.failure is not None:
            failure = run.failure
            code = "\n".join(f"    | {line}" for line in failure.code.splitlines())
            raise PluginError(
                f"{_shown_path(chapter.path)}:{failure.line}: example failed: "
                f"{failure.error_type}: {failure.detail}"
                + (f"\n{code}" if code else "")
            )
        return [
            (block.end, block.end, _output_markdown(shown, block.indent, self.slots))
            for block in chapter.blocks
            if (shown := run.outputs.get(block.line))
        ]


def _output_markdown(
    shown: list[tuple[str, str]], indent: str, slots: dict[str, str]
) -> str:
    blocks: list[str] = []
    for title, html_text in shown:
        token = _PLACEHOLDER.format(len(slots))
        slots[token] = html_text
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


def _lines_before(markdown: str, chapter: content.Chapter) -> int:
    """How many lines of the file (its front matter) precede `markdown`."""
    if not chapter.text.endswith(markdown):
        raise PluginError(
            f"{_shown_path(chapter.path)}: the page's Markdown was changed before "
            "the book's hooks saw it; its blocks cannot be matched to their lines"
        )
    return chapter.text[: len(chapter.text) - len(markdown)].count("\n")


def _shown_path(path: Path) -> Path:
    """A page as a reader finds it: from the repository root if inside it."""
    path = Path(path)
    resolved = path.resolve()
    return resolved.relative_to(ROOT) if resolved.is_relative_to(ROOT) else path


def _file_name(path: Path) -> str:
    resolved = path.resolve()
    return (
        resolved.relative_to(ROOT).as_posix()
        if resolved.is_relative_to(ROOT)
        else path.name
    )


def _with_notebook_link(markdown: str, page: Page, source_path: Path) -> str:
    url = get_relative_url(
        f"{NOTEBOOK_DOWNLOADS}/{source_path.stem}.ipynb", page.file.url
    )
    link = (
        f'<p class="mg-notebook-link"><a href="{html.escape(url)}" '
        f'download="{html.escape(source_path.stem)}.ipynb">'
        f"Download this page as a Jupyter notebook</a></p>\n"
    )
    if page.file.src_uri in _LINK_AT_END:
        return markdown.rstrip("\n") + "\n\n" + link
    heading = re.search(r"^# .*$", markdown, re.MULTILINE)
    if heading is None:
        return link + "\n" + markdown
    return markdown[: heading.end()] + "\n\n" + link + markdown[heading.end() :]


_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">')


def _with_own_notebook_link(output: str, name: str) -> str:
    """A notebook page (mkdocs-jupyter copies the .ipynb next to it, as
    `include_source` asks) links to its own file, as a chapter does."""
    link = (
        f'<p class="mg-notebook-link"><a href="{html.escape(name)}" '
        f'download="{html.escape(name)}">Download this notebook '
        f"({html.escape(name)})</a></p>"
    )
    return _ARTICLE.sub(lambda m: m[0] + link, output, count=1)


def _in_nav_order(paths: list[Path], config: MkDocsConfig) -> list[Path]:
    """`paths` in the order the nav lists them (the order pages are built),
    then any page the nav leaves out."""
    docs = Path(config.docs_dir).resolve()
    listed = chapters.nav_pages(config.nav)
    rank = {(docs / entry).resolve(): index for index, entry in enumerate(listed)}
    return sorted(paths, key=lambda p: (rank.get(p.resolve(), len(rank)), str(p)))


def _timings_file(docs_dir: Path) -> Path:
    # One record of chapter run times per book (the tests build small books
    # of their own from this checkout too).
    book = hashlib.sha256(str(docs_dir.resolve()).encode()).hexdigest()[:12]
    return ROOT / "build" / "chapter-seconds" / f"{book}.json"


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
