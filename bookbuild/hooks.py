"""The one MkDocs hook: forwards every event to a `bookbuild.build.Book`.

`bookbuild/build.py` says what the build does. This file only holds the
current `Book`. At every build's configuration (every rebuild under
`mkdocs serve` too) it imports every module of `bookbuild` and `micrograd`
afresh and makes a new `Book`, so an edit to any of them shows in the next
build. This file itself is loaded once by MkDocs: a change to it stops the
next build with a request to restart the server.
"""

from __future__ import annotations

import atexit
import importlib
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

ROOT = Path(__file__).resolve().parent.parent
#: The packages imported afresh for every build.
RELOADED = ("bookbuild", "micrograd")

_THIS_SOURCE = Path(__file__).read_bytes()
_book: Any = None


def fresh_modules() -> Any:
    """Import `bookbuild.build` (and with it everything it uses) from disk
    again, forgetting every module of `RELOADED` imported before."""
    if Path(__file__).read_bytes() != _THIS_SOURCE:
        raise PluginError(
            "bookbuild/hooks.py changed since this server started; "
            "restart `make serve` to load it"
        )
    # MkDocs restores sys.path after importing a hook, so it is set here.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    for name in list(sys.modules):
        if name.partition(".")[0] in RELOADED:
            del sys.modules[name]
    importlib.invalidate_caches()
    return importlib.import_module("bookbuild.build")


def _close() -> None:
    global _book
    book, _book = _book, None
    if book is not None:
        book.close()


def _exit_on_terminate(signum: int, frame: object) -> None:
    _close()
    raise SystemExit(128 + signum)


def on_startup(command: str, dirty: bool) -> None:
    # Without a handler, SIGTERM ends Python at once, before any cleanup;
    # SystemExit runs MkDocs' own shutdown and stops the chapter workers
    # (which also exit by themselves once this process is gone).
    if (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    ):
        signal.signal(signal.SIGTERM, _exit_on_terminate)
    # A build ended by Ctrl-C (or anything else that skips MkDocs' error
    # events) still stops its workers.
    atexit.register(_close)


def on_config(config: Any) -> Any:
    global _book
    _close()
    _book = fresh_modules().Book()
    return _book.on_config(config)


def on_files(files: Any, config: Any) -> Any:
    return _book.on_files(files, config)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return _book.on_page_markdown(markdown, page, config)


# After every plugin: mkdocs-jupyter adds a script loader in its on_post_page,
# which the book takes out again (bookbuild/offline.py).
@event_priority(-100)
def on_post_page(output: str, page: Any, config: Any) -> str:
    return _book.on_post_page(output, page, config)


def on_post_build(config: Any) -> None:
    _book.on_post_build(config)


def on_build_error(error: Exception) -> None:
    _close()


def on_shutdown() -> None:
    _close()
