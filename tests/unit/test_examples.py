"""micrograd.examples: the neuron chapters 4 to 8 share."""

from __future__ import annotations

import ast
import inspect
import math
from pathlib import Path

import pytest

from bookbuild import content
from micrograd import examples, versions
from micrograd.engine import Value as EngineValue

CHAPTER_4 = Path(__file__).resolve().parents[2] / "docs/chapters/04-a-neuron.md"


def _function(tree: ast.AST, name: str) -> ast.FunctionDef:
    return next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == name
    )


def test_chapter_4_shows_the_function_the_package_has() -> None:
    blocks = content.read(CHAPTER_4).blocks
    (fence,) = [f for f in blocks if f.source.startswith("def neuron(")]
    shown = _function(ast.parse(fence.source), "neuron")
    packaged = _function(ast.parse(inspect.getsource(examples)), "neuron")
    # The package adds one line, the check of its arguments, before the body.
    assert ast.unparse(packaged.body[1]).startswith("_check(")
    del packaged.body[1]
    # The page leaves out the type hints, which a learner does not need yet.
    for function in (shown, packaged):
        function.returns = None
        for argument in function.args.args:
            argument.annotation = None
    assert ast.dump(shown) == ast.dump(packaged)


@pytest.mark.parametrize("number", range(4, 9))
def test_every_version_from_4_builds_the_same_neuron(number: int) -> None:
    nodes = examples.neuron(versions.load(number).Value)
    assert tuple(v.label for v in nodes) == examples.NEURON_LABELS
    assert math.isclose(nodes[-1].data, math.sqrt(0.5), rel_tol=1e-12)


def test_the_engine_builds_it_and_backpropagates() -> None:
    x1, x2, w1, w2, *_, o = examples.neuron(EngineValue)
    o.backward()
    grads = [round(v.grad, 4) for v in (x1, w1, x2, w2)]
    assert grads == [-1.5, 1.0, 0.5, 0.0]


def test_a_nudge_moves_only_what_depends_on_the_node() -> None:
    plain = examples.neuron(versions.load(4).Value)
    nudged = examples.neuron(versions.load(4).Value, "x2w2", 0.5)
    changed = [a.label for a, b in zip(plain, nudged, strict=True) if a.data != b.data]
    assert changed == ["x2w2", "x1w1x2w2", "n", "o"]


def test_a_class_without_tanh_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="version 4 or later"):
        examples.neuron(versions.load(3).Value)
    with pytest.raises(TypeError, match="got 2.0"):
        examples.neuron(2.0)


def test_an_unknown_nudge_is_refused_with_the_labels() -> None:
    with pytest.raises(ValueError, match="nudge must be one of x1, x2, .* got 'w3'"):
        examples.neuron(versions.load(4).Value, "w3", 1e-6)
