"""Live graphs: a chapter's graph of Values that the reader can change.

Shipped to the browser as a top-level module of the library zip (see
bookbuild/pyodide_assets.py), next to `page_runner`; the page's worker calls
its functions (run-worker.js, `call`), which answer JSON text. It runs under
CPython as well, where tests/test_live_graph.py checks it.

How a leaf is changed. The chapter's own code is run again, in a namespace
of its own (the page's namespace is not touched): the blocks the page ran, up
to the block that drew the graph. While they run, the `__init__` of every
`Value` class of the book (the snapshots and `micrograd.engine`) is wrapped
to count the Values made; a leaf is known by the number of its
construction, and the run that changes it hands the new number to that
construction instead of the one the code wrote. So every operation, every
rule and every hand-written gradient of the chapter is the chapter's, run
again; nothing here recomputes the math. Runs start at the first block that
made a value of the graph, from a copy of the namespace as it was then.

Gradients after a change:

* a version with `backward()` (6, 7, 8, the engine): every gradient of the
  graph is zeroed, then the version's own `backward()` runs;
* version 5 (rules, no `backward()`): the output is seeded with 1.0 and
  each node's own `_backward` runs in the order chapter 6 builds;
* versions 2 to 4 have no rules: the gradients are the ones the chapter's
  code set by hand (chapters 3 and 4 compute them from the data, so they
  follow the change), and there is no backward pass to step through.

Stepping runs the same rules one node at a time: zeroed gradients, the
seed, then one `_backward` per press, in the order `backward()` uses.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import blockrun

#: The book's Value classes, by module; each one's `__init__` is wrapped
#: while the chapter's code runs again.
VALUE_MODULES = tuple(f"micrograd.versions.v{n}" for n in range(1, 9)) + (
    "micrograd.engine",
)
#: The version a graph is stepped against to show `=` next to `+=`.
TWIN = {
    "micrograd.versions.v5": "micrograd.versions.v7",
    "micrograd.versions.v6": "micrograd.versions.v7",
    "micrograd.versions.v7": "micrograd.versions.v6",
}
#: Live graphs kept at once; the oldest goes first.
MAX_KEPT = 16

_kept: dict[str, LiveGraph] = {}
_made = 0


class NotLiveError(ValueError):
    """The block's result cannot be made live (said in words for the page)."""


def _value_classes() -> dict[str, type]:
    found = {}
    for name in VALUE_MODULES:
        module = importlib.import_module(name)
        found[name] = module.Value
    return found


@dataclass
class _Run:
    """One run of the chapter's code: what it made and what it drew."""

    #: Value constructions counted so far.
    count: int = 0
    #: Construction number -> the data to give instead.
    overrides: dict[int, Any] = field(default_factory=dict)
    #: id(value) -> (construction number, block index), when recording.
    made: dict[int, tuple[int, int]] | None = None
    #: Values kept alive while recording, so that ids stay theirs.
    alive: list[Any] = field(default_factory=list)
    block: int = 0
    #: (block index, root, rankdir, Graph) per draw_dot call.
    drawn: list[tuple[int, Any, str, Any]] = field(default_factory=list)


