"""Random expressions over every operator, shared by the property tests.

A program is a list of steps `(op, i, j, c)`: apply `op` to nodes `i` and `j`
made so far (indices wrap), with the plain number `c` where the op takes
one. The same program runs on `micrograd.engine.Value`s, on PyTorch tensors,
or on plain floats nudged for finite differences, since each op below uses
only what all of them support. Divisions and logs are shifted so that no
draw divides by zero or takes the log of a non-positive number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st


def apply_op(op: str, a: Any, b: Any, c: float) -> Any:
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        return a * b
    if op == "div":
        return a / (b * b + 0.5)
    if op == "neg":
        return -a
    if op == "add_c":
        return a + c
    if op == "radd_c":
        return c + a
    if op == "sub_c":
        return a - c
    if op == "rsub_c":
        return c - a
    if op == "mul_c":
        return a * c
    if op == "rmul_c":
        return c * a
    if op == "div_c":
        return a / (abs(c) + 0.5)
    if op == "rdiv_c":
        return c / (a * a + 0.5)
    if op == "pow2":
        return a**2
    if op == "pow3":
        return a**3
    if op == "pow_half":
        return (a * a + 0.5) ** 0.5
    if op == "pow_neg":
        return (a * a + 0.5) ** -1.5
    if op == "relu":
        return a.relu()
    if op == "tanh":
        return a.tanh()
    if op == "sigmoid":
        return a.sigmoid()
    if op == "exp":
        return a.tanh().exp()
    if op == "log":
        return (a * a + 0.5).log()
    raise ValueError(f"unknown op {op!r}")


OPS = [
    "add", "sub", "mul", "div", "neg", "add_c", "radd_c", "sub_c", "rsub_c",
    "mul_c", "rmul_c", "div_c", "rdiv_c", "pow2", "pow3", "pow_half", "pow_neg",
    "relu", "tanh", "sigmoid", "exp", "log",
]  # fmt: skip

#: relu has a kink at 0, where a finite difference finds no derivative.
SMOOTH_OPS = [op for op in OPS if op != "relu"]

#: What the snapshots can run: v7 adds and multiplies Values and has tanh
#: (no numbers mixed in: run it with ``constant=v7.Value``); v8 adds numbers
#: on either side, subtraction, division, powers and exp.
V7_OPS = ["add", "mul", "tanh"]
V8_OPS = V7_OPS + [
    "sub", "div", "neg", "add_c", "radd_c", "sub_c", "mul_c", "rmul_c", "div_c",
    "pow2", "pow3", "pow_half", "pow_neg", "exp",
]  # fmt: skip


def programs(ops: list[str] = OPS, max_size: int = 15) -> st.SearchStrategy:
    step = st.tuples(
        st.sampled_from(ops), st.integers(0, 100), st.integers(0, 100), st.floats(-3, 3)
    )
    return st.lists(step, min_size=1, max_size=max_size)


def run_program(
    program: list[tuple[str, int, int, float]],
    leaves: list[Any],
    constant: Callable[[float], Any] = float,
) -> Any:
    """The output of `program` on `leaves`; `constant` makes each plain number
    the program uses (for a snapshot that only combines Values)."""
    nodes = list(leaves)
    for op, i, j, c in program:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append(apply_op(op, a, b, constant(c)))
    # Every node is mixed into the output, so every step matters.
    out = nodes[-1]
    for k, node in enumerate(nodes[:-1]):
        out = out + node * constant(0.5 + k)
    return out
