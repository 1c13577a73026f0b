"""Which examples a reader can run in the page, decided at build time.

The browser runs Python with only the standard library, `micrograd` and the
`graphviz` package it draws with. A block that imports anything else (numpy,
matplotlib, torch) cannot run there, and neither can a later block that uses
a name only such a block defined. Every Python block the book runs gets its
verdict written onto its HTML as data attributes, which the page's script
reads:

* ``data-mg-run``: ``doctest`` or ``script`` when the block runs, ``no`` when
  it does not;
* ``data-mg-reason``: why not, for a block that does not run;
* ``data-mg-line``: the line of the block's opening fence in its Markdown
  file, which names the block (as in pytest and the build);
* ``data-mg-index``: the block's position among the page's Python blocks;
* ``data-mg-file``: the Markdown file, for the local test command;
* ``data-mg-prelude``: for a block that does not run, its imports of what
  the browser has, run in its place;
* ``data-mg-exercise`` and ``data-mg-checks``: on an exercise's starter, its
  name and the checks the page's Check button runs (the starter is not run
  as part of the page: it is the reader's to edit);
* ``data-mg-source``: the code as the book runs it, where the page shows it
  with doctest directive comments (``# doctest: +ELLIPSIS``) taken out.

`mark` also takes the exercises' hidden comments (checks, mistakes) out of
the Markdown: the page carries the checks on the starter block instead.
"""

from __future__ import annotations

import ast
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from bookbuild import content

#: Top-level packages the browser has besides the standard library.
AVAILABLE = frozenset({"micrograd", "graphviz"})

_MARK = '<span class="mg-runmark" {attributes}></span>'
_MARK_BEFORE_BLOCK = re.compile(
    r'<p><span class="mg-runmark" ([^>]*)></span></p>\s*'
    r'<div class="language-python highlight">'
)


@dataclass(frozen=True)
class Verdict:
    """What the page gets for one Python block."""

    block: content.Block
    reason: str = ""  # empty when the block runs in the browser
    #: For a block that does not run: its imports of what the browser has,
    #: run in its place so that later blocks find the names they import.
    prelude: str = ""
    #: For an exercise's starter: the exercise's checks.
    checks: str = ""

    @property
    def runs(self) -> bool:
        return not self.reason

    def attributes(self, file: str) -> dict[str, str]:
        block = self.block
        found = {
            "data-mg-run": block.kind if self.runs else "no",
            "data-mg-line": str(block.line),
            "data-mg-index": str(block.index),
            "data-mg-file": file,
        }
        if not self.runs:
            found["data-mg-reason"] = self.reason
        if self.prelude:
            found["data-mg-prelude"] = self.prelude
        if block.exercise:
            found["data-mg-exercise"] = block.exercise
            found["data-mg-checks"] = self.checks
        if _DIRECTIVE_COMMENT.search(block.source):
            found["data-mg-source"] = block.source.rstrip("\n")
        return found


def blocks(chapter: content.Chapter) -> list[Verdict]:
    """The verdict on every Python block of a chapter, in order."""
    found: list[Verdict] = []
    # Names a block that cannot run would have defined, and why it cannot.
    unavailable: dict[str, str] = {}
    for block in chapter.blocks:
        try:
            tree = ast.parse(block.code)
        except SyntaxError:
            tree = ast.Module(body=[], type_ignores=[])
        reason = cause = ""
        if block.never_runs:
            reason = block.never_runs
            cause = "the book does not run"
        missing = sorted(_imported(tree) - AVAILABLE - set(sys.stdlib_module_names))
        if missing and not reason:
            cause = f"needs {_and(missing)}"
            reason = f"{cause}, which the browser does not have"
        prelude = _available_imports(tree) if reason else []
        bound = _bound(tree) - _bound(ast.Module(body=prelude, type_ignores=[]))
        if not reason:
            for name in sorted(_loaded(tree) - bound):
                if name in unavailable:
                    # Named after the first block of the chain, not the last.
                    cause = unavailable[name]
                    reason = f"uses {name}, made by a block that {cause}"
                    prelude = []
                    break
        if not block.exercise:
            # A starter never runs as part of the page; what it defines
            # comes from the reader.
            for name in bound:
                if reason:
                    unavailable.setdefault(name, cause)
                else:
                    unavailable.pop(name, None)
        checks = chapter.exercise(block.exercise).checks if block.exercise else ""
        found.append(
            Verdict(block, reason, "\n".join(map(ast.unparse, prelude)), checks)
        )
    return found


