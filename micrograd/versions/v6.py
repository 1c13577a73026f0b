"""Version 6 of Value: backward() runs the whole pass.

What it adds: ``backward()``. A depth-first search over ``_prev`` lists the
nodes in topological order (every node after all of its operands). The
output's gradient is seeded with 1.0 and each node's ``_backward`` is called
in reverse order, so a node passes its gradient on only once it is final.

What it still gets wrong: the rules still assign instead of adding. A node
used more than once gets only the last contribution: after
``a = Value(3.0); b = a + a; b.backward()``, ``a.grad`` is 1.0 although
db/da is 2. The bug is kept on purpose; chapter 7 fixes it. tanh still
overflows for large inputs.
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
            self.grad = 1.0 * out.grad
            other.grad = 1.0 * out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: "Value") -> "Value":
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad

        out._backward = _backward
        return out

    def tanh(self) -> "Value":
        x = self.data
        t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad = (1 - t**2) * out.grad

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
