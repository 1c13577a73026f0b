"""What the chapters build once and use again, with any version of `Value`.

* `neuron`: chapter 4 builds one neuron by hand, node by node, and defines
  `neuron` to build it again. Chapters 5 to 8 need the same neuron with each
  new version of the class, so they import the function from here instead of
  repeating it. It takes the class as an argument, so the snapshots stay
  standalone and the same code serves version 4, version 8 and the complete
  engine.
* `numerical_grad`: chapter 3's central-difference slope, with which every
  later chapter checks the backward rules it writes.
* `make_moons`: the two-moons data set that chapter 11, the benchmarks and
  the moons notebook train on.

Standard library only, like the snapshots: the page's Python imports it too.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["NEURON_LABELS", "make_moons", "neuron", "numerical_grad"]

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


def numerical_grad(
    f: Callable[..., float], inputs: Sequence[float], h: float = 1e-6
) -> list[float]:
    """The slope of `f` along each input, by central differences.

    `f` takes the inputs as plain floats, one positional argument each, and
    returns a float. For input i the slope is
    ``(f(..., x_i + h, ...) - f(..., x_i - h, ...)) / (2 h)``, whose error
    shrinks like ``h**2`` (a one-sided difference: like ``h``).
    """
    if not callable(f):
        raise TypeError(f"numerical_grad: f must be callable, got {f!r}")
    points = [float(x) for x in inputs]
    if not h > 0:
        raise ValueError(f"numerical_grad: h must be a positive number, got {h!r}")
    slopes = []
    for i in range(len(points)):
        up = points.copy()
        down = points.copy()
        up[i] += h
        down[i] -= h
        slopes.append((f(*up) - f(*down)) / (2 * h))
    return slopes


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int = 0
) -> tuple[list[list[float]], list[int]]:
    """Two interleaved half circles of `n` points with Gaussian noise.

    Returns the points, as ``[x, y]`` lists, and their labels, -1 for the
    upper moon and 1 for the lower one (alternating). The same `seed` gives
    the same points on every Python, the page's included.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"make_moons: n must be a positive int, got {n!r}")
    if not noise >= 0:
        raise ValueError(f"make_moons: noise must be 0 or more, got {noise!r}")
    rng = random.Random(seed)
    points, labels = [], []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2 == 0:
            x, y, label = math.cos(t), math.sin(t), -1
        else:
            x, y, label = 1 - math.cos(t), 0.5 - math.sin(t), 1
        points.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        labels.append(label)
    return points, labels
