"""What the chapters say about where Graphviz puts things, checked on the SVG.

Chapter 2 says the leaf `c` of `a * b + c` is not drawn with the other
leaves but in line with the product `a * b`, because both feed the `+`.
"""

from __future__ import annotations

import re

import pytest

from micrograd import versions, viz


def _positions(svg: str) -> dict[str, tuple[float, float]]:
    """Where each text of the picture is drawn, by the text."""
    found = re.findall(
        r'<text[^>]*x="([-\d.]+)" y="([-\d.]+)"[^>]*>([^<]*)</text>', svg
    )
    return {text: (float(x), float(y)) for x, y, text in found}


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_the_added_leaf_stands_in_line_with_the_product(rankdir: str) -> None:
    Value = versions.load(2).Value
    d = Value(2.0) * Value(-3.0) + Value(10.0)
    where = _positions(viz.draw_dot(d, rankdir=rankdir).svg())
    rank = 0 if rankdir == "LR" else 1  # the coordinate that grows with depth
    a, b = where["data 2.0000"], where["data &#45;3.0000"]
    c, product = where["data 10.0000"], where["data &#45;6.0000"]
    assert a[rank] == b[rank]
    assert c[rank] == product[rank]
    assert abs(c[rank] - a[rank]) > 50
