"""An MLP in the style of the original micrograd library, on `versions.v8`.

This is the yardstick for `bench_engine.py`: the same network as
`micrograd.nn.MLP` (ReLU hidden layers, a linear output layer, parameters
listed weights first then bias, neuron by neuron) written the way the original
library writes it. Every operation is a Value with a `_backward` closure, and
a neuron adds up `w * x` one `+` at a time, starting from its bias.

`versions.v8` has no `relu`, so :func:`relu` below adds one in the same
closure style.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from micrograd.versions.v8 import Value

__all__ = ["MLP", "Layer", "Neuron", "Value", "relu"]


def relu(v: Value) -> Value:
    """max(0, v) as a v8 Value whose closure passes the gradient back."""
    out = Value(0 if v.data < 0 else v.data, (v,), "ReLU")

    def _backward() -> None:
        v.grad += (out.data > 0) * out.grad

    out._backward = _backward
    return out


class Neuron:
    def __init__(self, nin: int, nonlin: bool = True) -> None:
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Value | float]) -> Value:
        total = self.b
        for wi, xi in zip(self.w, x, strict=True):
            total = total + wi * xi
        return relu(total) if self.nonlin else total

    def parameters(self) -> list[Value]:
        return self.w + [self.b]


class Layer:
    def __init__(self, nin: int, nout: int, nonlin: bool = True) -> None:
        self.neurons = [Neuron(nin, nonlin) for _ in range(nout)]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, nin: int, nouts: Sequence[int]) -> None:
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1)
            for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def load(self, values: Sequence[float]) -> None:
        """Set every parameter's data, in `parameters()` order."""
        params = self.parameters()
        if len(values) != len(params):
            raise ValueError(f"expected {len(params)} values, got {len(values)}")
        for p, v in zip(params, values, strict=True):
            p.data = v
