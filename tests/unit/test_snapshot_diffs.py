"""The diffs the chapters show are their lessons, not rewritten prose.

Each `<!-- diff: A B -->` on a page shows what changed in the code from one
snapshot to the next. These tests read every such directive in the docs and
classify each changed line by what it is in its file: code, a comment, a
blank line or part of a docstring.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bookbuild import directives
from micrograd import versions

DOCS = Path(__file__).resolve().parents[2] / "docs"

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def shown_diffs() -> list[tuple[str, int, int]]:
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        for match in directives.DIRECTIVE.finditer(page.read_text(encoding="utf-8")):
            if match["name"] == "diff":
                old, new = (int(a) for a in match["arguments"].split())
                found.append((page.relative_to(DOCS).as_posix(), old, new))
    return found


DIFFS = shown_diffs()


def changed_lines(old: int, new: int) -> list[tuple[int, int, str]]:
    """(version, line number in that file, text) for each -/+ line shown."""
    changed = []
    old_at = new_at = 0
    for line in versions.diff(old, new, code_only=True).splitlines()[2:]:
        hunk = _HUNK.match(line)
        if hunk:
            old_at, new_at = int(hunk[1]), int(hunk[3])
        elif line.startswith("-"):
            changed.append((old, old_at, line[1:]))
            old_at += 1
        elif line.startswith("+"):
            changed.append((new, new_at, line[1:]))
            new_at += 1
        else:
            old_at += 1
            new_at += 1
    return changed


def docstring_line_numbers(number: int) -> set[int]:
    """Line numbers of every docstring (module, class, function) in a file."""
    tree = ast.parse(versions.source(number))
    numbers: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                numbers.update(range(body[0].lineno, (body[0].end_lineno or 0) + 1))
    return numbers


def kind(number: int, line_number: int, text: str) -> str:
    if line_number in docstring_line_numbers(number):
        return "docstring"
    if not text.strip():
        return "blank"
    if text.strip().startswith("#"):
        return "comment"
    return "code"


def test_the_chapters_show_the_diffs_between_neighbours() -> None:
    shown = {(old, new) for _, old, new in DIFFS}
    assert {(n, n + 1) for n in range(1, len(versions.VERSIONS))} <= shown


@pytest.mark.parametrize(("page", "old", "new"), DIFFS, ids=lambda x: str(x))
def test_hunk_headers_number_the_files_on_disk(page: str, old: int, new: int) -> None:
    # The docstrings are left out of the comparison but not out of the
    # numbering: a number in the diff is a line in the downloadable file.
    lines = {n: versions.source(n).splitlines() for n in (old, new)}
    for number, line_number, text in changed_lines(old, new):
        assert lines[number][line_number - 1] == text, (number, line_number)


@pytest.mark.parametrize(("page", "old", "new"), DIFFS, ids=lambda x: str(x))
def test_each_diff_is_mostly_its_lesson(page: str, old: int, new: int) -> None:
    kinds = [kind(*line) for line in changed_lines(old, new)]
    assert kinds, f"{page}: v{old} -> v{new} shows no change"
    assert "docstring" not in kinds, f"{page}: the diff shows docstring lines"
    # Blank lines come with new methods and closures, so they are not
    # counted. A comment that says why is fine; comments may not be more
    # than a quarter of what changed.
    code, comments = kinds.count("code"), kinds.count("comment")
    assert code > 0 and comments * 4 <= code + comments, (page, old, new, kinds)


def test_the_six_to_seven_diff_is_the_plus_equals_fix_and_nothing_else() -> None:
    changed = changed_lines(6, 7)
    removed = [text for number, _, text in changed if number == 6]
    added = [text for number, _, text in changed if number == 7]
    assert len(removed) == len(added) == 5
    assert added == [line.replace(" = ", " += ", 1) for line in removed]


def test_a_whole_diff_still_has_the_docstrings() -> None:
    # The command line's `diff` compares the files as they are.
    whole = versions.diff(6, 7)
    assert "What it changes" in whole
    assert "What it changes" not in versions.diff(6, 7, code_only=True)
