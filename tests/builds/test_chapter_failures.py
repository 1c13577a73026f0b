"""A broken chapter stops both pytest and the build, and says where.

The book promises that one parser serves pytest and `mkdocs build`, so a
page that fails one fails the other. These tests break a page on purpose,
in a folder of its own, and read what each tool says: the file and the line
must be named, not only the exception.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, make_book, mkdocs_build, run_bounded

# A good block, then a failing one. Numbers are the file's line numbers.
BROKEN = """\
# A broken chapter

Some prose.

```python
>>> from micrograd.versions.v8 import Value
>>> a = Value(2.0)
>>> round((a * a).data, 1)
4.0

```

```python
b = a * 3
c = a.relu()
```
"""
SCRIPT_FENCE_LINE = 13  # the opening ```python of the failing block
SCRIPT_FAILING_LINE = 15  # c = a.relu(): version 8 has no relu

# A doctest whose expected output is wrong.
WRONG_OUTPUT = """\
# Another broken chapter

```python
>>> from micrograd.versions.v8 import Value
>>> a = Value(2.0)
>>> (a * a).data
4.0
>>> (a + a).data
5.0

```
"""
DOCTEST_LINE = 8  # the >>> line whose output does not match

CONFTEST = """\
from sybil import Sybil

from bookbuild.chapters import PARSERS

pytest_collect_file = Sybil(parsers=PARSERS, patterns=["*.md"]).pytest()
"""


def _line(text: str, number: int) -> str:
    return text.splitlines()[number - 1]


def test_the_line_numbers_above_point_where_they_say() -> None:
    assert _line(BROKEN, SCRIPT_FENCE_LINE) == "```python"
    assert _line(BROKEN, SCRIPT_FAILING_LINE) == "c = a.relu()"
    assert _line(WRONG_OUTPUT, DOCTEST_LINE) == ">>> (a + a).data"


# ---- pytest --------------------------------------------------------------------


def _pytest_in(folder: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return run_bounded(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rf"],
        120,
        cwd=folder,
        env=env,
    )


def test_pytest_fails_naming_the_file_and_the_failing_line(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "broken.md").write_text(BROKEN)
    result = _pytest_in(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    # The three examples of the good doctest pass; the script block fails.
    assert "1 failed, 3 passed" in output, output
    assert f"broken.md:{SCRIPT_FAILING_LINE}: AttributeError" in output, output
    assert "'Value' object has no attribute 'relu'" in output


def test_pytest_fails_on_a_wrong_doctest_output(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "wrong.md").write_text(WRONG_OUTPUT)
    result = _pytest_in(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"wrong.md, line {DOCTEST_LINE}" in output, output
    assert "Expected:\n    5.0\nGot:\n    4.0" in output


# ---- mkdocs build -------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "lines", "error"),
    [
        (
            BROKEN,
            # The build names the failing statement, as pytest does.
            (SCRIPT_FAILING_LINE,),
            "AttributeError: 'Value' object has no attribute 'relu'",
        ),
        (WRONG_OUTPUT, (DOCTEST_LINE,), "SybilFailure"),
    ],
    ids=["failing block", "wrong output"],
)
def test_the_build_fails_naming_the_file_and_line(
    tmp_path: Path, page: str, lines: tuple[int, ...], error: str
) -> None:
    project = make_book(tmp_path, {"index.md": "# Home\n", "broken.md": page})
    result = mkdocs_build(tmp_path / "site", cwd=project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    # Outside the repository the hooks name the page by its full path, in
    # the format f"{path}:{line}: example failed: {type}: {detail}".
    named = [f"docs/broken.md:{n}: example failed: {error}" for n in lines]
    assert any(text in output for text in named), output
    assert "Aborted with a BuildError" in output
    assert not (tmp_path / "site" / "broken" / "index.html").exists()


def test_a_page_inside_the_repository_is_named_relative_to_it(tmp_path: Path) -> None:
    # The book's own pages are named from the repository root, as a reader
    # finds them in an editor (docs/chapters/...). A throwaway project under
    # build/, which git ignores, stands in for the book.
    scratch = ROOT / "build" / f"broken-page-test-{os.getpid()}-{tmp_path.name}"
    try:
        project = make_book(scratch, {"index.md": "# Home\n", "broken.md": BROKEN})
        result = mkdocs_build(tmp_path / "site", cwd=project)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    relative = (scratch / "docs" / "broken.md").relative_to(ROOT)
    assert result.returncode != 0
    named = [
        f"ERROR   -  {relative}:{n}: example failed: "
        for n in (SCRIPT_FAILING_LINE,)
    ]
    assert any(text in result.stderr for text in named), result.stderr


def test_a_broken_link_fails_the_strict_build(tmp_path: Path) -> None:
    page = "# Links\n\nSee [the next chapter](chapters/missing.md).\n"
    project = make_book(tmp_path, {"index.md": "# Home\n", "links.md": page})
    lenient = mkdocs_build(tmp_path / "site", cwd=project)
    assert lenient.returncode == 0, lenient.stderr
    assert "WARNING" in lenient.stderr
    strict = mkdocs_build(tmp_path / "site", "--strict", cwd=project)
    assert strict.returncode != 0
    assert (
        "Doc file 'links.md' contains a link 'chapters/missing.md', "
        "but the target is not found among documentation files."
    ) in strict.stderr
    assert "Aborted with 1 warnings in strict mode!" in strict.stdout + strict.stderr
