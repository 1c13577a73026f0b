"""bookbuild/live_graph.py under CPython: the chapters' graphs run again
with a leaf changed, their chain-rule steps, and stepping through backward."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from bookbuild import content, runnable

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bookbuild"))
import live_graph  # noqa: E402 - a top-level module in the page, as here

from micrograd.engine import Value as EngineValue  # noqa: E402

CHAPTERS = Path(__file__).resolve().parents[2] / "docs" / "chapters"
NEURON = ["x1", "x2", "w1", "w2", "b"]


def codes_until(chapter: str, contains: str, nth: int = 1) -> list[tuple[str, str]]:
    """The page's blocks as the page runs them, up to the `nth` block whose
    code contains `contains`."""
    found = []
    for verdict in runnable.blocks(content.read(CHAPTERS / chapter)):
        source = verdict.block.source.rstrip("\n")
        if verdict.runs:
            found.append((source, verdict.kind))
        elif verdict.prelude:
            found.append((verdict.prelude, "script"))
        if contains in source:
            nth -= 1
            if nth == 0:
                return found
    raise LookupError(f"{chapter} has no block with {contains!r}")


def engine_neuron(x1: float, x2: float, w1: float, w2: float, b: float) -> dict:
    """The neuron in the complete library, for numbers to compare with."""
    xs = {
        "x1": EngineValue(x1),
        "x2": EngineValue(x2),
        "w1": EngineValue(w1),
        "w2": EngineValue(w2),
        "b": EngineValue(b),
    }
    n = xs["x1"] * xs["w1"] + xs["x2"] * xs["w2"] + xs["b"]
    o = n.tanh()
    o.backward()
    return {"o": o.data, "n": n.data, **{k: v.grad for k, v in xs.items()}}


def by_label(graph: live_graph.LiveGraph) -> dict:
    return {node.label: node for node in graph.nodes if node.label}


GRAPHS = {
    "chapter 5's neuron": ("05-backward-rules.md", 'draw_dot(o, rankdir="TB")', 1),
    "chapter 5's steps": ("05-backward-rules.md", "steps = {}", 1),
    "chapter 6's neuron": ("06-topological-order.md", 'draw_dot(o, rankdir="TB")', 1),
    "chapter 8's tanh as one node": ("08-more-operations.md", "tanh from parts", 1),
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
@pytest.mark.parametrize(
    "leaves",
    [
        (2.0, 0.0, -3.0, 1.0, 6.8813735870195432),
        (2.0, 0.0, 0.5, 1.0, 6.8813735870195432),
        (2.0, 0.0, -3.0, 1.0, 16.0),  # n = 10: a saturated tanh
        (-1.5, 2.0, 0.25, -0.75, 0.1),
    ],
)
def test_neuron_graphs_follow_the_leaves(name: str, leaves: tuple) -> None:
    chapter, contains, nth = GRAPHS[name]
    graph = live_graph.LiveGraph(codes_until(chapter, contains, nth))
    assert graph.names[:5] == NEURON
    for index, data in enumerate(leaves):
        graph.set_leaf(index, data)
    expected = engine_neuron(*leaves)
    found = by_label(graph)
    assert math.isclose(found["o"].data, expected["o"], rel_tol=1e-12)
    for leaf in NEURON:
        assert found[leaf].data == leaves[NEURON.index(leaf)]
        assert math.isclose(
            found[leaf].grad, expected[leaf], rel_tol=1e-9, abs_tol=1e-15
        )


def test_leaves_are_found_in_the_order_they_were_made() -> None:
    graph = live_graph.LiveGraph(codes_until("03-backprop-by-hand.md", "draw_dot(L"))
    assert graph.names == ["a", "b", "c", "f"]
    assert graph.initial == [2.0, -3.0, 10.0, -2.0]
    assert graph.gradients == "by hand"
    assert graph.steps == 0


def test_chapter_3_gradients_by_hand_follow_a_change() -> None:
    # The chapter computes each gradient from the data (a.grad = b.data *
    # e.grad): running it again with a = 5 gives the new slopes.
    graph = live_graph.LiveGraph(codes_until("03-backprop-by-hand.md", "draw_dot(L", 2))
    graph.set_leaf(0, 5.0)
    found = by_label(graph)
    assert found["L"].data == (5.0 * -3.0 + 10.0) * -2.0
    assert found["a"].grad == -3.0 * -2.0
    assert found["b"].grad == 5.0 * -2.0


def test_the_chain_rule_step_reads_with_numbers() -> None:
    graph = live_graph.LiveGraph(
        codes_until("05-backward-rules.md", 'draw_dot(o, rankdir="TB")')
    )
    graph.set_leaf(NEURON.index("x1"), 2.5)
    state = graph.state()
    w1 = next(node for node in state["nodes"].values() if node["name"] == "w1")
    x1w1 = by_label(graph)["x1w1"]
    assert w1["steps"] == [
        f"w1.grad = x1.data * x1w1.grad = 2.5 * {round(x1w1.grad, 4)!r}"
    ]
    assert w1["op"] == ""
    n = next(node for node in state["nodes"].values() if node["name"] == "n")
    assert n["op"] == "+"
    assert n["operands"] == ["b", "x1w1x2w2"]


def test_version_7_adds_and_version_6_overwrites() -> None:
    codes = codes_until("07-gradients-add-up.md", 'draw_dot(f, rankdir="TB")')
    answer = json.loads(live_graph.prepare(json.dumps(codes)))
    adds, assigns = answer["live"]
    assert adds["version"] == "micrograd.versions.v7"
    assert assigns["version"] == "micrograd.versions.v6"
    assert assigns["id"] == adds["id"] + "-twin"

    def a_of(state: dict) -> dict:
        return next(node for node in state["nodes"].values() if node["name"] == "a")

    # f = (a*b)(a+b) at a = -2, b = 3: df/da = b(a+b) + ab = 3 - 6.
    assert a_of(adds)["grad"] == "-3.0"
    assert sorted(a_of(adds)["steps"]) == [
        "a.grad += 1.0 * e.grad = 1.0 * -6.0",
        "a.grad += b.data * d.grad = 3.0 * 1.0",
    ]
    assert a_of(assigns)["grad"] != "-3.0"
    assert all(step.startswith("a.grad = ") for step in a_of(assigns)["steps"])
    # A change reaches both.
    changed = json.loads(live_graph.set_leaf(adds["id"], 0, 1.0))
    new_adds, new_assigns = changed["live"]
    assert a_of(new_adds)["grad"] == repr(3.0 * (1.0 + 3.0) + 1.0 * 3.0)
    assert a_of(new_assigns)["data"] == "1.0"


ENGINE_CODE = (
    "from micrograd.engine import Value\n"
    "from micrograd.examples import neuron\n"
    "from micrograd.viz import draw_dot\n"
    "x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o = neuron(Value)\n"
    'draw_dot(o, rankdir="TB")'
)

STEPPED = {
    "version 5": codes_until("05-backward-rules.md", 'draw_dot(o, rankdir="TB")'),
    "version 6": codes_until("06-topological-order.md", 'draw_dot(o, rankdir="TB")'),
    "version 7": codes_until("07-gradients-add-up.md", 'draw_dot(f, rankdir="TB")'),
    "version 8": codes_until("08-more-operations.md", "tanh from parts"),
    "the engine": [(ENGINE_CODE, "script")],
}


@pytest.mark.parametrize(
    ("name", "index"),
    # Chapter 8's block draws two graphs: tanh as one node, and from parts.
    [(name, 0) for name in sorted(STEPPED)] + [("version 8", 1)],
)
def test_stepping_ends_where_backward_does(name: str, index: int) -> None:
    codes = STEPPED[name]
    graph = live_graph.LiveGraph(codes, index)
    graph.set_leaf(len(graph.names) - 1, 0.75)
    after_backward = [node.grad for node in graph.nodes]
    assert graph.steps == 1 + sum(1 for node in graph.nodes if node._prev)
    first = graph.step_to(0)
    assert first["node"] is None
    assert all(node.grad == 0 for node in graph.nodes)
    seeded = graph.step_to(1)
    assert graph.root.grad == 1.0 and seeded["lines"][0].endswith("(the seed)")
    middle = graph.step_to(2)
    assert middle["node"] == graph.dot_name[id(graph.root)]
    assert middle["writes"] == sorted(graph.dot_name[id(c)] for c in graph.root._prev)
    assert len(middle["lines"]) >= 2
    graph.step_to(graph.steps)
    assert [node.grad for node in graph.nodes] == after_backward


def test_engine_chain_steps_name_the_constant() -> None:
    code = (
        "from micrograd.engine import Value\n"
        "from micrograd.viz import draw_dot\n"
        "a = Value(3.0, label='a')\n"
        "y = a * 2 + 1\n"
        "y.label = 'y'\n"
        "draw_dot(y)"
    )
    graph = live_graph.LiveGraph([(code, "script")])
    assert graph.names == ["a"]
    a = next(node for node in graph.state()["nodes"].values() if node["name"] == "a")
    assert a["steps"] == ["a.grad += 2.0 * v0.grad = 2.0 * 1.0"]


def test_dot_names_are_draw_dots() -> None:
    graph = live_graph.LiveGraph(codes_until("05-backward-rules.md", "steps = {}"))
    title, dot, description = graph.drawing()
    assert description.startswith("Computation graph of 10 values")
    for node in graph.nodes:
        name = graph.dot_name[id(node)]
        assert f'\t{name} [label="{{ {node.label} |' in dot


def test_changed_nodes_are_reported() -> None:
    graph = live_graph.LiveGraph(
        codes_until("05-backward-rules.md", 'draw_dot(o, rankdir="TB")')
    )
    assert graph.state()["changed"] == []
    graph.set_leaf(NEURON.index("w2"), 2.0)
    state = graph.state()
    changed = {state["nodes"][dot]["name"] for dot in state["changed"]}
    # x2 = 0: w2 moves nothing downstream, but x2's gradient is w2 times 0.5.
    assert changed == {"w2", "x2"}
    assert graph.state()["changed"] == []


def test_bad_input_is_named() -> None:
    nothing = json.loads(live_graph.prepare(json.dumps([["x = 1", "script"]])))
    assert not nothing["ok"] and "draws no graph" in nothing["error"]
    codes = codes_until("05-backward-rules.md", 'draw_dot(o, rankdir="TB")')
    key = json.loads(live_graph.prepare(json.dumps(codes)))["live"][0]["id"]
    text = json.loads(live_graph.set_leaf(key, 0, "two"))
    assert not text["ok"] and "finite number" in text["error"]
    wrong = json.loads(live_graph.set_leaf(key, 9, 1.0))
    assert not wrong["ok"] and "leaf must be 0 to 4" in wrong["error"]
    gone = json.loads(live_graph.step("g-none", 1))
    assert not gone["ok"] and "no live graph" in gone["error"]
    far = json.loads(live_graph.step(key, 99))
    assert not far["ok"] and "step must be 0 to 6" in far["error"]


def test_a_move_that_keeps_the_shape_sends_text_not_a_drawing() -> None:
    codes = codes_until("05-backward-rules.md", 'draw_dot(o, rankdir="TB")')
    first = json.loads(live_graph.prepare(json.dumps(codes)))
    key = first["live"][0]["id"]
    assert first["live"][0]["drawing"] == 0 and len(first["graphs"]) == 1
    # w1 from -3 to -2.5: the same digits' count and signs in every box.
    same = json.loads(live_graph.set_leaf(key, NEURON.index("w1"), -2.5))
    state = same["live"][0]
    assert same["graphs"] == [] and state["drawing"] is None
    graph = live_graph._find(key)
    w1 = next(name for name, node in state["nodes"].items() if node["name"] == "w1")
    assert state["texts"][w1] == [
        "w1",
        "data -2.5000",
        f"grad {by_label(graph)['w1'].grad:.4f}",
    ]
    assert state["description"] == graph.drawing()[2]
    # w1 = 2.5: x1w1 turns positive, a '-' goes, so the layout may change.
    other = json.loads(live_graph.set_leaf(key, NEURON.index("w1"), 2.5))
    assert other["live"][0]["drawing"] == 0 and len(other["graphs"]) == 1


def test_titles_come_from_the_tabs_of_separate_graphs_only() -> None:
    parts = live_graph.LiveGraph(
        codes_until("08-more-operations.md", "tanh from parts"), 1
    )
    assert parts.title == "tanh from parts"
    steps = live_graph.LiveGraph(codes_until("05-backward-rules.md", "steps = {}"))
    assert steps.title == ""


def test_a_step_drawn_in_place_gives_every_box_its_text() -> None:
    # Steps 3 and 4 of chapter 7's graph colour the same boxes (a and b). At
    # a = b = 1 their gradients are one digit either way round (the order of
    # d and e follows a set's): the same shape, so step 4 comes as text,
    # highlighted boxes included.
    codes = codes_until("07-gradients-add-up.md", 'draw_dot(f, rankdir="TB")')
    key = json.loads(live_graph.prepare(json.dumps(codes)))["live"][0]["id"]
    json.loads(live_graph.set_leaf(key, 0, 1.0))
    json.loads(live_graph.set_leaf(key, 1, 1.0))
    json.loads(live_graph.step(key, 3))
    last = json.loads(live_graph.step(key, 4))["live"][0]
    assert last["drawing"] is None
    texts = {
        last["nodes"][name]["name"]: lines for name, lines in last["texts"].items()
    }
    assert set(texts) == {"a", "b", "d", "e", "f"}
    # f = (a b)(a + b): df/da = b(a + b) + a b = 3 at a = b = 1.
    assert texts["a"] == ["a", "data 1.0000", "grad 3.0000"]
    assert texts["b"] == ["b", "data 1.0000", "grad 3.0000"]
