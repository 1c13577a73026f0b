"""Version 2 of Value: results remember where they came from.

What it adds: every result keeps its operands in ``_prev`` (a set, filled
from the constructor argument ``_children``) and the name of the operation
that made it in ``_op`` (``'+'`` or ``'*'``). Following ``_prev`` from the
output walks the whole expression graph back to its inputs.

What it still gets wrong: nodes carry no gradient and no name, so the graph
can be drawn but not yet used to answer "how does the output depend on this
input?". Both operands must still be Values.
"""


class Value:
    def __init__(self, data: float, _children: tuple = (), _op: str = "") -> None:
        self.data = data
        self._prev = set(_children)
        self._op = _op

    def __repr__(self) -> str:
        return f"Value(data={self.data})"

    def __add__(self, other: "Value") -> "Value":
        out = Value(self.data + other.data, (self, other), "+")
        return out

    def __mul__(self, other: "Value") -> "Value":
        out = Value(self.data * other.data, (self, other), "*")
        return out
