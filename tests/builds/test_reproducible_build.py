"""One commit, one site: two clean builds give the same bytes.

A small book with everything that could differ from one build to the next
(a matplotlib figure, a graph, tabs, a notebook download, the sitemap) is
built twice from scratch; every file must match. The sitemap's dates come
from SOURCE_DATE_EPOCH, as reproducible-build tools expect. (Two builds of
the whole book compare the same way: `diff -r` of two `make site` runs with
SOURCE_DATE_EPOCH set reports nothing, and the last test here does it.)
"""

from __future__ import annotations

import gzip
from pathlib import Path

from support import BUILD_TIMEOUT, make_book, mkdocs_build

from conftest import SOURCE_DATE_EPOCH

PAGE = """\
# Figures

```python
from matplotlib.figure import Figure
fig = Figure(figsize=(3, 2))
ax = fig.subplots()
ax.plot([0, 1, 2], [0, 1, 4])
fig
```

```python
from micrograd.versions.v2 import Value
from micrograd.viz import draw_dot
a = Value(2.0) * Value(3.0)
{"first": draw_dot(a), "second": draw_dot(a + a)}
```
"""

EPOCH = "1700000000"  # 2023-11-14


def _files(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def test_two_clean_builds_are_byte_identical(tmp_path: Path) -> None:
    sites = []
    for name in ("first", "second"):
        project = make_book(
            tmp_path / name,
            {"index.md": "# Home\n", "figures.md": PAGE},
            extensions=("pymdownx.tabbed",),
        )
        config = project / "mkdocs.yml"
        config.write_text(config.read_text() + "site_url: https://example.org/\n")
        site = tmp_path / name / "site"
        result = mkdocs_build(
            site, "--strict", cwd=project, env={"SOURCE_DATE_EPOCH": EPOCH}
        )
        assert result.returncode == 0, result.stderr
        sites.append(_files(site))
    first, second = sites
    assert first.keys() == second.keys()
    differing = [name for name in first if first[name] != second[name]]
    assert not differing, differing
    # What made them differ before: random notebook cell ids, and the date
    # matplotlib writes into an SVG.
    assert b'"id": "cell-0"' in first["downloads/notebooks/figures.ipynb"]
    page = first["figures/index.html"].decode()
    assert "<svg" in page and "<dc:date>" not in page
    sitemap = gzip.decompress(first["sitemap.xml.gz"]).decode()
    assert "<lastmod>2023-11-14</lastmod>" in sitemap


def test_the_whole_book_builds_to_the_same_bytes_again(
    built_site: Path, tmp_path: Path
) -> None:
    """The book built a second time, with its notebooks executed afresh
    (a cache of their own), equals the session's build byte for byte: no
    drawing named by `id()`, no output in an order that changes from run
    to run, no date."""
    site = tmp_path / "again"
    result = mkdocs_build(
        site,
        "--strict",
        timeout=BUILD_TIMEOUT,
        env={
            "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
            "BOOK_NOTEBOOK_CACHE": str(tmp_path / "notebooks"),
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    first, second = _files(built_site), _files(site)
    first.pop(".build-log", None)
    assert first.keys() == second.keys()
    differing = sorted(name for name in first if first[name] != second[name])
    assert not differing, differing
