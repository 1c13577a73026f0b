"""The list of the book's exercises the reader's page can check, for progress.

The page keeps what the reader finished in the browser (localStorage, keyed
by page and exercise name: docs/javascripts/run-exercises.js). To show how
far the reader got in every chapter (in the navigation and in a table on
the home page), it needs each chapter's exercises, including those of pages
it is not on. The build writes them once, to `INDEX` in the site, in nav
order:

    {"pages": [{"url": "chapters/05-backward-rules/",
                "title": "5. ...",
                "exercises": [{"name": "sub-rule"}, ...]}, ...]}

`url` is the page's address relative to the site's root, as the page script
works it out; `name` is the starter's `data-mg-exercise`. Only exercises whose
starter runs in the page are listed: the others cannot be checked there.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig

from bookbuild import chapters, content, runnable

#: Where the list goes, relative to the site's root.
INDEX = Path("assets") / "exercises.json"

_HEADING = re.compile(r"^# +(.+?)\s*#*\s*$", re.MULTILINE)


def pages(
    docs_dir: Path, nav: object, directory_urls: bool = True
) -> list[dict[str, Any]]:
    """Every nav page with exercises checkable in the page, in nav order."""
    found = []
    for source in chapters.nav_pages(nav):
        path = Path(docs_dir) / source
        if path.suffix != ".md" or not path.is_file():
            continue
        chapter = content.read(path)
        if not chapter.exercises:
            continue
        checkable = [
            {"name": verdict.block.exercise}
            for verdict in runnable.blocks(chapter)
            if verdict.block.exercise and verdict.runs
        ]
        if not checkable:
            continue
        heading = _HEADING.search(chapter.text)
        found.append(
            {
                "url": page_url(source, directory_urls),
                "title": heading[1] if heading else path.stem,
                "exercises": checkable,
            }
        )
    return found


def page_url(source: str, directory_urls: bool = True) -> str:
    """The address MkDocs gives the page `source`, relative to the root."""
    stem = source.removesuffix(".md")
    if not directory_urls:
        return stem + ".html"
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def write(config: MkDocsConfig) -> Path:
    """Write the list into the built site; its path."""
    target = Path(config.site_dir) / INDEX
    target.parent.mkdir(parents=True, exist_ok=True)
    found = pages(Path(config.docs_dir), config.nav, config.use_directory_urls)
    target.write_text(
        json.dumps({"pages": found}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    return target
