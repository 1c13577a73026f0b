"""Version 5 of Value: each node knows its own backward rule.

What it adds: ``_backward``, a function that does nothing by default. Each
operation replaces it on its result with a closure that sends the result's
gradient to the operands, using that operation's local derivative. Calling
the closures from the output back to the inputs backpropagates.

What it still gets wrong: the closures must be called by hand, in the right
order. And each rule assigns (``self.grad = ...``) instead of adding, as the
original lesson first wrote it: a node used twice keeps only the last
contribution. The bug stays here on purpose; chapter 7 fixes it. tanh still
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
