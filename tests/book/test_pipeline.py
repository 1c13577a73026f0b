"""One parse, one runner, one checker: what pytest, the build and the page
share (bookbuild.content, bookbuild.blockrun, bookbuild.chapters)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import ROOT
from sybil import Document
from sybil.parsers.markdown import PythonCodeBlockParser

from bookbuild import blockrun, chapters, content, exercises, runnable

sys.path.insert(0, str(ROOT / "bookbuild"))
import page_runner  # noqa: E402  (shipped to the browser as a top-level module)

EXERCISE = textwrap.dedent(
    '''\
    # A page

    ```python
    base = 10
    ```

    !!! question "Exercise 1: add the base"

        <!-- exercise: add-base -->
        ```python
        def add_base(x):
            return x
        ```

        <!-- check: add-base
        got = add_base(1)
        assert got == 11, f"add_base(1) is {got}, it should be 11: did you add base?"
        -->

        <!-- mistake: add-base
        says: it should be 11
        def add_base(x):
            return x - base
        -->

    ??? success "Solution"

        <!-- solution: add-base -->
        ```python
        def add_base(x):
            return x + base
        ```
    '''
)


def evaluate_all(text: str, path: str = "/tmp/page.md") -> Document:
    document = chapters.parse(text, path)
    for example in document.examples():
        example.evaluate()
    return document


# ---- one parse --------------------------------------------------------------------


def test_a_chapter_is_parsed_into_blocks_known_by_their_fence_line() -> None:
    chapter = content.parse(EXERCISE, "/tmp/page.md")
    lines = EXERCISE.splitlines()
    assert [lines[block.line - 1].strip() for block in chapter.blocks] == [
        "```python"
    ] * 3
    assert [block.exercise for block in chapter.blocks] == ["", "add-base", ""]
    assert chapter.blocks[2].solution_of == "add-base"
    (exercise,) = chapter.exercises
    assert exercise.mistakes[0].says == "it should be 11"
    assert exercise.checks.startswith("got = add_base(1)\n")
    assert lines[exercise.checks_line - 1].strip() == "got = add_base(1)"


def test_a_chapter_is_read_once_until_its_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    path.write_text(EXERCISE, encoding="utf-8")
    first = content.read(path)
    assert content.read(path) is first
    path.write_text(EXERCISE + "\n```python\nx = 1\n```\n", encoding="utf-8")
    assert len(content.read(path).blocks) == 4


def test_the_starter_never_runs_as_part_of_the_chapter() -> None:
    document = evaluate_all(EXERCISE.replace("return x\n", "raise SystemError\n"))
    assert document.namespace["add_base"](1) == 11


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("<!-- exercise: add-base -->", "<!-- exercise: Add_Base -->"), "lowercase"),
        (("<!-- check: add-base\n", "<!-- check: other\n"), "names no exercise"),
        (("says: it should be 11\n", ""), "must start with a line 'says: TEXT'"),
        (("<!-- solution: add-base -->", "<!-- solution: nothing -->"), "no exercise"),
        (("<!-- exercise: add-base -->\n", "<!-- exercise: add-base -->\nx\n"),
         "must come right before a ```python block"),
    ],
)
def test_a_malformed_exercise_is_refused_at_its_line(
    change: tuple[str, str], message: str
) -> None:
    text = EXERCISE.replace(*change)
    assert text != EXERCISE
    with pytest.raises(content.ContentError, match=message) as raised:
        content.parse(text, "/tmp/page.md")
    assert str(raised.value).startswith("/tmp/page.md:")


# ---- exercises are checked --------------------------------------------------------


def test_an_exercise_whose_checks_tell_right_from_wrong_passes() -> None:
    evaluate_all(EXERCISE)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        # A check that cannot fail passes on the starter.
        (("assert got == 11", "assert got == got"), "the starter (line 10) passes"),
        (("return x + base", "return x + 2 * base"), "the solution (line 29) fails"),
        (("return x - base", "return x + base"), "the mistake at line 22 passes"),
        (("says: it should be 11", "says: forgot the base"), "does not say"),
    ],
)
def test_an_exercise_that_cannot_tell_fails_at_its_checks(
    change: tuple[str, str], problem: str
) -> None:
    text = EXERCISE.replace(*change)
    with pytest.raises(exercises.ExerciseError) as raised:
        evaluate_all(text)
    assert problem in str(raised.value)
    assert "checks at /tmp/page.md:16" in str(raised.value)


def test_the_reader_sees_the_checks_message_in_the_books_terms() -> None:
    verdict = blockrun.check_exercise(
        "def add_base(x):\n    return x\n",
        content.parse(EXERCISE, "/tmp/p.md").exercises[0].checks,
        {"base": 10},
    )
    assert not verdict.passed
    assert verdict.message == "add_base(1) is 1, it should be 11: did you add base?"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("def add_base(x) return x\n", "line 1 of your code is not valid Python"),
        ("1 / 0\n", "your code stopped with ZeroDivisionError"),
        ("x = 1\n", "name 'add_base' is not defined: the exercise asks your code"),
        ("def add_base(x):\n    return x / 0\n", "at line 2 of your code"),
    ],
)
def test_an_answer_that_breaks_gets_a_verdict_not_a_traceback(
    answer: str, message: str
) -> None:
    checks = content.parse(EXERCISE, "/tmp/p.md").exercises[0].checks
    outcome = json.loads(page_runner.check(answer, checks))
    assert not outcome["passed"]
    assert message in outcome["message"]


def test_a_check_in_the_page_starts_from_the_pages_namespace_and_leaves_it() -> None:
    page_runner.reset()
    page_runner.run("base = 10", "script")
    checks = content.parse(EXERCISE, "/tmp/p.md").exercises[0].checks
    answer = "def add_base(x):\n    return x + base\n"
    assert json.loads(page_runner.check(answer, checks))["passed"]
    assert "add_base" not in page_runner._namespace


def test_the_page_carries_each_exercises_checks_on_its_starter(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    path.write_text(EXERCISE, encoding="utf-8")
    marked = runnable.mark(EXERCISE, path, "docs/page.md")
    assert "<!-- check" not in marked and "<!-- mistake" not in marked
    assert 'data-mg-exercise="add-base"' in marked
    assert "data-mg-checks=\"got = add&#95;base(1)" in marked


# ---- one checker --------------------------------------------------------------------


def _sybil_verdict(block: str) -> bool:
    """What Sybil's stock Markdown parser, as pytest ran it before the book
    had a runner of its own, says of a doctest block."""
    text = f"```python\n{block}\n```\n"
    document = Document(text, "/tmp/stock.md")
    for region in PythonCodeBlockParser()(document):
        document.add(region)
    try:
        for example in document.examples():
            example.evaluate()
    except Exception:  # noqa: BLE001 - a failed example is the verdict
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(
    value=st.floats(-1e6, 1e6, allow_nan=False),
    digits=st.integers(0, 8),
    nudge=st.sampled_from([0.0, 1e-9, 4e-5, 6e-5, 1e-3, 0.5]),
    flag=st.booleans(),
)
def test_the_page_and_pytest_give_every_output_the_same_verdict(
    value: float, digits: int, nudge: float, flag: bool
) -> None:
    written = f"{value + nudge:.{digits}f}"
    directive = "  # doctest: +NUMBER" if flag else ""
    block = f">>> {value!r}{directive}\n{written}\n"
    page_runner.reset()
    in_page = json.loads(page_runner.run(block, "doctest"))["ok"]
    assert in_page == _sybil_verdict(block)


# ---- one build object, made afresh -------------------------------------------------


@pytest.mark.slow
def test_each_build_imports_every_module_of_the_tooling_afresh(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for folder in ("bookbuild", "micrograd"):
        shutil.copytree(
            ROOT / folder,
            project / folder,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    script = textwrap.dedent(
        """
        import importlib.util, pathlib, sys
        project = pathlib.Path(sys.argv[1])
        spec = importlib.util.spec_from_file_location(
            "bookbuild/hooks.py", project / "bookbuild" / "hooks.py")
        hooks = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(hooks)
        hooks.fresh_modules()
        loaded = sorted(
            n for n in sys.modules if n.startswith(("bookbuild.", "micrograd")))
        for name in loaded:
            path = pathlib.Path(sys.modules[name].__file__)
            assert path.is_relative_to(project), (name, path)
            path.write_text(path.read_text() + "\\nEDITED_SINCE_START = True\\n")
        hooks.fresh_modules()
        stale = [n for n in loaded
                 if not getattr(sys.modules.get(n), "EDITED_SINCE_START", False)]
        print(len(loaded), stale)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(project)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    count, stale = result.stdout.split(" ", 1)
    assert int(count) >= 15, result.stdout
    assert stale.strip() == "[]"


def test_the_page_hides_doctest_directives_and_runs_the_code_with_them(
    tmp_path: Path,
) -> None:
    text = (
        "# P\n\n```python\n>>> 1 / 0  # doctest: +ELLIPSIS\n"
        "Traceback (most recent call last):\n  ...\nZeroDivisionError: ...\n\n```\n"
    )
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    marked = runnable.mark(text, path, "docs/page.md")
    shown = marked.split("```python\n", 1)[1]
    assert "doctest:" not in shown
    assert ">>> 1 / 0\n" in shown
    # The code the page runs keeps the directive, as the book runs it.
    assert "data-mg-source=" in marked and "# doctest: +ELLIPSIS" in marked
    evaluate_all(text)
