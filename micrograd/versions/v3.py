"""Version 3 of Value: labels and a slot for the gradient.

What it adds: ``label``, a name to print on the graph, and ``grad``, the
derivative of the final output with respect to this node. ``grad`` starts
at 0.0, meaning "no effect on the output" until someone works it out.

What it still gets wrong: nothing fills in ``grad``. In this chapter the
gradients are derived by hand with the chain rule and typed in one by one.
Both operands must still be Values.
"""


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