@contextlib.contextmanager
def _counting(run: _Run, swap: tuple[str, str] | None = None) -> Iterator[None]:
    """Count constructions and record draw_dot calls while the code runs.
    With `swap` (module, module), the first module's `Value` is the second's."""
    import micrograd.viz as viz

    classes = _value_classes()
    originals = {cls: cls.__dict__["__init__"] for cls in set(classes.values())}
    real_draw = viz.draw_dot

    def wrap(original: Any) -> Any:
        def counted(self: Any, *args: Any, **kwargs: Any) -> None:
            number = run.count
            run.count += 1
            if number in run.overrides:
                if args:
                    args = (run.overrides[number], *args[1:])
                else:
                    kwargs["data"] = run.overrides[number]
            original(self, *args, **kwargs)
            if run.made is not None:
                run.made[id(self)] = (number, run.block)
                run.alive.append(self)

        return counted

    def recording_draw(root: Any, rankdir: str = "LR", **kwargs: Any) -> Any:
        graph = real_draw(root, rankdir, **kwargs)
        run.drawn.append((run.block, root, rankdir, graph))
        return graph

    swapped = None
    for cls, original in originals.items():
        cls.__init__ = wrap(original)
    viz.draw_dot = recording_draw
    if swap is not None:
        module = importlib.import_module(swap[0])
        swapped = (module, module.Value)
        module.Value = classes[swap[1]]
    try:
        yield
    finally:
        for cls, original in originals.items():
            cls.__init__ = original
        viz.draw_dot = real_draw
        if swapped is not None:
            swapped[0].Value = swapped[1]


def _run_block(code: str, kind: str, namespace: dict[str, Any]) -> Any:
    """Run one block for its effects; errors are the chapter's business (a
    doctest that expects one, a number that no longer matches) and do not
    stop the run. The last value of a script, else None."""
    try:
        examples = blockrun.examples_of(code) if kind == "doctest" else []
    except ValueError:  # not a valid doctest: the page said so when it ran
        return None
    # A doctest edited into plain code runs as a script, as on the page.
    if examples:
        for example in examples:
            try:
                exec(
                    compile(example.source, "<live>", "exec", dont_inherit=True),
                    namespace,
                )
            except Exception:  # noqa: BLE001, S110 - an example may raise on purpose
                pass
            finally:
                namespace.pop("__builtins__", None)
        return None
    try:
        return blockrun.run_script(code, namespace, "<live>")
    except Exception:  # noqa: BLE001 - see above
        return None


def _bind_drawing(namespace: dict[str, Any]) -> None:
    """Names bound before the run to draw_dot now mean the recording one."""
    import micrograd.viz as viz

    for name, value in list(namespace.items()):
        if (
            getattr(value, "__name__", None) == "draw_dot"
            and getattr(value, "__module__", "") == "micrograd.viz"
        ):
            namespace[name] = viz.draw_dot


def _titles(value: Any) -> dict[int, str]:
    if isinstance(value, dict):
        return {id(graph): str(title) for title, graph in value.items()}
    return {}


def _version(root: Any) -> str:
    return type(root).__module__


def _all_nodes(root: Any) -> list[Any]:
    from micrograd.viz import drawn_order

    # The n-th is "vn" in the DOT text draw_dot writes.
    return drawn_order(root)


def _order(root: Any) -> list[Any]:
    """Nodes with a rule, in the order the version's backward() runs them."""
    if _version(root) == "micrograd.engine":
        from micrograd.engine import topological_order

        return list(reversed(topological_order(root)))
    # Chapter 6's build_topo, visiting operands in the same set order as the
    # snapshots' own backward(), so stepping ends on its very numbers.
    topo: list[Any] = []
    visited: set[int] = set()

    def build(node: Any) -> None:
        if id(node) not in visited:
            visited.add(id(node))
            for child in node._prev:
                build(child)
            topo.append(node)

    build(root)
    return [node for node in reversed(topo) if node._prev]


def _has_rules(root: Any) -> bool:
    return hasattr(root, "_backward") and hasattr(root, "grad")


def _num(x: Any) -> str:
    """A number as the page shows it: rounded to 4 places, then repr; a
    number too small for that, to 3 significant digits."""
    try:
        number = float(x)
    except (TypeError, ValueError, OverflowError):
        return repr(x)
    if number != 0 and abs(number) < 5e-5:
        # A saturated tanh's slope is tiny, not zero: keep its first digits.
        return f"{number:.3g}"
    return repr(round(number, 4))


