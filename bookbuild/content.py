"""A chapter as the book reads it: parsed once, then read by pytest, the
build and the page.

A chapter is a Markdown file. `read` parses it into a `Chapter`: its Python
blocks, the skip comments that govern them, and its exercises. Everything
else (the Sybil examples pytest runs, the build's pre-run, the notebook, the
verdict on which blocks run in the reader's browser) is derived from that one
parse, so the three places cannot see different blocks.

* A fence whose info string is exactly ``python`` is a block; one with
  anything more (```` ```python title="v5.py" ````) is display-only and
  never runs.
* A block whose code starts with ``>>>`` is a doctest, any other a script.
* A block is known everywhere by `Block.line`, the file line of its opening
  fence.
* ``<!-- skip: next if(...) -->`` (Sybil's own directive) skips what follows.
* ``<!-- exercise: NAME -->``, ``<!-- check: NAME ... -->``,
  ``<!-- mistake: NAME ... -->`` and ``<!-- solution: NAME -->`` make an
  exercise (CONTRIBUTING.md, "Exercises").

This module imports only the standard library and Sybil's lexers.
"""

from __future__ import annotations

import doctest
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from sybil import Document
from sybil.parsers.markdown.lexers import (
    DirectiveInHTMLCommentLexer,
    FencedCodeBlockLexer,
)


class ContentError(ValueError):
    """A chapter is written wrongly; the message names its file and line."""


@dataclass(frozen=True)
class Skip:
    """A ``<!-- skip: ... -->`` comment."""

    start: int
    end: int
    line: int
    action: str  # "next", "start" or "end"
    condition: str | None  # the text after the action, e.g. 'if(not HAS_TORCH, ...)'


@dataclass(frozen=True)
class Block:
    """One runnable Python block of a chapter."""

    index: int
    #: The file line of the opening fence: a block's identity everywhere.
    line: int
    #: Offsets of the whole fence (opening to closing line) in the text.
    start: int
    end: int
    #: Offset of the code inside the fence and the code, without the
    #: indentation of the fence (a block inside an admonition is indented).
    source_start: int
    source: str
    indent: str
    #: The exercise this block is the starter of, or "".
    exercise: str = ""
    #: The exercise this block is the solution of, or "".
    solution_of: str = ""
    #: Why the book never runs this block ("" when it does, or when a skip
    #: depends on a condition known only when the chapter runs).
    never_runs: str = ""

    @property
    def kind(self) -> str:
        return "doctest" if self.source.lstrip().startswith(">>>") else "script"

    @property
    def first_code_line(self) -> int:
        return self.line + 1

    def examples(self) -> list[doctest.Example]:
        """The doctest examples of a doctest block ([] for a script)."""
        if self.kind != "doctest":
            return []
        return doctest.DocTestParser().get_examples(self.source)

    @property
    def code(self) -> str:
        """What the block runs: a script's source, a doctest's statements."""
        if self.kind == "script":
            return self.source
        return "".join(example.source for example in self.examples())


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer to an exercise, and what the checks must say."""

    says: str
    code: str
    line: int


@dataclass(frozen=True)
class Exercise:
    """An exercise: a starter the reader edits, hidden checks, mistakes."""

    name: str
    #: The line of the ``<!-- exercise: NAME -->`` comment.
    line: int
    starter: Block
    checks: str
    #: The first line of the checks' code in the file.
    checks_line: int
    #: Offsets of the ``<!-- check: ... -->`` comment.
    checks_start: int
    checks_end: int
    mistakes: tuple[Mistake, ...]
    solution: Block | None


@dataclass(frozen=True)
class Chapter:
    path: Path
    text: str
    blocks: tuple[Block, ...]
    skips: tuple[Skip, ...]
    exercises: tuple[Exercise, ...] = ()
    #: Offsets of the exercise comments (check, mistake and the one-line
    #: markers), which the page does not show.
    hidden: tuple[tuple[int, int], ...] = field(default=())

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def exercise(self, name: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.name == name:
                return exercise
        raise KeyError(name)


_MARKER = re.compile(
    r"^(?P<indent>[ \t]*)<!--[ \t]*(?P<kind>exercise|solution):[ \t]*(?P<name>\S*)"
    r"[ \t]*-->[ \t]*$",
    re.MULTILINE,
)
_CODE_COMMENT = re.compile(
    r"^(?P<indent>[ \t]*)<!--[ \t]*(?P<kind>check|mistake):[ \t]*(?P<name>\S*)"
    r"[ \t]*\n(?P<body>.*?)^[ \t]*-->[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SAYS = re.compile(r"says:[ \t]*(?P<text>.+)")


def parse(text: str, path: str | Path) -> Chapter:
    """Parse a chapter's text (the whole file, front matter included)."""
    path = Path(path)
    document = Document(text, str(path))
    skips = tuple(_skips(document, text))
    blocks = list(_blocks(document, text))
    exercises, hidden = _exercises(text, path, blocks)
    blocks = _with_never_runs(blocks, skips)
    return Chapter(path, text, tuple(blocks), skips, exercises, hidden)


