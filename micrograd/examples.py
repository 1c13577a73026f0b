"""The book's running example, built with any version of `Value`.

Chapter 4 builds one neuron by hand, node by node, and defines `neuron` to
build it again. Chapters 5 to 8 need the same neuron with each new version of
the class, so they import the function from here instead of repeating it. It
takes the class as an argument, so the snapshots stay standalone and the same
code serves version 4, version 8 and the complete engine.
"""

from __future__ import annotations

from typing import Any

__all__ = ["NEURON_LABELS", "neuron"]

#: The labels of the neuron's ten values, in the order `neuron` returns them.
NEURON_LABELS = ("x1", "x2", "w1", "w2", "b", "x1w1", "x2w2", "x1w1x2w2", "n", "o")


def neuron(value_type: Any, nudge: str = "", h: float = 0.0) -> tuple:
    """Build the book's neuron; add h to the node labelled nudge as it is made."""
    _check(value_type, nudge)

    def named(value, label):
        value.label = label
        if label == nudge:
            value.data += h
        return value

    x1 = named(value_type(2.0), "x1")
    x2 = named(value_type(0.0), "x2")
    w1 = named(value_type(-3.0), "w1")
    w2 = named(value_type(1.0), "w2")
    b = named(value_type(6.8813735870195432), "b")
    x1w1 = named(x1 * w1, "x1w1")
    x2w2 = named(x2 * w2, "x2w2")
    x1w1x2w2 = named(x1w1 + x2w2, "x1w1x2w2")
    n = named(x1w1x2w2 + b, "n")
    o = named(n.tanh(), "o")
    return x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o


def _check(value_type: Any, nudge: str) -> None:
    # Only the checks live here, so the body above reads like chapter 4's.
    if not isinstance(value_type, type) or not hasattr(value_type, "tanh"):
        raise TypeError(
            f"neuron: expected a Value class with tanh (version 4 or later, or "
            f"micrograd.engine.Value), got {value_type!r}"
        )
    if nudge and nudge not in NEURON_LABELS:
        raise ValueError(
            f"neuron: nudge must be one of {', '.join(NEURON_LABELS)}, got {nudge!r}"
        )
