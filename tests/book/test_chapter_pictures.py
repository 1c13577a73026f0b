"""What the chapters say about where Graphviz puts things, checked on the SVG.

Chapter 2 says the leaf `c` of `a * b + c` is not drawn with the other
leaves but in line with the product `a * b`, because both feed the `+`. It
says so of the reader's own drawing function and the library's `draw_dot`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bookbuild import content
from micrograd import versions, viz

CHAPTER_2 = (
    Path(__file__).resolve().parents[2] / "docs/chapters/02-remembering-the-graph.md"
)


def _chapter_2_drawing() -> Callable[[Any], Any]:
    """The reader's `my_draw_dot`, run from the chapter's own text."""
    namespace: dict[str, Any] = {}
    for fence in content.read(CHAPTER_2).blocks:
        if fence.source.startswith(("def build_graph(", "from micrograd.viz import")):
            exec(fence.source, namespace)
    return namespace["my_draw_dot"]


def _positions(svg: str) -> dict[str, tuple[float, float]]:
    """Where each text of the picture is drawn, by the text."""
    pattern = r'<text[^>]*x="([-\d.]+)" y="([-\d.]+)"[^>]*>([^<]*)</text>'
    found = re.findall(pattern, svg)
    return {text: (float(x), float(y)) for x, y, text in found}


def _assert_c_in_line_with_the_product(svg: str, rank: int) -> None:
    where = _positions(svg)
    a, b = where["data 2.0000"], where["data &#45;3.0000"]
    c, product = where["data 10.0000"], where["data &#45;6.0000"]
    assert a[rank] == b[rank]
    assert c[rank] == product[rank]
    assert abs(c[rank] - a[rank]) > 50


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_the_added_leaf_stands_in_line_with_the_product(rankdir: str) -> None:
    Value = versions.load(2).Value
    d = Value(2.0) * Value(-3.0) + Value(10.0)
    rank = 0 if rankdir == "LR" else 1  # the coordinate that grows with depth
    _assert_c_in_line_with_the_product(viz.draw_dot(d, rankdir=rankdir).svg(), rank)


def test_the_readers_drawing_puts_it_there_too() -> None:
    my_draw_dot = _chapter_2_drawing()
    Value = versions.load(2).Value
    d = Value(2.0) * Value(-3.0) + Value(10.0)
    _assert_c_in_line_with_the_product(my_draw_dot(d).svg(), rank=0)
