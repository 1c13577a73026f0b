"""The activations are declared once, in `ACTIVATION_TABLE`: the methods,
their rules, `dot`'s fused rules and `micrograd.nn`'s choices follow it."""

from __future__ import annotations

import math

import pytest

from micrograd import engine, nn
from micrograd.engine import ACTIVATION_TABLE, ACTIVATIONS, Value, dot

ROWS = {act.name: act for act in ACTIVATION_TABLE}


def test_the_names_come_from_the_table() -> None:
    assert ACTIVATIONS == tuple(ROWS) == ("relu", "tanh", "sigmoid")
    assert nn.ACTIVATIONS is ACTIVATIONS


@pytest.mark.parametrize("name", list(ROWS))
def test_each_row_makes_a_method_with_its_function_symbol_and_doc(name: str) -> None:
    act = ROWS[name]
    method = getattr(Value, name)
    assert method.__name__ == name and method.__doc__ == act.doc
    for x in (-1.5, 0.0, 0.25, 3.0):
        a = Value(x)
        out = method(a)
        assert out.data == act.forward(x)
        assert out._op == act.symbol and out._prev == {a}


@pytest.mark.parametrize("name", list(ROWS))
@pytest.mark.parametrize("x", [-2.0, -0.3, 0.7, 2.5])
def test_each_rule_passes_back_the_slope_of_the_output(name: str, x: float) -> None:
    act = ROWS[name]
    a = Value(x)
    out = getattr(a, name)()
    out.grad = 0.5
    out._backward()
    slope = act.slope(out.data)
    assert a.grad == (0 if slope is None else slope * 0.5)
    # The slope from the output is the slope of the function at the input.
    h = 1e-6
    numeric = (act.forward(x + h) - act.forward(x - h)) / (2 * h)
    assert a.grad == pytest.approx(0.5 * numeric, abs=1e-6)


@pytest.mark.parametrize("name", list(ROWS))
def test_dot_uses_the_same_row(name: str) -> None:
    ws = [Value(0.5), Value(-1.0)]
    xs = [Value(1.5), Value(0.25)]
    bias = Value(0.125)
    fused = dot(ws, xs, bias, name)
    assert fused._op == f"dot {ROWS[name].symbol}"
    spelled_out = getattr(bias + ws[0] * xs[0] + ws[1] * xs[1], name)()
    assert fused.data == spelled_out.data
    fused.backward()
    fused_grads = [v.grad for v in (*ws, *xs, bias)]
    for v in (*ws, *xs, bias):
        v.grad = 0
    spelled_out.backward()
    assert [v.grad for v in (*ws, *xs, bias)] == fused_grads


def test_relu_off_passes_nothing_not_even_nan() -> None:
    x = Value(-1.0)
    out = x.relu()
    out.grad = math.inf
    out._backward()
    # Nothing added: the grad is still the int it started as.
    assert x.grad == 0 and type(x.grad) is int
    n = dot([Value(1.0)], [Value(-1.0)], 0.0, "relu")
    n.grad = math.inf
    n._backward()
    assert [v.grad for v in n._prev] == [0, 0, 0]


def test_neuron_names_follow_the_symbols() -> None:
    names = [repr(nn.Neuron(2, activation=name)) for name in ACTIVATIONS]
    assert names == ["ReLUNeuron(2)", "TanhNeuron(2)", "SigmoidNeuron(2)"]


def test_no_activation_is_written_out_a_second_time() -> None:
    # The rules live in the table's closures, not as named functions.
    leftovers = [name for name in ("_relu", "_tanh", "_sigmoid")
                 if hasattr(Value, name)]
    leftovers += [name for name in dir(engine) if name.startswith("_dot_")
                  and name != "_dot_rule"]
    assert leftovers == []
