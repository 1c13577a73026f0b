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
  the moons notebook train on; `make_circles`, `make_xor` and `make_blobs`,
  three more that the Playground page offers. Each returns points as
  ``[x, y]`` lists and labels -1 or 1, the same on every Python for the
  same seed.

Standard library only, like the snapshots: the page's Python imports it too.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

__all__ = [
    "DATASETS", "NEURON_LABELS", "make_blobs", "make_circles", "make_moons",
    "make_xor", "neuron", "numerical_grad",
]

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
    rng = _sampler("make_moons", n, noise, seed)
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


def _sampler(name: str, n: object, noise: object, seed: object) -> random.Random:
    """The seeded generator a data set draws from, once its size is checked."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"{name}: n must be a positive int, got {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, int | float):
        raise TypeError(f"{name}: noise must be a number, got {type(noise).__name__}")
    if not noise >= 0:
        raise ValueError(f"{name}: noise must be 0 or more, got {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"{name}: seed must be an int, got {type(seed).__name__}")
    return random.Random(seed)


def make_circles(
    n: int = 100, noise: float = 0.1, seed: int = 0
) -> tuple[list[list[float]], list[int]]:
    """A ring of radius 1 around a disc of radius 0.5, `n` points in all.

    Labels alternate: -1 on the ring, 1 on the disc, whose points fill it
    evenly. Gaussian noise of standard deviation `noise` moves every point.
    """
    rng = _sampler("make_circles", n, noise, seed)
    points, labels = [], []
    for i in range(n):
        angle = 2 * math.pi * rng.random()
        if i % 2 == 0:
            radius, label = 1.0, -1
        else:
            # The square root spreads the disc's points evenly over its area.
            radius, label = 0.5 * math.sqrt(rng.random()), 1
        points.append([radius * math.cos(angle) + rng.gauss(0, noise),
                       radius * math.sin(angle) + rng.gauss(0, noise)])
        labels.append(label)
    return points, labels


def make_xor(
    n: int = 100, noise: float = 0.1, seed: int = 0
) -> tuple[list[list[float]], list[int]]:
    """Points in the square from -1 to 1, labelled by the sign of x times y.

    Each point is drawn away from the axes (at least 0.1 from each) before
    the noise moves it, so the four quarters start apart: 1 where x and y
    have the same sign, -1 where they differ, no line able to split them.
    """
    rng = _sampler("make_xor", n, noise, seed)
    points, labels = [], []
    for _ in range(n):
        x, y = (math.copysign(0.1 + 0.9 * rng.random(), rng.random() - 0.5)
                for _ in range(2))
        labels.append(1 if x * y > 0 else -1)
        points.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
    return points, labels


def make_blobs(
    n: int = 100, noise: float = 0.1, seed: int = 0
) -> tuple[list[list[float]], list[int]]:
    """Two round Gaussian clouds, at (-0.6, -0.6) labelled -1 and (0.6, 0.6)
    labelled 1, in turn; each has a spread of 0.3 plus `noise`."""
    rng = _sampler("make_blobs", n, noise, seed)
    spread = 0.3 + noise
    points, labels = [], []
    for i in range(n):
        centre, label = (-0.6, -1) if i % 2 == 0 else (0.6, 1)
        points.append([centre + rng.gauss(0, spread), centre + rng.gauss(0, spread)])
        labels.append(label)
    return points, labels


#: The data sets by name, as the Playground page lists them.
DATASETS: dict[str, Callable[..., tuple[list[list[float]], list[int]]]] = {
    "moons": make_moons,
    "circles": make_circles,
    "xor": make_xor,
    "blobs": make_blobs,
}
