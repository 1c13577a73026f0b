"""What the tests need besides pytest, imported as `support`, by topic:

* `support.paths`: where the project is;
* `support.commands`: commands run with a time limit (a build among
  them), and processes read from /proc;
* `support.site`: the pages of the nav, a build of the site, a local
  server for it, and a throwaway book that uses the book's hooks;
* `support.browser`: Debian's Chromium and a `Session` of it that reaches
  only the local server, the scripts a page runs to report on its graphs,
  and axe-core (fetched once, pinned);
* `support.colours`: WCAG contrast arithmetic.

Everything is also importable from `support` itself.
"""

from support.browser import (
    AXE_CACHE,
    AXE_INTEGRITY,
    AXE_RUN,
    AXE_VERSION,
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    INSPECT_OUTPUT,
    PAGE_FACTS,
    SCREENSHOTS,
    TEXT_COLOURS,
    Session,
    axe_script,
    foreign_in_scripts,
    is_foreign,
    launch,
)
from support.colours import (
    RGBA,
    contrast,
    flatten,
    luminance,
    over,
    parse_colour,
)
from support.commands import (
    BUILD_TIMEOUT,
    BUILD_TIMEOUT_SMALL,
    cpu_seconds,
    descendants,
    is_alive,
    mkdocs_build,
    run_bounded,
)
from support.paths import (
    ROOT,
)
from support.site import (
    HOOKS,
    is_chapter,
    make_book,
    nav_sources,
    page_url,
    screenshot_name,
    serve,
)

__all__ = [
    "ROOT",
    "BUILD_TIMEOUT",
    "BUILD_TIMEOUT_SMALL",
    "run_bounded",
    "descendants",
    "is_alive",
    "cpu_seconds",
    "mkdocs_build",
    "nav_sources",
    "page_url",
    "is_chapter",
    "screenshot_name",
    "serve",
    "HOOKS",
    "make_book",
    "CHROMIUM_ARGS",
    "SCREENSHOTS",
    "CHROMIUM",
    "BROWSER_MARKS",
    "launch",
    "Session",
    "is_foreign",
    "INSPECT_OUTPUT",
    "TEXT_COLOURS",
    "PAGE_FACTS",
    "foreign_in_scripts",
    "AXE_VERSION",
    "AXE_INTEGRITY",
    "AXE_CACHE",
    "axe_script",
    "AXE_RUN",
    "RGBA",
    "parse_colour",
    "over",
    "flatten",
    "luminance",
    "contrast",
]
