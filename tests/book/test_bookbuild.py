"""The book's tooling: the chapter parser and the snapshot directives."""

from __future__ import annotations

import subprocess
import sys
import unittest
from pathlib import Path

import pytest

from bookbuild import chapters, content, directives
from micrograd import versions
from micrograd.viz import Graph

ROOT = Path(__file__).resolve().parents[2]


def run_all(text: str) -> chapters.Document:
    document = chapters.parse(text, "/tmp/chapter.md")
    for example in document.examples():
        try:
            example.evaluate()
        except unittest.SkipTest:
            pass
    return document


def test_blocks_share_one_namespace_and_keep_their_last_value() -> None:
    text = (
        "```python\nfrom micrograd.versions.v2 import Value\n"
        "x = Value(2.0) * Value(3.0)\n```\n\n"
        "```python\nfrom micrograd.viz import draw_dot\ndraw_dot(x)\n```\n"
    )
    document = run_all(text)
    values = list(chapters.block_values(document).values())
    assert values[0] is None
    assert isinstance(values[1], Graph)


def test_doctests_compare_outputs() -> None:
    document = chapters.parse("```python\n>>> 1 + 1\n3\n\n```\n", "/tmp/c.md")
    (example,) = document.examples()
    with pytest.raises(Exception, match="Expected:\\s+3\\s+Got:\\s+2"):
        example.evaluate()


def test_display_only_fences_never_run() -> None:
    text = '```python title="broken.py"\nraise RuntimeError\n```\n'
    assert list(chapters.parse(text, "/tmp/c.md").examples()) == []
    assert content.parse(text, "/tmp/c.md").blocks == ()


def test_a_skip_needs_and_keeps_its_reason() -> None:
    text = (
        '<!-- skip: next if(True, reason="needs a thing") -->\n\n'
        "```python\nraise RuntimeError\n```\n"
    )
    document = chapters.parse(text, "/tmp/c.md")
    skip, block = document.examples()
    skip.evaluate()
    with pytest.raises(unittest.SkipTest, match="needs a thing"):
        block.evaluate()


def test_an_error_names_the_chapter_line() -> None:
    text = "# T\n\n```python\nx = 1\n```\n\n```python\ny = 1\nundefined_name\n```\n"
    document = chapters.parse(text, "/tmp/c.md")
    first, second = document.examples()
    first.evaluate()
    assert second.line == 7
    with pytest.raises(NameError) as info:
        second.evaluate()
    frames = [f for f in info.traceback if str(f.path) == "/tmp/c.md"]
    assert frames and frames[-1].lineno + 1 == 9


def test_snapshot_directive_shows_the_file_and_a_download() -> None:
    out = directives.expand(
        "<!-- snapshot: 4 -->\n", download_url=lambda n: f"d/v{n}.py"
    )
    # Inside the fold every line is indented by four spaces.
    unindented = "\n".join(line[4:] for line in out.splitlines())
    assert versions.source(4).rstrip() in unindented
    assert 'href="d/v4.py"' in out and 'download="v4.py"' in out


def test_snapshot_directive_folds_the_file_but_not_the_download() -> None:
    out = directives.expand("<!-- snapshot: 4 -->\n", download_url=str)
    folded, after = out.split("\n\n<a ", 1)
    assert folded.startswith('??? example "The whole of micrograd/versions/v4.py"')
    body = folded.split("\n", 2)[2]
    assert all(not line or line.startswith("    ") for line in body.splitlines())
    assert 'class="md-button mg-download"' in after


def test_diff_directive_is_the_generated_code_diff() -> None:
    out = directives.expand("<!-- diff: 6 7 -->\n", download_url=str)
    assert versions.diff(6, 7, code_only=True).rstrip() in out
    assert out.startswith('```diff title="v6.py → v7.py, code only"')
    # The docstring of v7 talks about "+=", but only code may show up.
    assert "What it changes" not in out


def test_source_directive_cuts_named_parts_from_the_file() -> None:
    out = directives.expand("<!-- source: 5 Value.__add__ -->\n", download_url=str)
    lines = versions.source(5).splitlines()
    start = next(i for i, line in enumerate(lines) if "def __add__" in line)
    assert "\n".join(lines[start : start + 3]) in out
    assert out.splitlines()[1] == "class Value:"
    assert "def __mul__" not in out


def test_source_directive_quotes_the_library_too() -> None:
    out = directives.expand(
        "<!-- source: engine topological_order Value.__mul__ Value._mul -->\n",
        download_url=str,
    )
    assert out.startswith('```python title="from micrograd/engine.py"')
    text = (ROOT / "micrograd" / "engine.py").read_text()
    start = text.index("def topological_order(")
    end = text.index("    return order\n", start) + len("    return order")
    assert text[start:end] in out
    # Methods come under one class line, each with its decorators.
    assert out.count("class Value:") == 1
    assert "    @staticmethod\n    @_shown_as(\"*\")\n    def _mul(" in out
    assert "def __add__" not in out


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        ("<!-- snapshot: 9 -->", "no snapshot v9"),
        ("<!-- source: engine Value.nothing -->", "engine.py has no Value.nothing"),
        ("<!-- source: engine -->", "names no part of engine.py"),
        ("<!-- snapshot: x -->", "expected one snapshot number"),
        ("<!-- diff: 1 -->", "expected two snapshot numbers"),
        ("<!-- source: 5 Value.nothing -->", "v5.py has no Value.nothing"),
        ("<!-- source: 5 -->", "names no part"),
    ],
)
def test_a_bad_directive_is_refused_by_name(directive: str, message: str) -> None:
    with pytest.raises((directives.DirectiveError, LookupError), match=message):
        directives.expand(directive + "\n", download_url=str)


@pytest.mark.slow
def test_a_raised_recursion_limit_does_not_reach_the_chapters(tmp_path: Path) -> None:
    """The build runs each chapter in a new interpreter; pytest runs them after
    other tests, one of which may have raised Python's recursion limit. The
    chapters that show a RecursionError must show it either way."""
    raiser = tmp_path / "test_raise_limit.py"
    raiser.write_text(
        "import sys\n\n\ndef test_raise() -> None:\n"
        "    sys.setrecursionlimit(250_000)\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--rootdir", str(ROOT), str(raiser), "docs/chapters/12-complete-library.md"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:]