_cache: dict[Path, tuple[tuple[int, int], Chapter]] = {}


def read(path: str | Path) -> Chapter:
    """The parsed chapter at `path`, parsed again only when the file changed."""
    resolved = Path(path).resolve()
    stat = resolved.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(resolved)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    chapter = parse(resolved.read_text(encoding="utf-8"), path)
    _cache[resolved] = (stamp, chapter)
    return chapter


def has_blocks(text: str) -> bool:
    """Whether a page has any runnable Python block."""
    return any(True for _ in _fences(Document(text, "<page>"), text))


def _fences(document: Document, text: str):
    lexer = FencedCodeBlockLexer(language=r".+")
    for region in lexer(document):
        if region.lexemes["language"] == "python":
            yield region


def _blocks(document: Document, text: str):
    for index, region in enumerate(_fences(document, text)):
        source = region.lexemes["source"]
        line_start = text.rfind("\n", 0, region.start) + 1
        opening = text[line_start : text.find("\n", region.start)]
        indent = opening[: len(opening) - len(opening.lstrip(" \t"))]
        yield Block(
            index=index,
            line=text.count("\n", 0, region.start) + 1,
            start=region.start,
            end=region.end,
            source_start=region.start + source.offset,
            source=str(source),
            indent=indent,
        )


def _skips(document: Document, text: str):
    lexer = DirectiveInHTMLCommentLexer(directive="skip")
    for region in lexer(document):
        arguments = (region.lexemes.get("arguments") or "").strip()
        action, _, condition = arguments.partition(" ")
        yield Skip(
            region.start,
            region.end,
            text.count("\n", 0, region.start) + 1,
            action,
            condition.strip() or None,
        )


_NEVER_RUNS = "the book itself does not run this block"


def _with_never_runs(blocks: list[Block], skips: tuple[Skip, ...]) -> list[Block]:
    """Mark the blocks an unconditional skip covers (a conditional one is
    decided when the chapter runs)."""
    stretches: list[tuple[int, int]] = []
    opened: int | None = None
    for skip in skips:
        if skip.action == "start" and not skip.condition:
            opened = skip.end
        elif skip.action == "end" and opened is not None:
            stretches.append((opened, skip.start))
            opened = None
        elif skip.action == "next" and not skip.condition:
            following = [block.start for block in blocks if block.start >= skip.end]
            if following:
                stretches.append((following[0], following[0] + 1))
    marked = []
    for block in blocks:
        if any(start <= block.start < end for start, end in stretches):
            block = _replace(block, never_runs=_NEVER_RUNS)
        marked.append(block)
    return marked


def _replace(block: Block, **changes: str) -> Block:
    values = {name: getattr(block, name) for name in Block.__dataclass_fields__}
    values.update(changes)
    return Block(**values)