def _operands(out: Any) -> tuple[Any, Any, Any]:
    """(self, other, constant) of the operation that made `out`: the
    snapshot's closure names them, the engine's node holds them."""
    if hasattr(out, "_a"):
        return out._a, out._b, out._k
    rule = out._backward
    cells = dict(zip(rule.__code__.co_freevars, rule.__closure__ or (), strict=False))

    def cell(name: str) -> Any:
        return cells[name].cell_contents if name in cells else None

    other = cell("other")
    if other is not None and not hasattr(other, "_prev"):
        return cell("self"), None, other
    return cell("self"), other, None


def _formulas(out: Any, name: dict[int, str]) -> list[tuple[Any, str, str, float]]:
    """(operand, formula, the formula in numbers, its value) for each operand
    slot of `out`'s operation, as the book writes the local rule."""
    me, other, k = _operands(out)
    op = str(out._op)
    o = name[id(out)]
    g = float(out.grad)
    found: list[tuple[Any, str, str, float]] = []
    if me is None:
        return found
    m = name[id(me)]

    def add(target: Any, local: str, local_num: str, local_value: float) -> None:
        found.append(
            (target, f"{local} * {o}.grad", f"{local_num} * {_num(g)}", local_value * g)
        )

    if op == "+" and other is not None:
        add(me, "1.0", "1.0", 1.0)
        add(other, "1.0", "1.0", 1.0)
    elif op == "*" and other is not None:
        t = name[id(other)]
        add(me, f"{t}.data", _num(other.data), float(other.data))
        add(other, f"{m}.data", _num(me.data), float(me.data))
    elif op == "tanh":
        add(
            me,
            f"(1 - {o}.data**2)",
            f"(1 - {_num(out.data)}**2)",
            1 - float(out.data) ** 2,
        )
    elif op == "exp":
        add(me, f"{o}.data", _num(out.data), float(out.data))
    elif op.startswith("**"):
        p = float(k if k is not None else op[2:])
        value = p * float(me.data) ** (p - 1)
        add(
            me,
            f"{_num(p)} * {m}.data**{_num(p - 1)}",
            f"{_num(p)} * {_num(me.data)}**{_num(p - 1)}",
            value,
        )
    elif op.startswith("+ ") and k is not None:
        add(me, "1.0", "1.0", 1.0)
    elif op.startswith("* ") and k is not None:
        add(me, _num(k), _num(k), float(k))
    return found


def _measured(out: Any, nodes: list[Any]) -> tuple[dict[int, float], bool]:
    """What `out`'s own rule writes to each operand (from zero), and whether
    it adds (+=) rather than assigns; every gradient is put back after."""
    saved = [(node, node.grad) for node in nodes]
    try:
        targets = [node for node in nodes if node is not out]
        for node in targets:
            node.grad = 0.0
        out._backward()
        written = {id(node): float(node.grad) for node in targets}
        for node in targets:
            node.grad = 1.0
        out._backward()
        adds = any(
            math.isclose(float(node.grad) - written[id(node)], 1.0)
            for node in out._prev
            if node is not out
        )
        return written, adds
    finally:
        for node, grad in saved:
            node.grad = grad


def chain_steps(
    out: Any, nodes: list[Any], name: dict[int, str]
) -> list[dict[str, Any]]:
    """The chain-rule steps `out`'s rule takes, one per operand slot, with
    numbers: ``w1.grad += x1.data * x1w1.grad = 2.0 * 0.5``. Each formula is
    checked against what the version's rule actually writes; where they
    differ (or the operation is one this page has no formula for), the step
    shows the rule's own number."""
    written, adds = _measured(out, nodes)
    sign = "+=" if adds else "="
    steps = []
    formulas = _formulas(out, name)
    by_target: dict[int, float] = {}
    for target, _, _, value in formulas:
        previous = by_target.get(id(target), 0.0) if adds else 0.0
        by_target[id(target)] = previous + value
    agree = bool(formulas) and all(
        math.isclose(
            by_target[key], written.get(key, math.nan), rel_tol=1e-9, abs_tol=1e-12
        )
        for key in by_target
    )
    if agree:
        for target, formula, numbers, value in formulas:
            steps.append(
                {
                    "target": name[id(target)],
                    "text": f"{name[id(target)]}.grad {sign} {formula} = {numbers}",
                    "value": value,
                }
            )
        return steps
    for target in sorted(out._prev, key=lambda node: name[id(node)]):
        value = written[id(target)]
        steps.append(
            {
                "target": name[id(target)],
                "text": f"{name[id(target)]}.grad {sign} {_num(value)} "
                f"(what the {out._op} rule of {name[id(out)]} wrote)",
                "value": value,
            }
        )
    return steps


