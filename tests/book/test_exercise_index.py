"""The list of exercises the page counts progress by (bookbuild.exercise_index)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from support import nav_sources

from bookbuild import exercise_index

ROOT = Path(__file__).resolve().parents[2]

EXERCISE = """
!!! question "Exercise {number}: {name}"

    <!-- exercise: {name} -->
    ```python
    {starter}
    ```

    <!-- check: {name}
    assert total == 3, "total should be 3"
    -->

    <!-- mistake: {name}
    says: total should be 3
    total = 2
    -->

??? success "Solution"

    <!-- solution: {name} -->
    ```python
    {solution}
    ```
"""


def exercise(number: int, name: str, starter: str, solution: str) -> str:
    return EXERCISE.format(number=number, name=name, starter=starter, solution=solution)


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    (folder / "part").mkdir(parents=True)
    (folder / "part" / "sums.md").write_text(
        "# 2. Sums\n\n```python\nstart = 1\n```\n"
        + exercise(1, "add", "total = None", "total = start + 2")
        # The page's Python has no numpy: this one cannot be checked there.
        + exercise(2, "numpy-sum", "import numpy as np\ntotal = None", "total = 3")
    )
    (folder / "plain.md").write_text("# No exercises\n\n```python\nx = 1\n```\n")
    (folder / "index.md").write_text("# Home\n")
    return folder


NAV = ["index.md", {"Part": ["plain.md", "part/sums.md"]}]


def test_lists_the_checkable_exercises_by_page_in_nav_order(docs: Path) -> None:
    found = exercise_index.pages(docs, NAV)
    assert found == [
        {"url": "part/sums/", "title": "2. Sums", "exercises": [{"name": "add"}]}
    ]


def test_writes_the_list_into_the_site(docs: Path, tmp_path: Path) -> None:
    config = SimpleNamespace(
        site_dir=str(tmp_path / "site"),
        docs_dir=str(docs),
        nav=NAV,
        use_directory_urls=False,
    )
    written = exercise_index.write(config)
    assert written == tmp_path / "site" / exercise_index.INDEX
    pages = json.loads(written.read_text())["pages"]
    assert [page["url"] for page in pages] == ["part/sums.html"]


@pytest.mark.parametrize(
    ("source", "directory_urls", "url"),
    [
        ("index.md", True, ""),
        ("chapters/08-more-operations.md", True, "chapters/08-more-operations/"),
        ("part/index.md", True, "part/"),
        ("chapters/08-more-operations.md", False, "chapters/08-more-operations.html"),
    ],
)
def test_page_urls_are_the_ones_mkdocs_gives(
    source: str, directory_urls: bool, url: str
) -> None:
    assert exercise_index.page_url(source, directory_urls) == url


def test_the_book_lists_chapter_8s_relu() -> None:
    pages = exercise_index.pages(ROOT / "docs", nav_sources())
    chapter_8 = next(p for p in pages if p["url"] == "chapters/08-more-operations/")
    assert "relu" in [item["name"] for item in chapter_8["exercises"]]
