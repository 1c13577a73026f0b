"""Mistakes in a page's directives or hostile values it computes: each fails
pytest and the build alike, naming the file and the line, or is shown as
plain text; and the build reads its switches the same way everywhere."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, make_book, mkdocs_build, run_bounded

from bookbuild import directives, notebooks

BAD_DIRECTIVES = [
    ("<!-- snapshot: 99 -->", "no snapshot v99: versions are 1 to 8"),
    ("<!-- source: 3 Value.nope -->", "source: v3.py has no Value.nope"),
    ("<!-- diff: 3 -->", "expected two snapshot numbers"),
    # Inside an admonition: indented, still checked.
    ('!!! note "Aside"\n\n    <!-- snapshot: 99 -->', "no snapshot v99"),
]
IDS = ["snapshot 99", "unknown part", "diff of one", "indented"]


def directive_page(directive: str) -> str:
    # A front matter too: the line named must be the file's line.
    return (
        "---\ntitle: Directives\n---\n\n# Directives\n\n"
        "```python\nx = 1\n```\n\n" + directive + "\n"
    )


def _directive_line(text: str) -> int:
    return next(
        number
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip().startswith("<!-- ")
    )


@pytest.mark.parametrize(("directive", "message"), BAD_DIRECTIVES, ids=IDS)
def test_pytest_fails_a_bad_directive_at_its_line(
    tmp_path: Path, directive: str, message: str
) -> None:
    text = directive_page(directive)
    (tmp_path / "page.md").write_text(text)
    (tmp_path / "conftest.py").write_text(
        "from sybil import Sybil\n"
        "from bookbuild.chapters import PARSERS\n"
        'pytest_collect_file = Sybil(parsers=PARSERS, patterns=["*.md"]).pytest()\n'
    )
    result = run_bounded(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rf"],
        60,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "1 failed, 1 passed" in output, output
    line = _directive_line(text)
    assert f"{tmp_path / 'page.md'}:{line}: " in output, output
    assert message in output, output


@pytest.mark.parametrize(("directive", "message"), BAD_DIRECTIVES, ids=IDS)
def test_the_build_fails_a_bad_directive_at_its_line(
    tmp_path: Path, directive: str, message: str
) -> None:
    text = directive_page(directive)
    project = make_book(tmp_path, {"index.md": "# Home\n", "page.md": text})
    result = mkdocs_build(tmp_path / "site", cwd=project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    line = _directive_line(text)
    error = [row for row in output.splitlines() if row.startswith("ERROR")]
    assert len(error) == 1, output
    assert f"{project / 'docs' / 'page.md'}:{line}: " in error[0], output
    assert message in error[0], output
    assert "Traceback" not in output, output


def test_an_indented_directive_is_expanded_in_place() -> None:
    text = '!!! note "Aside"\n\n    <!-- source: 3 Value.__init__ -->\n\nAfter.\n'
    out = directives.expand(text, download_url=str)
    lines = out.splitlines()
    assert lines[2] == '    ```python title="from v3.py"'
    assert "    class Value:" in lines
    # Every line of the code stays inside the admonition.
    body = lines[2 : lines.index("After.") - 1]
    assert all(not row or row.startswith("    ") for row in body), body


def test_the_notebook_names_a_bad_directive_by_file_line() -> None:
    text = directive_page("<!-- snapshot: 99 -->")
    with pytest.raises(directives.DirectiveError) as error:
        notebooks.chapter_notebook(text, "docs/page.md")
    assert str(error.value).startswith(f"docs/page.md:{_directive_line(text)}: ")


def test_the_same_chapter_gives_the_same_notebook() -> None:
    text = (ROOT / "docs" / "how-to-read.md").read_text()
    first = notebooks.to_json(notebooks.chapter_notebook(text, "how-to-read.md"))
    second = notebooks.to_json(notebooks.chapter_notebook(text, "how-to-read.md"))
    assert first == second


# ---- computed text -------------------------------------------------------------

HOSTILE_TITLE = "<img src=x onerror=alert(1)> *not emphasis* & \"quoted\""

TABS_PAGE = f"""\
# Tabs

```python
from micrograd.versions.v2 import Value
from micrograd.viz import draw_dot
a = Value(2.0)
{{{HOSTILE_TITLE!r}: draw_dot(a)}}
```
"""


def test_a_computed_tab_title_is_shown_as_text(tmp_path: Path) -> None:
    project = make_book(
        tmp_path,
        {"index.md": "# Home\n", "tabs.md": TABS_PAGE},
        extensions=("pymdownx.tabbed",),
    )
    result = mkdocs_build(tmp_path / "site", "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    built = (tmp_path / "site" / "tabs" / "index.html").read_text()
    assert "<img" not in built
    assert "<em>not emphasis</em>" not in built
    labels = re.findall(r"<label for=\"__tabbed_[^\"]*\">(.*?)</label>", built)
    assert [html.unescape(label) for label in labels] == [HOSTILE_TITLE]


# ---- BOOK_EXECUTE --------------------------------------------------------------


@pytest.mark.parametrize("value", ["0"])
def test_the_book_builds_without_running_anything(tmp_path: Path, value: str) -> None:
    # An empty notebook cache, so the log says how the notebook was converted.
    env = {"BOOK_EXECUTE": value, "BOOK_NOTEBOOK_CACHE": str(tmp_path / "cache")}
    result = mkdocs_build(tmp_path / "site", "--strict", env=env, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "Converting notebook (execute=False)" in result.stderr
    page = (tmp_path / "site" / "how-to-read" / "index.html").read_text()
    assert "mg-output" not in page  # nothing ran, nothing drawn


def test_a_bad_book_execute_is_refused_by_name(tmp_path: Path) -> None:
    project = make_book(tmp_path, {"index.md": "# Home\n"})
    result = mkdocs_build(tmp_path / "site", cwd=project, env={"BOOK_EXECUTE": "?"})
    assert result.returncode != 0
    assert "BOOK_EXECUTE must be true or false" in result.stderr


# ---- make serve loads the tooling afresh (and tests/book/test_pipeline.py) ----


def test_an_edited_hooks_file_asks_for_a_restart(tmp_path: Path) -> None:
    hooks = tmp_path / "hooks.py"
    hooks.write_text((ROOT / "bookbuild" / "hooks.py").read_text())
    script = (
        "import importlib.util, pathlib\n"
        f"path = pathlib.Path({str(hooks)!r})\n"
        "spec = importlib.util.spec_from_file_location('hooks', path)\n"
        "hooks = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(hooks)\n"
        "path.write_text(path.read_text() + '\\n# edited\\n')\n"
        "try:\n"
        "    hooks.fresh_modules()\n"
        "except hooks.PluginError as error:\n"
        "    print(error)\n"
    )
    result = run_bounded([sys.executable, "-c", script], 60, cwd=ROOT)
    assert "restart `make serve`" in result.stdout, result.stdout + result.stderr


def test_run_bounded_stops_a_command_and_what_it_started() -> None:
    script = (
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "time.sleep(60)\n"
    )
    with pytest.raises(pytest.fail.Exception, match="did not finish in 1 s"):
        run_bounded([sys.executable, "-c", script], 1)
    left = subprocess.run(
        ["pgrep", "-f", "time.sleep\\(60\\)"],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert not left.stdout.strip(), left.stdout
