"""micrograd.viz: tracing and drawing graphs of every version from v2 on."""

from __future__ import annotations

import re
import subprocess
import sys

import graphviz
import pytest

from micrograd import versions, viz
from micrograd.engine import Value as EngineValue


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def _expression(Value):  # noqa: N803 - the class is passed in
    a, b, c = Value(2.0), Value(-3.0), Value(10.0)
    return a, b, c, a * b + c


def test_trace_finds_every_value_and_edge() -> None:
    a, b, c, d = _expression(versions.load(2).Value)
    nodes, edges = viz.trace(d)
    (e,) = [node for node in nodes if node._op == "*"]
    assert nodes == {a, b, c, d, e}
    assert edges == {(a, e), (b, e), (e, d), (c, d)}


def test_trace_survives_a_long_chain() -> None:
    Value = versions.load(2).Value
    x = Value(0.0)
    one = Value(1.0)
    for _ in range(200_000):
        x = x + one
    nodes, _ = viz.trace(x)
    assert len(nodes) == 200_002


@pytest.mark.parametrize("number", range(2, 9))
def test_draw_dot_shows_what_each_version_has(number: int) -> None:
    *_, d = _expression(versions.load(number).Value)
    svg = viz.draw_dot(d).svg()
    texts = _texts(svg)
    assert "data 4.0000" in texts and "+" in texts and "*" in texts
    has_grad = hasattr(d, "grad")
    assert any(t.startswith("grad") for t in texts) == has_grad


def test_draw_dot_on_the_engine_shows_labels_and_grads() -> None:
    x = EngineValue(3.0, label="x")
    y = (x * x).relu()
    y.label = "y"
    y.backward()
    texts = _texts(viz.draw_dot(y).svg())
    assert "x" in texts and "y" in texts
    assert "grad 6.0000" in texts


def test_labels_with_record_syntax_are_escaped() -> None:
    Value = versions.load(3).Value
    a = Value(1.0, label='a|{b}<c> "q" \\')
    svg = viz.draw_dot(a * a).svg()
    assert "a|{b}&lt;c&gt; &quot;q&quot; \\" in _texts(svg)


@pytest.mark.parametrize("rankdir", ["LR", "TB", "RL", "BT"])
def test_every_direction_draws(rankdir: str) -> None:
    *_, d = _expression(versions.load(3).Value)
    assert f"rankdir={rankdir}" in viz.draw_dot(d, rankdir=rankdir).source


def test_the_limit_can_be_raised() -> None:
    x = EngineValue(0.0)
    for _ in range(2_500):
        x = x + 1
    with pytest.raises(viz.GraphTooLargeError):
        viz.draw_dot(x)
    assert isinstance(viz.draw_dot(x, max_nodes=3_000), graphviz.Digraph)


def test_something_that_is_not_a_value_is_refused() -> None:
    with pytest.raises(TypeError, match="got float"):
        viz.draw_dot(3.0)
    with pytest.raises(TypeError, match="got Value"):
        viz.draw_dot(versions.load(1).Value(1.0))


def test_jupyter_gets_svg_without_a_system_graphviz() -> None:
    *_, d = _expression(versions.load(3).Value)
    graph = viz.draw_dot(d)
    bundle = graph._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert "</svg>" in graph._repr_svg_()


def test_the_same_graph_gives_the_same_dot_text() -> None:
    first = viz.draw_dot(_expression(versions.load(3).Value)[-1]).source
    second = viz.draw_dot(_expression(versions.load(3).Value)[-1]).source
    assert first == second


def test_rendering_leaves_a_quiet_exit() -> None:
    code = (
        "from micrograd.versions.v3 import Value\n"
        "from micrograd.viz import draw_dot\n"
        "draw_dot(Value(1.0) * Value(2.0)).svg()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stderr == ""


def test_highlighted_values_are_filled_and_others_are_not() -> None:
    a, b, c, d = _expression(versions.load(3).Value)
    svg = viz.draw_dot(d, highlight={a, c}).svg()
    filled = re.findall(
        r'class="node">\s*<title>(\w+)</title>\s*<polygon fill="#ff9800"', svg
    )
    data_by_name = dict(
        re.findall(
            r"<title>(v\d+)</title>\s*<polygon[^>]*>\s*<text[^>]*>data ([^<]*)</text>",
            svg,
        )
    )
    assert sorted(data_by_name[name] for name in filled) == ["10.0000", "2.0000"]


def test_highlight_refuses_a_value_outside_the_graph() -> None:
    Value = versions.load(3).Value
    *_, d = _expression(Value)
    with pytest.raises(ValueError, match="not in the graph of root"):
        viz.draw_dot(d, highlight=[Value(1.0)])


def test_highlight_refuses_a_single_value() -> None:
    a, *_, d = _expression(versions.load(3).Value)
    with pytest.raises(TypeError, match="highlight must be a collection of values"):
        viz.draw_dot(d, highlight=a)