class LiveGraph:
    """One graph of a page, run again with the reader's leaf values."""

    def __init__(
        self,
        codes: list[tuple[str, str]],
        index: int = 0,
        swap: tuple[str, str] | None = None,
    ) -> None:
        self.codes = codes
        self.index = index
        self.swap = swap
        self.overrides: dict[int, Any] = {}
        self.previous: dict[str, tuple[str, str]] = {}
        #: The last drawing sent, its digits zeroed (see `_answer`).
        self.shape: str | None = None
        record = _Run(made={})
        namespace: dict[str, Any] = {}
        starts: list[tuple[int, dict[str, Any]]] = []
        last = len(codes) - 1
        value = None
        with _counting(record, swap), contextlib.redirect_stdout(io.StringIO()):
            for block, (code, kind) in enumerate(codes):
                record.block = block
                starts.append((record.count, dict(namespace)))
                _bind_drawing(namespace)
                value = _run_block(code, kind, namespace)
        roots = _distinct_roots(record, last)
        if not roots:
            raise NotLiveError("this block draws no graph of Values with draw_dot")
        if index >= len(roots):
            raise NotLiveError(f"this block draws {len(roots)} graphs, not {index + 1}")
        root, rankdir, graph = roots[index]
        titles = _titles(value)
        # A root drawn once per tab (chapter 8) keeps its tab's title; one
        # drawn at every step (chapter 5's tabs) is the whole story, untitled.
        drawings = sum(
            1 for item in record.drawn if item[0] == last and item[1] is root
        )
        self.title = titles.get(id(graph), "") if drawings == 1 else ""
        self.rankdir = rankdir
        if not hasattr(root, "_prev"):
            raise NotLiveError("the graph's output is not a Value")
        nodes = _all_nodes(root)
        made = [record.made[id(node)] for node in nodes if id(node) in record.made]
        if not made:
            raise NotLiveError(
                "the graph's Values were not made by the book's Value classes"
            )
        self.first = min(block for _, block in made)
        self.count_before, self.namespace = starts[self.first]
        leaves = sorted(
            (record.made[id(node)][0], node)
            for node in nodes
            if not node._prev and id(node) in record.made
        )
        self.leaf_numbers = [number for number, _ in leaves]
        self.initial = [node.data for _, node in leaves]
        self.names = _leaf_names([node for _, node in leaves])
        self.root = root
        self._settle()

    # ---- running again

    def rerun(self) -> None:
        run = _Run(count=self.count_before, overrides=dict(self.overrides))
        namespace = dict(self.namespace)
        with _counting(run, self.swap), contextlib.redirect_stdout(io.StringIO()):
            for block in range(self.first, len(self.codes)):
                run.block = block
                _bind_drawing(namespace)
                code, kind = self.codes[block]
                _run_block(code, kind, namespace)
        roots = _distinct_roots(run, len(self.codes) - 1)
        if len(roots) <= self.index:
            raise NotLiveError("with these values the block no longer draws this graph")
        self.root = roots[self.index][0]
        self._settle()

    def set_leaf(self, leaf: int, data: float) -> None:
        if not 0 <= leaf < len(self.leaf_numbers):
            raise ValueError(
                f"leaf must be 0 to {len(self.leaf_numbers) - 1}, got {leaf}"
            )
        self.overrides[self.leaf_numbers[leaf]] = data
        self.rerun()

    def _settle(self) -> None:
        """Gradients as the version gives them (see the module's notes)."""
        self.nodes = _all_nodes(self.root)
        self.dot_name = {id(node): f"v{i}" for i, node in enumerate(self.nodes)}
        self.name = _node_names(self.nodes)
        self.order = _order(self.root) if _has_rules(self.root) else []
        if not _has_rules(self.root):
            self.gradients = "by hand" if hasattr(self.root, "grad") else "none"
            return
        for node in self.nodes:
            node.grad = 0.0
        if hasattr(self.root, "backward"):
            self.gradients = "backward()"
            self.root.backward()
        else:
            self.gradients = "rules"
            self.root.grad = 1.0
            for node in self.order:
                node._backward()

    # ---- stepping

    @property
    def steps(self) -> int:
        """Presses from zeroed gradients to the end: the seed, then one per rule."""
        return 1 + len(self.order) if self.order else 0

    def step_to(self, k: int) -> dict[str, Any]:
        """Gradients after `k` presses; what the k-th press did."""
        if not self.order:
            raise NotLiveError("this version has no backward rules to step through")
        if not 0 <= k <= self.steps:
            raise ValueError(f"step must be 0 to {self.steps}, got {k}")
        for node in self.nodes:
            node.grad = 0.0
        done: dict[str, Any] = {
            "k": k,
            "total": self.steps,
            "node": None,
            "writes": [],
            "lines": [],
        }
        if k >= 1:
            self.root.grad = 1.0
            done["node"] = self.dot_name[id(self.root)]
            done["lines"] = [f"{self.name[id(self.root)]}.grad = 1.0 (the seed)"]
        for node in self.order[: max(k - 1, 0)]:
            if node is self.order[k - 2]:
                steps = chain_steps(node, self.nodes, self.name)
                done["node"] = self.dot_name[id(node)]
                done["writes"] = sorted({self.dot_name[id(c)] for c in node._prev})
                done["lines"] = [
                    f"{self.name[id(node)]}._backward(), the {node._op} rule:"
                ] + [step["text"] for step in steps]
            node._backward()
        return done

    # ---- what the page shows

    def state(self) -> dict[str, Any]:
        nodes = {}
        contributions = self._contributions()
        changed = []
        for node in self.nodes:
            dot = self.dot_name[id(node)]
            shown = (_num(node.data), _num(getattr(node, "grad", "")))
            key = self._key(node)
            if key in self.previous and self.previous[key] != shown:
                changed.append(dot)
            self.previous[key] = shown
            nodes[dot] = {
                "name": self.name[id(node)],
                "data": _num(node.data),
                "grad": _num(node.grad) if hasattr(node, "grad") else None,
                "op": str(node._op),
                "operands": sorted(self.name[id(c)] for c in node._prev),
                "steps": contributions.get(id(node), []),
            }
        return {
            "title": self.title,
            "version": _version(self.root),
            "gradients": self.gradients,
            "steps": self.steps,
            "leaves": [
                {
                    "index": i,
                    "name": self.names[i],
                    "data": self._leaf_data(i),
                    "initial": self.initial[i],
                    **_range(self.initial[i]),
                }
                for i in range(len(self.leaf_numbers))
            ],
            "nodes": nodes,
            "changed": changed,
            "output": self.dot_name[id(self.root)],
        }

    def _leaf_data(self, i: int) -> float:
        return float(self.overrides.get(self.leaf_numbers[i], self.initial[i]))

    def _contributions(self) -> dict[int, list[str]]:
        """For each node, the chain-rule steps that wrote its gradient."""
        found: dict[int, list[str]] = {}
        if not self.order:
            return found
        found[id(self.root)] = [f"{self.name[id(self.root)]}.grad = 1.0 (the seed)"]
        for node in self.order:
            for step in chain_steps(node, self.nodes, self.name):
                for target in node._prev:
                    if self.name[id(target)] == step["target"]:
                        found.setdefault(id(target), []).append(step["text"])
                        break
        return found

    def _key(self, node: Any) -> str:
        # The same value across runs, whatever its DOT name now.
        label = str(getattr(node, "label", "") or "")
        if label:
            return label
        if not node._prev:
            return f"leaf {self.name[id(node)]}"
        parts = sorted(self._key(child) for child in node._prev)
        return f"{node._op}({', '.join(parts)})"

    def drawing(self, highlight: tuple[str, ...] = ()) -> list[str | None]:
        from micrograd.viz import draw_dot

        marked = {node for node in self.nodes if self.dot_name[id(node)] in highlight}
        graph = draw_dot(self.root, self.rankdir, highlight=marked)
        return [self.title, graph.source, graph.description]