#: A doctest directive comment at the end of a ``>>>`` or ``...`` line.
_DIRECTIVE_COMMENT = re.compile(r"[ \t]*#[ \t]*doctest:[^\n]*$", re.MULTILINE)


Edit = tuple[int, int, str]


def page_edits(chapter: content.Chapter, file: str) -> list[Edit]:
    """What the page's Markdown needs, as (start, end, replacement) in the
    chapter's text: a marker before every Python block carrying its verdict,
    doctest directive comments hidden, the exercises' hidden comments out."""
    edits: list[Edit] = []
    for verdict in blocks(chapter):
        block = verdict.block
        line_start = chapter.text.rfind("\n", 0, block.start) + 1
        attributes = " ".join(
            f'{name}="{_attribute(value)}"'
            for name, value in verdict.attributes(file).items()
        )
        # A block inside an admonition or a tab: the marker must be inside too.
        marker = f"{block.indent}{_MARK.format(attributes=attributes)}\n\n"
        edits.append((line_start, line_start, marker))
        if block.kind == "doctest":
            found = _DIRECTIVE_COMMENT.finditer(chapter.text, block.start, block.end)
            edits.extend((match.start(), match.end(), "") for match in found)
    edits.extend((start, end, "") for start, end in chapter.hidden)
    return edits


def apply(text: str, edits: list[Edit], start: int = 0) -> str:
    """`text[start:]` with `edits` (in the coordinates of `text`) made."""
    pieces: list[str] = []
    position = start
    for begin, end, replacement in sorted(edits, key=lambda edit: edit[:2]):
        pieces.append(text[position:begin])
        pieces.append(replacement)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def mark(markdown: str, source_path: Path, file: str) -> str:
    """`markdown` (the text of `source_path` without its front matter) with
    `page_edits` made."""
    chapter = content.read(source_path)
    shift = len(chapter.text) - len(markdown)
    if shift < 0 or chapter.text[shift:] != markdown:
        raise ValueError(
            f"{file}: the page's Markdown was changed before the book's hooks saw "
            "it; its blocks cannot be matched to their lines"
        )
    return apply(chapter.text, page_edits(chapter, file), shift)


def attach(page_html: str) -> str:
    """Move each marker's attributes onto the code block that follows it."""
    return _MARK_BEFORE_BLOCK.sub(
        lambda m: f'<div class="language-python highlight" {m[1]}>', page_html
    )


def _attribute(value: str) -> str:
    """`value` escaped for an HTML attribute, with the characters Markdown
    would turn into emphasis or code written as character references."""
    escaped = html.escape(value, quote=True)
    for character in "_*`\\[]":
        escaped = escaped.replace(character, f"&#{ord(character)};")
    return escaped.replace("\n", "&#10;")


def _available_imports(tree: ast.Module) -> list[ast.stmt]:
    """The block's top-level imports of modules the browser has."""
    return [
        statement
        for statement in tree.body
        if isinstance(statement, ast.Import | ast.ImportFrom)
        and _imported(statement) <= AVAILABLE | set(sys.stdlib_module_names)
    ]


def _imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _bound(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update(
                (alias.asname or alias.name).split(".")[0] for alias in node.names
            )
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
    return names


def _loaded(tree: ast.AST) -> set[str]:
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


def _and(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]
