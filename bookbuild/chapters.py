"""A chapter as Sybil examples: what pytest collects and the build runs.

The chapter is parsed once, by `bookbuild.content`; this module turns that
parse into Sybil regions, each run through `bookbuild.blockrun` (the same
functions the reader's page calls) within the limits of `bookbuild.guard`:

* a script block runs with `blockrun.run_script`; the value of its last
  expression is kept (`block_values`), so the build can draw a graph under
  the block;
* each ``>>>`` example of a doctest block runs with `blockrun.run_example`,
  checked by Sybil's own checker, with no doctest flags unless the example
  asks for one;
* an exercise is checked where its ``<!-- check: -->`` comment stands: its
  solution must pass, its starter fail, each mistake fail with its
  ``says:`` text (`bookbuild.exercises`);
* ``<!-- skip: ... -->`` comments skip as Sybil's skip parser does;
* snapshot directives (`bookbuild.directives`) that name nothing fail.

All examples of a chapter share one namespace and run top to bottom.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sybil import Document, Example, Region, Sybil
from sybil.evaluators.skip import Skipper

from bookbuild import blockrun, content, directives, exercises, guard, outputs

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"

#: Attribute of a Sybil document holding the value each script block ended
#: with, by the line of its opening fence.
_BLOCK_VALUES = "book_block_values"


def block_values(document: Document) -> dict[int, Any]:
    """The values that script blocks of `document` ended with, by the line of
    their opening fence (a block's identity everywhere: pytest, the build's
    workers and the page)."""
    values = getattr(document, _BLOCK_VALUES, None)
    if values is None:
        values = {}
        setattr(document, _BLOCK_VALUES, values)
    return values


# ---- evaluators ----------------------------------------------------------------


def _run_script(example: Example) -> None:
    __tracebackhide__ = True
    block: content.Block = example.parsed
    value = blockrun.run_script(
        block.source, example.namespace, example.path, block.first_code_line
    )
    if outputs.is_displayable(value):
        # Rendering here too means a graph that cannot be drawn fails the
        # tests, not only the build.
        outputs.check_renders(value)
    block_values(example.document)[block.line] = value


def _run_doctest_example(example: Example) -> str:
    __tracebackhide__ = True
    return blockrun.run_example(example.parsed, example.namespace, example.path).report


def _check_directive(example: Example) -> None:
    __tracebackhide__ = True
    try:
        directives.expand(example.parsed.strip() + "\n", download_url=str)
    except directives.DirectiveError as error:
        raise error.located(example.path, example.line - 1) from None


def _guarded(evaluator: Callable[[Example], Any]) -> Callable[[Example], Any]:
    def evaluate(example: Example) -> Any:
        __tracebackhide__ = True
        with guard.guarded(example.path, example.line):
            return evaluator(example)

    return evaluate


_SCRIPT = _guarded(_run_script)
_DOCTEST = _guarded(_run_doctest_example)
_EXERCISE = _guarded(exercises.check_at_its_comment)
_SKIPPER = Skipper("skip")


# ---- the parser ------------------------------------------------------------------


def regions(chapter: content.Chapter) -> Iterator[Region]:
    """The Sybil regions of a parsed chapter, in any order."""
    line_starts = [0]
    for index, char in enumerate(chapter.text):
        if char == "\n":
            line_starts.append(index + 1)
    for block in chapter.blocks:
        if block.exercise:
            yield Region(
                block.start,
                block.end,
                chapter.exercise(block.exercise),
                exercises.keep_namespace,
            )
        elif block.kind == "script":
            yield Region(block.start, block.end, block, _SCRIPT)
        else:
            yield from _doctest_regions(block, line_starts)
    for exercise in chapter.exercises:
        yield Region(exercise.checks_start, exercise.checks_end, exercise, _EXERCISE)
    for skip in chapter.skips:
        yield Region(skip.start, skip.end, (skip.action, skip.condition), _SKIPPER)
    for match in directives.DIRECTIVE.finditer(chapter.text):
        yield Region(match.start(), match.end(), match[0], _check_directive)


def _doctest_regions(block: content.Block, line_starts: list[int]) -> Iterator[Region]:
    """One region per ``>>>`` example, starting at its own line of the file
    (so pytest names the line of the failing statement)."""
    examples = block.examples()
    for number, example in enumerate(examples):
        line = block.first_code_line + example.lineno
        start = line_starts[line - 1] + len(block.indent)
        if number + 1 < len(examples):
            following = block.first_code_line + examples[number + 1].lineno
            end = line_starts[following - 1]
        else:
            end = block.end
        yield Region(start, end, example, _DOCTEST)


class ChapterParser:
    """A Sybil parser that reads the chapter through `bookbuild.content`."""

    def __call__(self, document: Document) -> Iterator[Region]:
        try:
            chapter = content.read(document.path)
        except (OSError, content.ContentError):
            chapter = None
        if chapter is None or chapter.text != document.text:
            chapter = content.parse(document.text, document.path)
        yield from regions(chapter)


PARSERS = [ChapterParser()]

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
    """A chapter's text as a Sybil document, as pytest collects it."""
    document = Document(text, str(path))
    for parser in PARSERS:
        for region in parser(document):
            document.add(region)
    return document


def chapter_files(docs_dir: Path = DOCS_DIR) -> list[Path]:
    """Every Markdown page under `docs_dir` with at least one runnable block."""
    return sorted(
        path
        for path in Path(docs_dir).rglob("*.md")
        if content.has_blocks(path.read_text(encoding="utf-8"))
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
