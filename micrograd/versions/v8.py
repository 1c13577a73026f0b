"""Version 8 of Value: plain numbers, powers, exp and division.

What it adds: ``+`` and ``*`` accept plain numbers on either side (a number
is wrapped in a Value; ``__radd__`` and ``__rmul__`` handle ``2 * a``).
``a ** k`` for an int or float exponent ``k``, ``-a``, ``a - b``, ``a / b``
(computed as ``a * b**-1``) and ``exp()``. With these, tanh can be rebuilt
from parts as ``e = (2*x).exp(); (e - 1)/(e + 1)``: a bigger graph with the
same value and the same gradients.

One change from the lesson: ``a ** b`` with an exponent that is not an int
or float raises TypeError with a message naming what it got, where the
lesson used a bare assert.

What it still lacks (the complete library, ``micrograd.engine``, has them):
``__rsub__`` and ``__rtruediv__``, so ``1 - a`` and ``1 / a`` raise
TypeError; ``relu`` and ``log``; a stable tanh (``Value(400).tanh()``
overflows); and a ``backward()`` without recursion.
"""

import math


class Value:
    def __init__(
        self, data: float, _children: tuple = (), _op: str = "", label: str = ""
    ) -> None:
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self) -> str:
        return f"Value(data={self.data})"

    def __add__(self, other: "Value | float") -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad

        out._backward = _backward
        return out

    def __radd__(self, other: float) -> "Value":  # other + self
        return self + other

    def __mul__(self, other: "Value | float") -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __rmul__(self, other: float) -> "Value":  # other * self
        return self * other

    def __pow__(self, other: float) -> "Value":
        # The rule below treats the exponent as a constant; a Value exponent
        # would need its own gradient, so refuse it instead of ignoring it.
        if not isinstance(other, (int, float)):
            raise TypeError(
                "Value ** exponent: exponent must be an int or float, "
                f"got {type(other).__name__}"
            )
        out = Value(self.data**other, (self,), f"**{other}")

        def _backward():
            self.grad += other * self.data ** (other - 1) * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> "Value":  # -self
        return self * -1

    def __sub__(self, other: "Value | float") -> "Value":  # self - other
        return self + (-other)

    def __truediv__(self, other: "Value | float") -> "Value":  # self / other
        return self * other**-1

    def tanh(self) -> "Value":
        x = self.data
        t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def exp(self) -> "Value":
        x = self.data
        out = Value(math.exp(x), (self,), "exp")

        def _backward():
            # d/dx e^x is e^x itself, already computed as out.data.
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def backward(self) -> None:
        topo = []
        visited = set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                # Appended only after all of its operands are in the list.
                topo.append(v)

        build_topo(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