def _range(x: float) -> dict[str, float]:
    # Wide enough to saturate a tanh (n = 10 from the neuron's b) and to
    # cross zero from any of the book's leaves.
    span = max(10.0, 2 * abs(float(x)))
    return {"min": float(x) - span, "max": float(x) + span, "step": 0.1}


def _distinct_roots(run: _Run, block: int) -> list[tuple[Any, str, Any]]:
    """The roots drawn by `block`, each once, the last drawing of each kept."""
    roots: dict[int, tuple[Any, str, Any]] = {}
    for drawn_in, root, rankdir, graph in run.drawn:
        if drawn_in == block:
            roots.pop(id(root), None)
            roots[id(root)] = (root, rankdir, graph)
    return sorted(roots.values(), key=lambda item: _first_drawn(run, block, item[0]))


def _first_drawn(run: _Run, block: int, root: Any) -> int:
    return next(
        i for i, item in enumerate(run.drawn) if item[0] == block and item[1] is root
    )


def _leaf_names(leaves: list[Any]) -> list[str]:
    names = [
        str(getattr(leaf, "label", "") or "") or f"constant {_num(leaf.data)}"
        for leaf in leaves
    ]
    return [
        f"{name} ({names[:i].count(name) + 1})" if names.count(name) > 1 else name
        for i, name in enumerate(names)
    ]


