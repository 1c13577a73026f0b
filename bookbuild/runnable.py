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
* ``data-mg-line``: the line of the block's first line of code in its
  Markdown file, which names the block and numbers its lines;
* ``data-mg-index``: the block's position among the page's Python blocks;
* ``data-mg-file``: the Markdown file, for the local test command.
"""

from __future__ import annotations

import ast
import doctest
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from bookbuild import chapters

#: Top-level packages the browser has besides the standard library.
AVAILABLE = frozenset({"micrograd", "graphviz"})

_MARK = '<span class="mg-runmark" {attributes}></span>'
_MARK_BEFORE_BLOCK = re.compile(
    r'<p><span class="mg-runmark" ([^>]*)></span></p>\s*'
    r'<div class="language-python highlight">'
)


@dataclass(frozen=True)
class Block:
    """The verdict on one Python block of a page."""

    index: int
    line: int
    kind: str  # "doctest" or "script"
    reason: str = ""  # empty when the block runs in the browser
    #: For a block that does not run: its imports of what the browser has,
    #: run in its place so that later blocks find the names they import.
    prelude: str = ""

    @property
    def runs(self) -> bool:
        return not self.reason

    def attributes(self, file: str) -> dict[str, str]:
        found = {
            "data-mg-run": self.kind if self.runs else "no",
            "data-mg-line": str(self.line),
            "data-mg-index": str(self.index),
            "data-mg-file": file,
        }
        if not self.runs:
            found["data-mg-reason"] = self.reason
        if self.prelude:
            found["data-mg-prelude"] = self.prelude
        return found


def blocks(text: str, path: str | Path) -> list[Block]:
    """The verdict on every Python block of a chapter's text, in order."""
    skipped = _always_skipped(text, path)
    found: list[Block] = []
    # Names a block that cannot run would have defined, and why it cannot.
    unavailable: dict[str, str] = {}
    for index, fence in enumerate(chapters.python_fences(text)):
        line = text.count("\n", 0, fence.start) + 2
        kind = "doctest" if fence.is_doctest else "script"
        code = _code(fence)
        try:
            tree = ast.parse(code)
        except SyntaxError:
            tree = ast.Module(body=[], type_ignores=[])
        reason = cause = ""
        if any(start <= fence.start < end for start, end in skipped):
            reason = "the book itself does not run this block"
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
        for name in bound:
            if reason:
                unavailable.setdefault(name, cause)
            else:
                unavailable.pop(name, None)
        found.append(
            Block(index, line, kind, reason, "\n".join(map(ast.unparse, prelude)))
        )
    return found


def mark(markdown: str, source_path: Path, file: str) -> str:
    """Put a marker before every Python block of `markdown` (the text of
    `source_path` without its front matter) carrying the block's verdict."""
    verdicts = blocks(source_path.read_text(encoding="utf-8"), source_path)
    fences = list(chapters.python_fences(markdown))
    if len(fences) != len(verdicts):
        raise ValueError(
            f"{file}: the page has {len(fences)} Python blocks, "
            f"its file {len(verdicts)}"
        )
    pieces: list[str] = []
    position = 0
    for fence, verdict in zip(fences, verdicts, strict=True):
        line_start = markdown.rfind("\n", 0, fence.start) + 1
        line = markdown[line_start : markdown.find("\n", line_start)]
        # A block inside an admonition or a tab: the marker must be inside too.
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        attributes = " ".join(
            f'{name}="{_attribute(value)}"'
            for name, value in verdict.attributes(file).items()
        )
        pieces.append(markdown[position:line_start])
        pieces.append(f"{indent}{_MARK.format(attributes=attributes)}\n\n")
        position = line_start
    pieces.append(markdown[position:])
    return "".join(pieces)


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


def _code(fence: chapters.Fence) -> str:
    if not fence.is_doctest:
        return fence.source
    examples = doctest.DocTestParser().get_examples(fence.source)
    return "".join(example.source for example in examples)


def _always_skipped(text: str, path: str | Path) -> list[tuple[int, int]]:
    """Stretches of text the book skips unconditionally (`skip: next` or a
    `skip: start` without a condition); conditional skips depend on what is
    installed and are left to the imports to decide."""
    document = chapters.parse(text, path)
    stretches: list[tuple[int, int]] = []
    opened: int | None = None
    for example in document.examples():
        parsed = example.region.parsed
        if not (isinstance(parsed, tuple) and len(parsed) == 2):
            continue
        action, condition = parsed
        if action == "start" and not condition:
            opened = example.region.end
        elif action == "end" and opened is not None:
            stretches.append((opened, example.region.start))
            opened = None
        elif action == "next" and not condition:
            following = [
                fence.start
                for fence in chapters.python_fences(text)
                if fence.start >= example.region.end
            ]
            if following:
                stretches.append((following[0], following[0] + 1))
    return stretches


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
