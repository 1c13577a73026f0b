"""Version 7 of Value: gradients add up.

What it changes: every backward rule adds to ``grad`` (``+=``) instead of
overwriting it. By the multivariable chain rule, a node that feeds the
output along several paths gets the sum of the contributions from all of
them, so ``a = Value(3.0); b = a + a; b.backward()`` now gives
``a.grad == 2.0``.

What it still gets wrong: because gradients accumulate, calling
``backward()`` twice adds the second pass on top of the first; reset every
``grad`` to 0.0 between passes. Both operands must still be Values, so
``2 * a`` or ``a + 1`` fail. tanh still overflows for large inputs, and
``backward()`` recurses, so very deep graphs hit Python's recursion limit.
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

    def __add__(self, other: "Value") -> "Value":
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: "Value") -> "Value":
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def tanh(self) -> "Value":
        x = self.data
        t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t**2) * out.grad

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
