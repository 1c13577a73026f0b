"""micrograd.engine and micrograd.nn offer the public API of the original
micrograd library, with its numbers."""

from __future__ import annotations

import inspect
import random

import pytest

from micrograd.engine import Value
from micrograd.nn import MLP, Layer, Module, Neuron


def test_readme_example_numbers() -> None:
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    assert f"{g.data:.4f}" == "24.7041"
    g.backward()
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


def test_constructor_signature() -> None:
    params = list(inspect.signature(Value).parameters)
    assert params[:3] == ["data", "_children", "_op"]
    a, b = Value(1.0), Value(2.0)
    c = Value(3.0, (a, b), "+")
    assert c.data == 3.0 and c.grad == 0
    assert c._prev == {a, b} and c._op == "+"


def test_value_attributes() -> None:
    v = Value(2.0)
    assert v.data == 2.0
    assert v.grad == 0
    assert isinstance(v._prev, set) and v._prev == set()
    assert v._op == ""
    v.data = 5.0
    v.grad = 0.5
    assert (v.data, v.grad) == (5.0, 0.5)


def test_every_reference_operator_exists() -> None:
    x = Value(3.0)
    results = [x + 1, 1 + x, x - 1, 1 - x, x * 2, 2 * x, x / 2, 2 / x, x**2, -x,
               x.relu()]
    assert [r.data for r in results] == [4.0, 4.0, 2.0, -2.0, 6.0, 6.0, 1.5,
                                         2 / 3, 9.0, -3.0, 3.0]


def test_op_strings_match_the_reference_where_it_has_them() -> None:
    a, b = Value(2.0), Value(3.0)
    assert (a + b)._op == "+"
    assert (a * b)._op == "*"
    assert (a**3)._op == "**3"
    assert a.relu()._op == "ReLU"


def test_module_api() -> None:
    random.seed(0)
    model = MLP(3, [4, 4, 1])
    assert isinstance(model, Module)
    assert len(model.parameters()) == 41
    x = [2.0, 3.0, -1.0]
    out = model(x)
    assert isinstance(out, Value)
    out.backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


def test_parameters_follow_the_reference_order_and_draws() -> None:
    # Weights come from random.uniform(-1, 1) drawn neuron by neuron; each
    # neuron lists its weights and then its bias, which starts at 0.
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    random.seed(1337)
    expected = []
    for nin, nout in [(2, 16), (16, 16), (16, 1)]:
        for _ in range(nout):
            expected += [random.uniform(-1, 1) for _ in range(nin)] + [0]
    assert [p.data for p in model.parameters()] == expected
    assert len(expected) == 337


def test_reprs() -> None:
    assert repr(Neuron(3)) == "ReLUNeuron(3)"
    assert repr(Neuron(3, nonlin=False)) == "LinearNeuron(3)"
    assert repr(Layer(2, 2)) == "Layer of [ReLUNeuron(2), ReLUNeuron(2)]"
    assert repr(MLP(2, [2, 1])) == (
        "MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2)], Layer of [LinearNeuron(2)]]")


def test_layer_of_one_gives_a_value_and_of_many_a_list() -> None:
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)
    out = Layer(2, 3)([Value(1.0), Value(2.0)])
    assert isinstance(out, list) and len(out) == 3


@pytest.mark.parametrize(
    "x", [[1.0, -2.0], [Value(1.0), Value(-2.0)], [1.0, Value(-2.0)]])
def test_neuron_accepts_numbers_and_values(x) -> None:
    random.seed(3)
    n = Neuron(2)
    out = n(x)
    expected = max(0.0, n.w[0].data * 1.0 + n.w[1].data * -2.0)
    assert out.data == pytest.approx(expected, rel=1e-15)
