"""What a block's last value looks like on a page: graphs, plots and tabs.

A Graphviz graph (what `draw_dot` returns) becomes an inline SVG; a matplotlib
figure becomes an inline SVG too; a dict whose values are all displayable
becomes a set of content tabs, one per key (used to step through a sequence
of graphs).
"""

from __future__ import annotations

import io
import re
import sys
from typing import Any

from micrograd.viz import render_svg

_XML_PROLOG = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.DOTALL)


# A value can only be a graph or a figure if the page imported the library
# that makes one; looking in sys.modules rather than importing keeps the cost
# of importing matplotlib out of the time limit of a block that never uses it.


def _is_graph(value: Any) -> bool:
    graphviz = sys.modules.get("graphviz")
    return graphviz is not None and isinstance(value, graphviz.graphs.BaseGraph)


def _is_figure(value: Any) -> bool:
    figure = sys.modules.get("matplotlib.figure")
    return figure is not None and isinstance(value, figure.Figure)


def _is_tabs(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and len(value) > 0
        and all(isinstance(key, str) for key in value)
        and all(_is_graph(item) or _is_figure(item) for item in value.values())
    )


def is_displayable(value: Any) -> bool:
    return _is_graph(value) or _is_figure(value) or _is_tabs(value)


def check_renders(value: Any) -> None:
    """Render `value` and throw the result away: a failure raises."""
    if _is_tabs(value):
        for item in value.values():
            check_renders(item)
    elif _is_graph(value):
        graph_svg(value)
    elif _is_figure(value):
        figure_svg(value)


def graph_svg(graph: Any) -> str:
    """A Graphviz graph as an SVG element ready to inline in HTML."""
    # The tests render each graph once to prove it renders and the build
    # renders it again to show it; the same DOT text gives the same SVG.
    source = graph.source
    description = getattr(graph, "description", None)
    key = (source, description)
    if key not in _svg_by_source:
        _svg_by_source[key] = _inline(render_svg(source, description=description))
    return _svg_by_source[key]


_svg_by_source: dict[tuple[str, str | None], str] = {}


def figure_svg(figure: Any) -> str:
    """A matplotlib figure as an SVG element ready to inline in HTML."""
    cached = getattr(figure, "_book_svg", None)
    if cached is not None:
        return cached
    import matplotlib

    buffer = io.StringIO()
    # A fixed salt keeps element ids, and so the built page, the same on
    # every build.
    with matplotlib.rc_context(
        {"svg.hashsalt": "micrograd-book", "svg.fonttype": "path"}
    ):
        # No date in the file either: one commit, one site, byte for byte.
        figure.savefig(
            buffer,
            format="svg",
            transparent=True,
            bbox_inches="tight",
            metadata={"Date": None},
        )
    import matplotlib.pyplot as plt

    plt.close(figure)
    figure._book_svg = _inline(buffer.getvalue())
    return figure._book_svg


def html(value: Any) -> str:
    """HTML for a single graph or figure."""
    if _is_graph(value):
        return f'<div class="mg-output mg-graph">{graph_svg(value)}</div>'
    if _is_figure(value):
        return f'<div class="mg-output mg-plot">{figure_svg(value)}</div>'
    raise TypeError(f"cannot display a {type(value).__name__} on a page")


def tab_items(value: Any) -> list[tuple[str, Any]]:
    """The (title, item) pairs of a displayable, one pair unless it is tabs."""
    if _is_tabs(value):
        return list(value.items())
    return [("", value)]


def _inline(svg: str) -> str:
    return _XML_PROLOG.sub("", svg).strip()
