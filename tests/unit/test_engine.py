"""micrograd.engine.Value: each operation's value and gradient, finite
differences on random expressions, deep graphs, accumulation and repr."""

from __future__ import annotations

import gc
import math
import random

import pytest
from expressions import SMOOTH_OPS, programs, run_program
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from micrograd.engine import Value, dot


def grads_of(build, *xs: float) -> tuple[float, list[float]]:
    """Value and gradients of build(*leaves) at xs."""
    leaves = [Value(x) for x in xs]
    out = build(*leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


# (name, function of Values, inputs, expected value, expected gradients)
CASES = [
    ("add", lambda a, b: a + b, (2.0, -3.0), -1.0, [1.0, 1.0]),
    ("add const", lambda a: a + 1.5, (2.0,), 3.5, [1.0]),
    ("radd const", lambda a: 1.5 + a, (2.0,), 3.5, [1.0]),
    ("sub", lambda a, b: a - b, (2.0, -3.0), 5.0, [1.0, -1.0]),
    ("sub const", lambda a: a - 1.5, (2.0,), 0.5, [1.0]),
    ("rsub const", lambda a: 1.5 - a, (2.0,), -0.5, [-1.0]),
    ("neg", lambda a: -a, (2.0,), -2.0, [-1.0]),
    ("mul", lambda a, b: a * b, (2.0, -3.0), -6.0, [-3.0, 2.0]),
    ("mul const", lambda a: a * 3, (2.0,), 6.0, [3.0]),
    ("rmul const", lambda a: 3 * a, (2.0,), 6.0, [3.0]),
    ("div", lambda a, b: a / b, (3.0, -2.0), -1.5, [-0.5, -0.75]),
    ("div const", lambda a: a / 4, (3.0,), 0.75, [0.25]),
    ("rdiv const", lambda a: 6 / a, (3.0,), 2.0, [-6 / 9]),
    ("pow int", lambda a: a**3, (2.0,), 8.0, [12.0]),
    ("pow float", lambda a: a**0.5, (4.0,), 2.0, [0.25]),
    ("pow negative", lambda a: a**-1, (4.0,), 0.25, [-1 / 16]),
    ("exp", lambda a: a.exp(), (1.0,), math.e, [math.e]),
    ("log", lambda a: a.log(), (2.0,), math.log(2.0), [0.5]),
    ("relu active", lambda a: a.relu(), (2.0,), 2.0, [1.0]),
    ("relu inactive", lambda a: a.relu(), (-2.0,), 0, [0]),
    ("relu at zero", lambda a: a.relu(), (0.0,), 0.0, [0]),
    ("tanh", lambda a: a.tanh(), (0.5,), math.tanh(0.5), [1 - math.tanh(0.5) ** 2]),
    (
        "sigmoid",
        lambda a: a.sigmoid(),
        (0.5,),
        1 / (1 + math.exp(-0.5)),
        [math.exp(-0.5) / (1 + math.exp(-0.5)) ** 2],
    ),
    (
        "sigmoid negative",
        lambda a: a.sigmoid(),
        (-0.5,),
        1 / (1 + math.exp(0.5)),
        [math.exp(0.5) / (1 + math.exp(0.5)) ** 2],
    ),
    ("same operand twice", lambda a: a * a, (3.0,), 9.0, [6.0]),
    (
        "dot",
        lambda w0, w1, x0, x1, b: dot([w0, w1], [x0, x1], b),
        (2.0, 3.0, 5.0, 7.0, 1.0),
        32.0,
        [5.0, 7.0, 2.0, 3.0, 1.0],
    ),
    (
        "dot of numbers",
        lambda w0, w1, b: dot([w0, w1], [5.0, 7], b),
        (2.0, 3.0, 1.0),
        32.0,
        [5.0, 7.0, 1.0],
    ),
    (
        "dot of a mix",
        lambda w0, w1, x1: dot([w0, w1], [5.0, x1], 0.5),
        (2.0, 3.0, 7.0),
        31.5,
        [5.0, 7.0, 3.0],
    ),
]


@pytest.mark.parametrize(
    ("name", "build", "xs", "value", "grads"), CASES, ids=[case[0] for case in CASES]
)
def test_each_operation(name, build, xs, value, grads) -> None:
    data, got = grads_of(build, *xs)
    assert data == pytest.approx(value, rel=1e-14, abs=1e-15)
    assert got == pytest.approx(grads, rel=1e-14, abs=1e-15)


def test_ops_accept_int_data_and_keep_ints() -> None:
    # As in the original engine, ints stay ints until something makes a float.
    c = Value(2) * Value(3) + 1
    assert c.data == 7
    assert isinstance(c.data, int)


def test_stable_tanh_and_sigmoid_at_extremes() -> None:
    assert Value(400).tanh().data == 1.0
    assert Value(-400).tanh().data == -1.0
    assert Value(400).sigmoid().data == 1.0
    assert 0.0 <= Value(-400).sigmoid().data < 1e-170
    for x in (400.0, -400.0, 1e308, -1e308):
        for out in (Value(x).tanh(), Value(x).sigmoid()):
            out.backward()
            assert math.isfinite(out.data)


def test_tanh_gradient_vanishes_when_saturated() -> None:
    x = Value(400.0)
    x.tanh().backward()
    assert x.grad == 0.0


def test_repr_matches_the_original_engine() -> None:
    assert repr(Value(1.5)) == "Value(data=1.5, grad=0)"
    y = Value(2.0) * 3
    y.backward()
    assert repr(y) == "Value(data=6.0, grad=1)"


def test_label_is_optional_and_settable() -> None:
    a = Value(1.0, label="a")
    b = a * 2
    assert a.label == "a"
    assert b.label == ""
    b.label = "b"
    assert b.label == "b"


def test_graph_shape_for_drawing() -> None:
    a, b = Value(2.0), Value(3.0)
    assert a._prev == set() and a._op == ""
    assert (a + b)._prev == {a, b} and (a + b)._op == "+"
    assert (a * b)._op == "*"
    assert (a * a)._prev == {a}
    assert (a**2)._op == "**2" and (a**0.5)._op == "**0.5"
    assert (a * 3)._prev == {a} and "3" in (a * 3)._op
    assert a.relu()._op == "ReLU"
    assert a.tanh()._op == "tanh" and a.exp()._op == "exp"
    assert a.log()._op == "log" and a.sigmoid()._op == "sigmoid"
    x = Value(5.0)
    assert dot([a, b], [x, 1.0], 0.5)._prev >= {a, b, x}


def test_draw_dot_walks_the_graph() -> None:
    pytest.importorskip("graphviz", reason="drawing needs the graphviz package")
    from micrograd.viz import draw_dot

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    e = (a * b + 1).tanh()
    e.backward()
    source = draw_dot(e).source
    assert "tanh" in source and "data 2.0000" in source


def test_gradients_accumulate_across_backward_calls() -> None:
    # The original engine sets the output's grad to 1 and adds into every
    # other grad, so a second call with no zeroing adds a second round.
    a = Value(3.0)
    b = a * a
    c = b + 1
    c.backward()
    assert (a.grad, b.grad, c.grad) == (6.0, 1.0, 1)
    c.backward()
    assert (a.grad, b.grad, c.grad) == (18.0, 2.0, 1)


def test_shared_subexpression_gets_both_contributions() -> None:
    a = Value(2.0)
    b = a * 3
    c = b * b + b
    c.backward()
    # c = 9a^2 + 3a, dc/da = 18a + 3.
    assert a.grad == 39.0


def test_backward_of_a_leaf_sets_its_grad() -> None:
    a = Value(5.0)
    a.backward()
    assert a.grad == 1


def test_backward_closure_compatibility() -> None:
    # The original engine lets one step be applied by hand through _backward.
    a, b = Value(2.0), Value(3.0)
    c = a * b
    c.grad = 1.0
    c._backward()
    assert (a.grad, b.grad) == (3.0, 2.0)
    a._backward()  # a leaf's step does nothing


def test_hand_built_node_keeps_children_but_passes_no_gradient() -> None:
    a, b = Value(1.0), Value(2.0)
    c = Value(3.0, (a, b), "custom")
    assert c._prev == {a, b}
    assert c._op == "custom"
    (c * 2).backward()
    assert c.grad == 2 and a.grad == 0 and b.grad == 0


@pytest.mark.slow
def test_million_op_chain_backpropagates_without_recursion() -> None:
    x = Value(0.5)
    y = x
    for i in range(500_000):
        y = y * 1.000001
        y = y + i * 1e-9
    y.backward()
    assert x.grad == pytest.approx(1.000001**500_000, rel=1e-9)
    del y  # freeing a million-deep chain must not overflow the C stack either


def test_deep_chain_of_binary_ops() -> None:
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y + x
    y.backward()
    assert x.grad == 100_001


def test_a_dropped_graph_leaves_no_cycles_for_the_collector() -> None:
    gc.collect()
    gc.disable()
    try:
        a = Value(0.3)
        out = a
        for _ in range(1000):
            out = (out * a + 1).tanh() + dot([a], [out], a)
        out.backward()
        del out
        # Without reference cycles everything is already freed, so the
        # collector finds nothing it alone could reclaim.
        assert gc.collect() == 0
    finally:
        gc.enable()


def _operands(node: Value) -> list[Value]:
    return [v for v in (node._a, node._b, *node._more) if v is not None]


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_topological_order_of_layers_that_share_inputs(seed: int) -> None:
    """Layers of dot nodes read the same inputs, and some weights are computed
    values rather than leaves: every node with a rule comes once, after all
    of its operands, and leaves never come."""
    from micrograd.engine import topological_order

    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-1, 1)) for _ in range(6)]
    layer = leaves[:3]
    for _ in range(rng.randint(1, 4)):
        width = rng.randint(1, 5)
        layer = [
            dot([rng.choice(leaves) * rng.choice(leaves) if rng.random() < 0.3
                 else rng.choice(leaves) for _ in layer],
                layer, rng.choice(leaves), rng.choice([None, "relu", "tanh"]))
            for _ in range(width)]
    root = layer[0]
    for node in layer[1:]:
        root = root + node
    order = topological_order(root)
    assert len(order) == len(set(order))
    position = {node: i for i, node in enumerate(order)}
    reachable, stack = set(), [root]
    while stack:
        node = stack.pop()
        if node not in reachable:
            reachable.add(node)
            stack.extend(_operands(node))
    assert set(order) == {v for v in reachable if v._rule is not None}
    for node in order:
        for operand in _operands(node):
            if operand._rule is not None:
                assert position[operand] < position[node]


