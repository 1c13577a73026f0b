"""Every graph in the built book fits the reader's view and stays legible.

A page shows a graph scaled down to the width of the text column and to
85% of the window's height (docs/stylesheets/book.css), so the whole
drawing is in view at once, and opens it at full size on a click
(docs/javascripts/graph-zoom.js). Scaling cannot rescue a graph laid out
in the wrong direction: a long chain drawn left to right, or a wide one
drawn top to bottom, shrinks until its text cannot be read. These tests
measure each rendered graph against a 1280 x 900 window.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

#: The text column of a 1280 px wide window, in CSS pixels.
COLUMN = 688
#: The height a graph may take on a 900 px tall window: 85vh.
WINDOW = 0.85 * 900
#: Graphviz labels are 14 pt, about 18.7 px. Shrunk to 40% they are about
#: 7.5 px: small, but the shapes and the flow read, and a click shows them
#: full size. Below that a drawing is a grey smear.
MIN_SCALE = 0.4

_GRAPH = re.compile(
    r'<div class="mg-output mg-graph"><svg width="([\d.]+)pt" height="([\d.]+)pt"'
)
_CSS = Path(__file__).resolve().parents[2] / "docs" / "stylesheets" / "book.css"


def graphs(site: Path) -> list[tuple[str, int, float, float]]:
    """(page, index, width px, height px) of every graph at full size."""
    found = []
    for page in sorted(site.rglob("index.html")):
        html = page.read_text(encoding="utf-8")
        name = page.parent.relative_to(site).as_posix()
        for index, match in enumerate(_GRAPH.finditer(html)):
            # Graphviz measures in points; a point is 4/3 of a CSS pixel.
            width, height = (float(match[i]) * 4 / 3 for i in (1, 2))
            found.append((name, index, width, height))
    return found


def shown_scale(width: float, height: float) -> float:
    return min(1.0, COLUMN / width, WINDOW / height)


def test_the_stylesheet_fits_graphs_to_the_window() -> None:
    css = _CSS.read_text(encoding="utf-8")
    rule = re.search(r"\.mg-graph svg \{[^}]*\}", css)
    assert rule and "max-height: 85vh" in rule[0]


def test_the_book_has_graphs_to_measure(built_site: Path) -> None:
    pages = {page for page, *_ in graphs(built_site)}
    assert len(pages) >= 8, pages


def test_every_graph_is_legible_when_scaled_to_fit(built_site: Path) -> None:
    too_small = [
        f"{page} graph {index}: {width:.0f} x {height:.0f} px, "
        f"shown at {shown_scale(width, height):.2f}"
        for page, index, width, height in graphs(built_site)
        if shown_scale(width, height) < MIN_SCALE
    ]
    assert too_small == []


@pytest.mark.parametrize(
    ("width", "height", "legible"),
    [
        (520, 1041, True),  # the neuron, top to bottom
        (2056, 280, False),  # the same neuron, left to right
        (587, 1904, True),  # tanh from parts, top to bottom
        (3749, 315, False),  # tanh from parts, left to right
    ],
)
def test_the_bound_tells_good_layouts_from_bad(
    width: float, height: float, legible: bool
) -> None:
    assert (shown_scale(width, height) >= MIN_SCALE) is legible
