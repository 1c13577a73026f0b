"""Every chapter's generated notebook runs top to bottom in a fresh kernel."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from bookbuild import chapters, notebooks

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = chapters.chapter_files()
HAS_TORCH = importlib.util.find_spec("torch") is not None


def _needs_torch(path: Path) -> bool:
    return "import torch" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_notebook_runs(path: Path, tmp_path: Path) -> None:
    if _needs_torch(path) and not HAS_TORCH:
        pytest.skip(
            "PyTorch is not installed; `make torch` installs 2.13.0, "
            "locked for Python 3.11 only"
        )
    notebook = notebooks.chapter_notebook_file(path)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        and "raises-exception" not in cell.metadata.get("tags", [])
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    assert not errors
    nbformat.validate(notebook)


def test_doctest_prompts_and_outputs_are_dropped() -> None:
    text = (
        "# Title\n\nSome prose.\n\n"
        "```python\n>>> x = 1 + 1\n>>> x\n2\n"
        ">>> for i in range(2):\n...     print(i)\n0\n1\n\n```\n\n"
        "More prose.\n\n"
        "```python\ny = x * 3\n```\n\n"
        '```python title="shown.py"\nnot run\n```\n'
    )
    notebook = notebooks.chapter_notebook(text, "chapter.md")
    kinds = [cell.cell_type for cell in notebook.cells]
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert code == ["x = 1 + 1\nx\nfor i in range(2):\n    print(i)", "y = x * 3"]
    assert kinds == ["markdown", "markdown", "code", "markdown", "code", "markdown"]
    assert "not run" in notebook.cells[-1].source


def test_an_expected_exception_gets_its_own_tagged_cell() -> None:
    text = (
        "```python\n>>> a = 1\n>>> 1 / 0\nTraceback (most recent call last):\n"
        "ZeroDivisionError: division by zero\n>>> a\n1\n\n```\n"
    )
    code = [
        cell
        for cell in notebooks.chapter_notebook(text, "c.md").cells
        if cell.cell_type == "code"
    ]
    assert [cell.source for cell in code] == ["a = 1", "1 / 0", "a"]
    assert [cell.metadata.get("tags", []) for cell in code] == [
        [],
        ["raises-exception"],
        [],
    ]


def test_admonitions_become_plain_markdown() -> None:
    text = '!!! question "Exercise 1: a sum"\n\n    Add two numbers.\n\nAfter.\n'
    notebook = notebooks.chapter_notebook(text, "chapter.md")
    body = notebook.cells[-1].source
    assert "**Exercise 1: a sum**" in body
    assert "\nAdd two numbers." in body
    assert "!!!" not in body


def test_snapshot_directives_are_expanded() -> None:
    from micrograd import versions

    notebook = notebooks.chapter_notebook("<!-- snapshot: 2 -->\n", "chapter.md")
    assert versions.source(2).strip() in notebook.cells[-1].source
