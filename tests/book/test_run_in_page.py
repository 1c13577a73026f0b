"""Running examples in the page, without a browser: which blocks are marked
runnable, the Python that runs them (under CPython here, as in Pyodide), and
the files the build serves for it."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest

from bookbuild import chapters, content, pyodide_assets, runnable

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bookbuild"))
import page_runner  # noqa: E402  (shipped to the browser as a top-level module)

PAGE = """\
# A page

```python
>>> from micrograd.versions.v5 import Value
>>> Value(2.0) * Value(3.0)
Value(data=6.0)

```

```python
import numpy as np
from micrograd.versions.v5 import Value
ys = np.zeros(3)
```

```python
len(ys)
```

```python
x = Value(1.0)
x
```

<!-- skip: next -->

```python
x.data
```

```python title="shown only"
never_runs()
```
"""


@pytest.fixture(autouse=True)
def clean_namespace() -> None:
    page_runner.reset()


def run(code: str, kind: str = "script") -> dict:
    return json.loads(page_runner.run(code, kind))


# ---- which blocks run ------------------------------------------------------------


def test_blocks_are_judged_by_what_they_import_and_use(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    found = runnable.blocks(content.parse(PAGE, path))
    assert [(b.block.kind, b.runs) for b in found] == [
        ("doctest", True),
        ("script", False),
        ("script", False),
        ("script", True),
        ("script", False),
    ]
    assert found[1].reason == "needs numpy, which the browser does not have"
    assert found[1].prelude == "from micrograd.versions.v5 import Value"
    assert found[2].reason == "uses ys, made by a block that needs numpy"
    assert found[4].reason == "the book itself does not run this block"
    # A block is known by the file line of its opening fence; its code
    # starts on the next line.
    lines = PAGE.splitlines()
    assert {lines[b.block.line - 1] for b in found} == {"```python"}
    assert [lines[b.block.first_code_line - 1] for b in found] == [
        ">>> from micrograd.versions.v5 import Value",
        "import numpy as np",
        "len(ys)",
        "x = Value(1.0)",
        "x.data",
    ]


def test_every_marker_lands_on_its_block(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    path.write_text(PAGE, encoding="utf-8")
    marked = runnable.mark(PAGE, path, "docs/page.md")
    assert marked.count('class="mg-runmark"') == 5
    # Markdown must not touch what the attributes say.
    assert "_" not in marked.split('class="mg-runmark"')[2].split(">")[0]
    html = "".join(
        f"<p>{part.split('</span>')[0]}</span></p>\n"
        f'<div class="language-python highlight"><pre>code</pre></div>\n'
        for part in marked.split("\n\n")
        if part.startswith('<span class="mg-runmark"')
    )
    attached = runnable.attach(html)
    assert "mg-runmark" not in attached
    assert attached.count('data-mg-file="docs/page.md"') == 5


def test_the_book_marks_all_but_the_blocks_that_need_other_packages() -> None:
    for path in chapters.chapter_files():
        for verdict in runnable.blocks(content.read(path)):
            if not verdict.runs:
                assert any(
                    name in verdict.reason for name in ("numpy", "matplotlib", "torch")
                ), f"{path.name}:{verdict.block.line}: {verdict.reason}"


# ---- the Python that runs them ------------------------------------------------------


def test_blocks_share_one_namespace_until_reset() -> None:
    assert run("x = 21")["ok"]
    assert run("x * 2")["value"] == "42"
    page_runner.reset()
    outcome = run("x")
    assert not outcome["ok"]
    assert "NameError" in outcome["error"]


def test_doctest_shows_what_came_out_and_what_was_expected() -> None:
    outcome = run(">>> 1 + 1\n2\n>>> print('a')\nb\n", "doctest")
    assert not outcome["ok"]
    first, second = outcome["examples"]
    assert first == {
        "source": "1 + 1\n",
        "want": "2\n",
        "got": "2\n",
        "ok": True,
        "line": 1,
    }
    assert (second["want"], second["got"], second["ok"]) == ("b\n", "a\n", False)


def test_doctest_outputs_match_exactly_unless_an_example_asks() -> None:
    assert run(">>> 1 / 3\n0.3333333333333333\n", "doctest")["ok"]
    assert not run(">>> 1 / 3\n0.3333\n", "doctest")["ok"]
    assert run(">>> 1 / 3  # doctest: +NUMBER\n0.3333\n", "doctest")["ok"]
    assert not run(">>> -0.0\n0.0\n", "doctest")["ok"]


def test_a_doctest_edited_into_plain_code_runs_as_a_script() -> None:
    outcome = run("x = 2\nprint(x * 3)\n", "doctest")
    assert outcome["ran_as"] == "script"
    assert (outcome["ok"], outcome["stdout"]) == (True, "6\n")


def test_a_missing_package_is_named_with_where_to_run_the_block() -> None:
    # (numpy is installed here, as it is not in the page.)
    outcome = run("raise ModuleNotFoundError('no numpy here', name='numpy')\n")
    assert outcome["missing"] == "numpy"
    assert "page's notebook" in outcome["error"]


def test_a_huge_error_message_is_cut_like_printed_output() -> None:
    outcome = run("raise ValueError('x' * 100_000)\n")
    assert len(outcome["error"]) < page_runner.MAX_OUTPUT + 500
    assert "more characters not shown" in outcome["error"]


def test_expected_exceptions_pass_and_unexpected_ones_are_short() -> None:
    expected = ">>> 1 / 0\nTraceback (most recent call last):\n  ...\n"
    assert run(expected + "ZeroDivisionError: division by zero\n", "doctest")["ok"]
    outcome = run(">>> {}['k']\n", "doctest")
    got = outcome["examples"][0]["got"]
    assert "KeyError: 'k'" in got
    assert "doctest.py" not in got


def test_traceback_points_at_the_readers_line() -> None:
    outcome = run("a = 1\nb = 0\na / b\n")
    assert outcome["error"] == (
        "Traceback (most recent call last):\n"
        "  line 3 of this block\n"
        "    a / b\n"
        "ZeroDivisionError: division by zero\n"
    )


def test_syntax_errors_name_the_line() -> None:
    outcome = run("x = 1\nif x\n    pass\n")
    assert not outcome["ok"]
    assert "line 2 of this block" in outcome["error"]
    assert "SyntaxError" in outcome["error"]


def test_huge_output_is_cut_with_a_note() -> None:
    outcome = run("print('x' * 100_000)")
    assert len(outcome["stdout"]) < 21_000
    assert "80,001 more characters not shown" in outcome["stdout"]


def test_graphs_come_back_as_dot() -> None:
    code = (
        "from micrograd.versions.v5 import Value\n"
        "from micrograd.viz import draw_dot\n"
        "a = Value(2.0, label='a')\n"
        "draw_dot(a * a)\n"
    )
    outcome = run(code)
    [[title, dot, description]] = outcome["graphs"]
    assert title == ""
    assert dot.startswith("digraph") and "data 2.0000" in dot
    assert description == (
        "Computation graph of 2 values; output, data 4.0000, grad 0.0000"
    )
    tabs = run("{'one': draw_dot(a), 'two': draw_dot(a * Value(3.0))}")["graphs"]
    assert [title for title, _, _ in tabs] == ["one", "two"]


def test_a_graph_rendered_for_the_page_is_the_build_svg() -> None:
    # The page draws through the same function as the build, so the SVG
    # carries the same text alternative for screen readers.
    code = (
        "from micrograd.versions.v5 import Value\n"
        "from micrograd.viz import draw_dot\n"
        "b = Value(2.0, label='b')\n"
        "graph = draw_dot(b * b)\n"
        "graph\n"
    )
    [[_, dot, description]] = run(code)["graphs"]
    assert page_runner.render(dot, description) == page_runner._namespace[
        "graph"
    ].svg()
    assert 'role="img"' in page_runner.render(dot, description)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind must be 'doctest' or 'script'"):
        page_runner.run("1", "notebook")


# ---- what the build serves ---------------------------------------------------------


def test_library_zip_holds_micrograd_graphviz_and_the_runner() -> None:
    data = pyodide_assets.library_zip()
    assert data == pyodide_assets.library_zip(), "the zip differs between builds"
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        names = set(archive.namelist())
    assert {"page_runner.py", "micrograd/engine.py", "graphviz/__init__.py"} <= names
    assert not [name for name in names if "__pycache__" in name]


def test_a_tampered_archive_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pyodide_assets, "CACHE", tmp_path)
    (tmp_path / pyodide_assets.VIZ.archive_name).write_bytes(b"not the package")
    with pytest.raises(RuntimeError, match="does not match the pinned integrity"):
        pyodide_assets.archive(pyodide_assets.VIZ)


def test_the_modules_a_page_imports_come_compiled() -> None:
    # Compiled once with Pyodide under Node, then cached under build/npm.
    compiled = pyodide_assets.compiled(pyodide_assets.library_zip())
    assert "stdlib/doctest.pyc" in compiled
    assert "stdlib/ast.pyc" in compiled
    assert "site/micrograd/__pycache__/engine.cpython-314.pyc" in compiled
    assert "site/__pycache__/page_runner.cpython-314.pyc" in compiled
    # Unchecked hash-based bytecode: flags 0b01 after the magic number.
    header = compiled["stdlib/doctest.pyc"][4:8]
    assert int.from_bytes(header, "little") == 0b01


def test_the_performance_page_shows_the_recorded_browser_run() -> None:
    recorded = json.loads(
        (ROOT / "benchmarks" / "results" / "browser.json").read_text(encoding="utf-8")
    )
    page = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    assert "\n".join(recorded["lines"]) in page
    first_run = recorded["medians"]["first_run_bytes"] / 1e6
    for name in ("index.md", "how-to-read.md"):
        text = (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert f"about {first_run:.0f} MB" in text, name