def test_dot_matches_the_unfused_sum() -> None:
    rng = random.Random(7)
    for n in (1, 2, 16, 50):
        ws = [rng.uniform(-1, 1) for _ in range(n)]
        xs = [rng.uniform(-1, 1) for _ in range(n)]
        b = rng.uniform(-1, 1)

        def fused(*leaves, n=n):
            return dot(leaves[:n], leaves[n : 2 * n], leaves[2 * n]).tanh()

        def unfused(*leaves, n=n):
            total = leaves[2 * n]
            for w, x in zip(leaves[:n], leaves[n : 2 * n], strict=True):
                total = total + w * x
            return total.tanh()

        value1, grads1 = grads_of(fused, *ws, *xs, b)
        value2, grads2 = grads_of(unfused, *ws, *xs, b)
        assert value1 == value2
        assert grads1 == pytest.approx(grads2, rel=1e-12, abs=1e-15)


# ---- finite differences on random expressions -------------------------------

inputs = st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(program=programs(SMOOTH_OPS, max_size=12), xs=inputs)
def test_gradients_match_central_differences(program, xs) -> None:
    leaves = [Value(x) for x in xs]
    out = run_program(program, leaves)
    assume(math.isfinite(out.data) and abs(out.data) < 1e6)
    out.backward()
    h = 1e-6
    for index in range(len(xs)):

        def f(delta: float, index: int = index) -> float:
            shifted = list(xs)
            shifted[index] += delta
            return run_program(program, [Value(x) for x in shifted]).data

        numeric = (f(h) - f(-h)) / (2 * h)
        analytic = leaves[index].grad
        assert analytic == pytest.approx(numeric, rel=1e-4, abs=1e-4)