def _node_names(nodes: list[Any]) -> dict[int, str]:
    """A name per node for the chain-rule text: its label, else its DOT name."""
    names = {}
    for i, node in enumerate(nodes):
        label = str(getattr(node, "label", "") or "")
        names[id(node)] = label or f"v{i}"
    return names


# ---- what the page calls (each answers JSON text)


#: A record's fields in draw_dot's DOT text: ``v3 [label="{ a | data ... }"``.
_RECORD = re.compile(
    r'^\t(v\d+) \[label="\{ (.*?) \}"[^\n]* shape=record', re.MULTILINE
)
_LABEL = re.compile(r'label="[^"]*"')


def _shape(source: str) -> str:
    """The DOT text with every digit of its labels made 0. Helvetica's digits
    are all one width, so two graphs of one shape are laid out alike, box for
    box: the page can write the new numbers into the drawing it has."""
    return _LABEL.sub(lambda label: re.sub(r"\d", "0", label.group(0)), source)


def _record_texts(source: str) -> dict[str, list[str]] | None:
    """Each record's lines of text as Graphviz writes them, or None where
    the text is not plain (escapes, line breaks, dashed copies)."""
    if "\\" in source or "_for_" in source:
        return None
    found = {name: fields.split(" | ") for name, fields in _RECORD.findall(source)}
    # Every box, highlighted ones too (their attributes come between), or none.
    if len(found) != source.count("shape=record"):
        return None
    return found


