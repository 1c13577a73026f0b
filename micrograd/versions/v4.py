"""Version 4 of Value: tanh, so a neuron can be built.

What it adds: ``tanh()`` as a single node (``_op`` is ``'tanh'``). Its
forward value comes from the exp formula (e^2x - 1) / (e^2x + 1); its local
derivative is 1 - tanh(x)**2, used when backpropagating by hand.

What it still gets wrong: gradients are still filled in by hand. The exp
formula overflows for large inputs: ``Value(400).tanh()`` raises
OverflowError because e^800 does not fit in a float. That is kept here on
purpose; the complete library (``micrograd.engine``) computes tanh stably.
"""

import math


class Value:
    def __init__(
        self, data: float, _children: tuple = (), _op: str = "", label: str = ""
    ) -> None:
        self.data = data
        self.grad = 0.0
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self) -> str:
        return f"Value(data={self.data})"

    def __add__(self, other: "Value") -> "Value":
        out = Value(self.data + other.data, (self, other), "+")
        return out

    def __mul__(self, other: "Value") -> "Value":
        out = Value(self.data * other.data, (self, other), "*")
        return out

    def tanh(self) -> "Value":
        x = self.data
        t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
        out = Value(t, (self,), "tanh")
        return out
