"""Version 1 of Value: a number wrapped in an object.

What it adds: ``Value(data)``, a readable ``repr`` and the two operations
``+`` and ``*`` between Values.

What it still gets wrong: the result of ``a * b`` is a fresh Value that has
no idea it came from ``a`` and ``b``. Without that memory there is no way to
ask how the output would move if an input moved, which is the whole point.
Both operands must be Values; ``Value(2.0) * 3`` fails.
"""


class Value:
    def __init__(self, data: float) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"Value(data={self.data})"

    def __add__(self, other: "Value") -> "Value":
        return Value(self.data + other.data)

    def __mul__(self, other: "Value") -> "Value":
        return Value(self.data * other.data)
