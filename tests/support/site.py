"""The book's site: the pages of the nav, a build, a server for a built
site, and a small book of its own for the tests of failing builds."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from bookbuild import chapters
from support.paths import ROOT


class _IgnoreTags(yaml.SafeLoader):
    """Reads mkdocs.yml without resolving `!ENV` and friends."""


_IgnoreTags.add_multi_constructor("!", lambda loader, suffix, node: None)


def nav_sources(config: Path = ROOT / "mkdocs.yml") -> list[str]:
    """Every page of the nav, as its source path under docs/, in nav order."""
    nav = yaml.load(config.read_text(encoding="utf-8"), Loader=_IgnoreTags)["nav"]
    return chapters.nav_pages(nav)


def page_url(source: str) -> str:
    """The site path MkDocs gives a source file (directory URLs)."""
    stem = re.sub(r"\.(md|ipynb)$", "", source)
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/"


def is_chapter(source: str) -> bool:
    return source.startswith("chapters/")


def screenshot_name(source: str, scheme: str) -> str:
    slug = page_url(source).strip("/").replace("/", "-") or "home"
    return f"{slug}-{scheme}.png"






class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    # The default backlog is 5. Chromium opens several connections at once,
    # and on a busy machine the accepting thread may not run in time: a
    # connection refused for a full backlog is retried only after seconds
    # (a favicon request stuck for 15 s was seen so), so room is made.
    request_queue_size = 128


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 at a free port; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, name="site-server", daemon=True
    )
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)





HOOKS = ROOT / "bookbuild" / "hooks.py"


def make_book(
    project: Path,
    pages: dict[str, str],
    title: str = "A small book",
    extensions: tuple[str, ...] = (),
) -> Path:
    """Write an MkDocs project at `project` that uses the book's hooks.

    `pages` maps paths under docs/ to their text; `extensions` are Markdown
    extensions besides superfences. Returns `project`.
    """
    docs = project / "docs"
    for name, text in pages.items():
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        f"site_name: {title}\n"
        "docs_dir: docs\n"
        "theme:\n"
        "  name: material\n"
        "hooks:\n"
        f"  - {HOOKS}\n"
        "markdown_extensions:\n"
        "  - pymdownx.superfences\n"
        + "".join(f"  - {name}\n" for name in extensions),
        encoding="utf-8",
    )
    return project