def _exercises(
    text: str, path: Path, blocks: list[Block]
) -> tuple[tuple[Exercise, ...], tuple[tuple[int, int], ...]]:
    def fail(offset: int, message: str) -> ContentError:
        return ContentError(f"{path}:{text.count(chr(10), 0, offset) + 1}: {message}")

    def block_after(match: re.Match) -> int:
        """The index of the block whose fence follows `match`, with nothing
        but blank lines between them."""
        for position, block in enumerate(blocks):
            if block.start > match.end():
                if not text[match.end() : block.start].strip():
                    return position
                break
        raise fail(
            match.start(),
            f"<!-- {match['kind']}: {match['name']} --> must come right before a "
            "```python block",
        )

    hidden: list[tuple[int, int]] = []
    starters: dict[str, tuple[int, int]] = {}
    solutions: dict[str, int] = {}
    for match in _MARKER.finditer(text):
        name = match["name"]
        if not _NAME.fullmatch(name):
            raise fail(
                match.start(),
                f"exercise name {name!r}: use lowercase letters, digits and hyphens",
            )
        position = block_after(match)
        hidden.append((match.start(), match.end()))
        if match["kind"] == "exercise":
            if name in starters:
                raise fail(match.start(), f"a second exercise named {name!r}")
            if blocks[position].kind != "script":
                raise fail(
                    match.start(),
                    f"the starter of exercise {name!r} must be a script, not a doctest",
                )
            starters[name] = (position, match.start())
            blocks[position] = _replace(blocks[position], exercise=name)
        else:
            if name in solutions:
                raise fail(match.start(), f"a second solution of {name!r}")
            solutions[name] = position
            blocks[position] = _replace(blocks[position], solution_of=name)

    checks: dict[str, tuple[str, int, int, int]] = {}
    mistakes: dict[str, list[Mistake]] = {name: [] for name in starters}
    for match in _CODE_COMMENT.finditer(text):
        name = match["name"]
        if name not in starters:
            raise fail(
                match.start(),
                f"<!-- {match['kind']}: {name} --> names no exercise of this "
                "chapter (an exercise is opened by <!-- exercise: NAME --> before "
                "its starter block)",
            )
        body = textwrap.dedent(match["body"])
        body_line = text.count("\n", 0, match.start("body")) + 1
        hidden.append((match.start(), match.end()))
        if match["kind"] == "check":
            if name in checks:
                raise fail(match.start(), f"a second check of {name!r}")
            checks[name] = (body, body_line, match.start(), match.end())
            continue
        first, _, code = body.partition("\n")
        says = _SAYS.fullmatch(first.strip())
        if says is None:
            raise fail(
                match.start(),
                f"the mistake of {name!r} must start with a line 'says: TEXT', the "
                "part of the checks' message this mistake must give",
            )
        mistakes[name].append(Mistake(says["text"].strip(), code, body_line + 1))

    exercises = []
    for name, (position, marker) in starters.items():
        if name not in checks:
            raise fail(marker, f"exercise {name!r} has no <!-- check: {name} ... -->")
        if not mistakes[name]:
            raise fail(
                marker,
                f"exercise {name!r} has no <!-- mistake: {name} ... -->: give at "
                "least one typical wrong answer",
            )
        body, body_line, start, end = checks[name]
        solution = solutions.pop(name, None)
        exercises.append(
            Exercise(
                name=name,
                line=text.count("\n", 0, marker) + 1,
                starter=blocks[position],
                checks=body,
                checks_line=body_line,
                checks_start=start,
                checks_end=end,
                mistakes=tuple(mistakes[name]),
                solution=None if solution is None else blocks[solution],
            )
        )
    for name, position in solutions.items():
        raise fail(
            blocks[position].start, f"a solution of {name!r}, which is no exercise"
        )
    return tuple(exercises), tuple(sorted(hidden))
