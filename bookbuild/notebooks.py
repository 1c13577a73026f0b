"""Turn a chapter into a Jupyter notebook a reader can run top to bottom.

Prose becomes Markdown cells; every runnable Python fence becomes a code
cell (doctest prompts and expected outputs dropped, so the notebook shows the
real outputs when run). Directives are expanded, so a snapshot the page shows
is in the notebook too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

from bookbuild import content, directives

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ADMONITION = re.compile(
    r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)\s+[\w-]+(?:\s+"(?P<title>[^"]*)")?\s*$'
)
_TAB = re.compile(r'^(?P<indent>[ \t]*)===!?\s+"(?P<title>[^"]*)"\s*$')
_ATTRIBUTES = re.compile(r"\{\s*[.#:][^}]*\}")


def chapter_notebook(text: str, source_name: str) -> nbformat.NotebookNode:
    """A notebook with the cells of one chapter, in order."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    cells = [
        nbformat.v4.new_markdown_cell(
            f"*This notebook is generated from `{source_name}`, a chapter of the "
            "micrograd book. It needs the `micrograd` package from the book's "
            "repository (`pip install .` in a clone).*"
        )
    ]
    position = 0
    for block in content.parse(text, source_name).blocks:
        _add_markdown(cells, text, position, block.start, source_name)
        cells.extend(_code_cells(block))
        position = block.end
    _add_markdown(cells, text, position, len(text), source_name)
    # nbformat draws random cell ids; numbered ones make the same chapter
    # the same file on every build.
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"
    notebook.cells = cells
    return notebook


def to_json(notebook: nbformat.NotebookNode) -> str:
    """The notebook file's text (validity is checked by the tests, not here:
    validating every notebook on every build costs seconds)."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def chapter_notebook_file(path: Path) -> nbformat.NotebookNode:
    resolved = path.resolve()
    root = Path(__file__).resolve().parent.parent
    name = resolved.relative_to(root) if resolved.is_relative_to(root) else path.name
    return chapter_notebook(path.read_text(encoding="utf-8"), str(name))


def _code_cells(block: content.Block) -> list[nbformat.NotebookNode]:
    """One cell per block; a doctest example that expects an exception gets a
    cell of its own, tagged so Jupyter runs on past the error it shows."""
    if block.kind == "script":
        source = block.source.rstrip()
        return [nbformat.v4.new_code_cell(source)] if source.strip() else []
    cells: list[nbformat.NotebookNode] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            cells.append(nbformat.v4.new_code_cell("\n".join(pending)))
            pending.clear()

    for example in block.examples():
        if example.exc_msg is None:
            pending.append(example.source.rstrip())
            continue
        flush()
        cell = nbformat.v4.new_code_cell(example.source.rstrip())
        cell.metadata["tags"] = ["raises-exception"]
        cells.append(cell)
    flush()
    return cells


def _add_markdown(
    cells: list, chapter: str, start: int, end: int, source_name: str
) -> None:
    try:
        text = directives.expand(chapter[start:end], download_url=lambda n: f"v{n}.py")
    except directives.DirectiveError as error:
        raise error.located(source_name, chapter.count("\n", 0, start)) from None
    text = _plain_markdown(_COMMENT.sub("", text)).strip()
    if text:
        cells.append(nbformat.v4.new_markdown_cell(text))


def _plain_markdown(text: str) -> str:
    """Rewrite admonitions and tabs, which Jupyter does not know, as plain text.

    Their bodies are indented; Jupyter would show them as code, so the body is
    dedented under a bold title.
    """
    out: list[str] = []
    body_indent: int | None = None
    for line in text.splitlines():
        match = _ADMONITION.match(line) or _TAB.match(line)
        if match:
            title = match["title"] or ""
            out.append(f"**{title}**" if title else "")
            body_indent = len(match["indent"]) + 4
            continue
        if body_indent is not None:
            stripped = line.lstrip()
            indent = len(line) - len(stripped)
            if stripped and indent < body_indent:
                body_indent = None
            else:
                line = line[body_indent:] if len(line) >= body_indent else stripped
        out.append(_ATTRIBUTES.sub("", line))
    return "\n".join(out)