def _answer(live: dict[str, LiveGraph], step: dict[str, Any] | None = None) -> str:
    """Drawings and states. A graph of the same shape as the one last sent
    gets its records' new text instead of a drawing (``"texts"``), which
    spares Graphviz and the page's sanitiser on every slider move."""
    graphs = []
    states = []
    for key, graph in live.items():
        highlight: tuple[str, ...] = ()
        if step is not None:
            highlight = tuple(step["writes"]) or (
                (step["node"],) if step["node"] else ()
            )
        title, source, description = graph.drawing(highlight)
        state: dict[str, Any] = {"id": key, **graph.state(), "drawing": None}
        shape = _shape(source)
        texts = _record_texts(source) if shape == graph.shape else None
        if texts is not None:
            state["texts"] = texts
            state["description"] = description
        else:
            state["drawing"] = len(graphs)
            graphs.append([title, source, description])
        graph.shape = shape
        states.append(state)
    answer: dict[str, Any] = {"ok": True, "graphs": graphs, "live": states}
    if step is not None:
        answer["step"] = step
    return json.dumps(answer)


def _failed(error: Exception) -> str:
    return json.dumps({"ok": False, "error": str(error), "graphs": [], "live": []})


def _keep(graph: LiveGraph) -> str:
    global _made
    _made += 1
    key = f"g{_made}"
    _kept[key] = graph
    while len(_kept) > MAX_KEPT:
        _kept.pop(next(iter(_kept)))
    return key


def _find(key: str) -> LiveGraph:
    if key not in _kept:
        raise NotLiveError(f"no live graph {key!r}: make it live again")
    return _kept[key]


def prepare(codes_json: str) -> str:
    """Make the graphs of a block live. `codes_json`: the page's blocks as
    run, ``[[code, kind], ...]``, the block that draws last. Answers a
    drawing and a state per graph (and per twin: the same code with the
    version that assigns, or adds, instead)."""
    try:
        codes = [(str(code), str(kind)) for code, kind in json.loads(codes_json)]
        if not codes:
            raise NotLiveError("no block to make live")
        live: dict[str, LiveGraph] = {}
        index = 0
        while True:
            try:
                graph = LiveGraph(codes, index)
            except NotLiveError:
                if index == 0:
                    raise
                break
            key = _keep(graph)
            live[key] = graph
            twin = TWIN.get(_version(graph.root))
            if twin and _used_twice(graph) and len(live) == 1:
                other = LiveGraph(codes, index, (_version(graph.root), twin))
                live[f"{key}-twin"] = other
                _kept[f"{key}-twin"] = other
            index += 1
        return _answer(live)
    except (NotLiveError, ValueError, TypeError) as error:
        return _failed(error)


def set_leaf(key: str, leaf: int, data: float) -> str:
    """Run the graph's code again with leaf number `leaf` made with `data`
    (and its twin, if it has one)."""
    try:
        if (
            not isinstance(data, int | float)
            or isinstance(data, bool)
            or not math.isfinite(data)
        ):
            raise TypeError(f"data must be a finite number, got {data!r}")
        live = {key: _find(key)}
        if f"{key}-twin" in _kept:
            live[f"{key}-twin"] = _kept[f"{key}-twin"]
        for graph in live.values():
            graph.set_leaf(int(leaf), float(data))
        return _answer(live)
    except (NotLiveError, ValueError, TypeError) as error:
        return _failed(error)


def step(key: str, k: int) -> str:
    """The graph after `k` presses of Step (0: zeroed gradients)."""
    try:
        graph = _find(key)
        done = graph.step_to(int(k))
        return _answer({key: graph}, done)
    except (NotLiveError, ValueError, TypeError) as error:
        return _failed(error)


def _used_twice(graph: LiveGraph) -> bool:
    uses: dict[int, int] = {}
    for node in graph.nodes:
        me, other, _ = _operands(node) if node._prev else (None, None, None)
        for operand in (me, other):
            if operand is not None:
                uses[id(operand)] = uses.get(id(operand), 0) + 1
    return any(count > 1 for count in uses.values())
