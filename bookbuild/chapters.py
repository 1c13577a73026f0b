"""The one parser of chapters, shared by pytest (through Sybil) and the build.

A chapter is a Markdown file. Its ```` ```python ```` blocks are examples:

* a block that starts with ``>>>`` is a doctest, its outputs checked;
* any other block runs as a script; if its last statement is an expression,
  the value is kept, so the build can show a graph or a plot under the block;
* ``<!-- skip: next if(condition, reason="...") -->`` skips the next block;
* fences with more than the bare language (```` ```python title="v5.py" ````)
  are display-only and never run.

All examples of a chapter share one namespace and run top to bottom.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sybil import Document, Example, Region, Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser
from sybil.parsers.markdown.codeblock import CodeBlockParser
from sybil.parsers.markdown.lexers import FencedCodeBlockLexer

from bookbuild import directives, guard, outputs

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"

#: No global doctest flags: a page shows exactly what Python printed (trailing
#: whitespace aside, which Sybil ignores). An example that needs ELLIPSIS,
#: NORMALIZE_WHITESPACE or NUMBER asks for it with a directive comment
#: (``# doctest: +ELLIPSIS``), which the page hides.
DOCTEST_FLAGS = 0

#: Attribute of a Sybil document that holds the value each block ended with,
#: keyed by the block's start offset in the text.
_BLOCK_VALUES = "book_block_values"


def run_block(example: Example) -> None:
    """Run a plain Python block; keep the value of a trailing expression."""
    __tracebackhide__ = True
    source = "\n" * (example.line + example.parsed.line_offset) + example.parsed
    tree = ast.parse(source, filename=example.path)
    tail = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        tail = ast.Expression(tree.body.pop().value)
    namespace = example.namespace
    exec(compile(tree, example.path, "exec", dont_inherit=True), namespace)
    value = None
    if tail is not None:
        value = eval(compile(tail, example.path, "eval", dont_inherit=True), namespace)
    namespace.pop("__builtins__", None)
    if outputs.is_displayable(value):
        # Rendering here too means a graph that cannot be drawn fails the
        # tests, not only the build.
        outputs.check_renders(value)
    block_values(example.document)[example.line] = value


def block_values(document: Document) -> dict[int, Any]:
    """The values that blocks of `document` ended with, by the line of their
    opening fence (the identity of a block everywhere: pytest, the build's
    workers and the page)."""
    values = getattr(document, _BLOCK_VALUES, None)
    if values is None:
        values = {}
        setattr(document, _BLOCK_VALUES, values)
    return values


class ChapterCodeParser(PythonCodeBlockParser):
    """Doctest blocks as doctests; other Python blocks through `run_block`.

    Every example runs within the limits of `bookbuild.guard` (time, output,
    no exiting the process).
    """

    def __init__(self) -> None:
        super().__init__(doctest_optionflags=DOCTEST_FLAGS)
        self.codeblock_parser = CodeBlockParser("python", run_block)

    def __call__(self, document: Document) -> Iterator[Region]:
        for region in super().__call__(document):
            region.evaluator = _guarded(region.evaluator)
            yield region


def _guarded(evaluator: Callable[[Example], Any]) -> Callable[[Example], Any]:
    def evaluate(example: Example) -> Any:
        __tracebackhide__ = True
        with guard.guarded(example.path, example.line):
            return evaluator(example)

    return evaluate


class DirectiveParser:
    """Snapshot directives (`bookbuild.directives`) are examples too: a
    directive naming a snapshot or a part that does not exist fails pytest
    at its line, as it fails the build."""

    def __call__(self, document: Document) -> Iterator[Region]:
        for match in directives.DIRECTIVE.finditer(document.text):
            yield Region(match.start(), match.end(), match[0], _check_directive)


def _check_directive(example: Example) -> None:
    __tracebackhide__ = True
    try:
        directives.expand(example.parsed.strip() + "\n", download_url=str)
    except directives.DirectiveError as error:
        raise error.located(example.path, example.line - 1) from None


PARSERS = [ChapterCodeParser(), SkipParser(), DirectiveParser()]

#: Python's recursion limit as the interpreter started, before anything ran.
DEFAULT_RECURSION_LIMIT = sys.getrecursionlimit()


def _as_in_a_fresh_interpreter(namespace: dict[str, Any]) -> None:
    # The build runs each chapter in a new interpreter; pytest runs them in
    # one that other tests have used. Chapters that show a RecursionError
    # need the limit they would have in a new one.
    sys.setrecursionlimit(DEFAULT_RECURSION_LIMIT)


#: What pytest collects: every chapter under docs/.
SYBIL = Sybil(parsers=PARSERS, patterns=["*.md"], setup=_as_in_a_fresh_interpreter)
# Sybil joins a relative path onto this file's folder without resolving "..",
# which then never matches the collected paths; give it the real folder.
SYBIL.path = DOCS_DIR


def parse(text: str, path: str | Path) -> Document:
    """Parse a chapter's text into a Sybil document, as pytest does."""
    document = Document(text, str(path))
    for parser in PARSERS:
        for region in parser(document):
            document.add(region)
    return document


@dataclass(frozen=True)
class Fence:
    """A fenced code block as it appears in the text."""

    start: int
    end: int
    language: str
    source: str

    @property
    def is_doctest(self) -> bool:
        return self.source.lstrip().startswith(">>>")


def python_fences(text: str) -> Iterator[Fence]:
    """The runnable Python fences of a chapter, in order (what Sybil runs)."""
    document = Document(text, "<chapter>")
    lexer = FencedCodeBlockLexer(language=r".+")
    for region in lexer(document):
        language = region.lexemes["language"]
        if language == "python":
            yield Fence(
                region.start, region.end, language, str(region.lexemes["source"])
            )


def chapter_files(docs_dir: Path = DOCS_DIR) -> list[Path]:
    """Every Markdown page under `docs_dir` with at least one runnable block."""
    return sorted(
        path
        for path in Path(docs_dir).rglob("*.md")
        if any(True for _ in python_fences(path.read_text(encoding="utf-8")))
    )


def nav_pages(nav: object) -> list[str]:
    """The source path of every page in an MkDocs `nav`, in nav order."""
    found: list[str] = []

    def walk(entry: object) -> None:
        if isinstance(entry, str):
            found.append(entry)
        elif isinstance(entry, list):
            for item in entry:
                walk(item)
        elif isinstance(entry, dict):
            for value in entry.values():
                walk(value)

    walk(nav or [])
    return found
