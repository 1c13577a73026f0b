"""Neurons, layers and multi-layer perceptrons built from engine Values.

The classes follow the original micrograd library: a `Neuron` starts with
weights drawn from `random.uniform(-1, 1)` (Python's global generator, so
`random.seed` makes a network reproducible) and a bias of 0; an `MLP` has
nonlinear hidden layers and a linear output layer; `parameters()` lists each
neuron's weights and then its bias, layer after layer.

Two additions: the nonlinearity can be `"relu"` (the default, as in the
original), `"tanh"` (as in the book's chapters) or `"sigmoid"`; and a neuron
computes `b + w·x` as a single node with `micrograd.engine.dot`, which
gives the same numbers as the sum written out with `+` and `*` but builds a
graph with far fewer nodes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from micrograd.engine import Value, _dot, _dot_inputs

__all__ = ["ACTIVATIONS", "MLP", "Layer", "Module", "Neuron"]

#: The nonlinearities a neuron can apply, by the name `activation` takes.
ACTIVATIONS = ("relu", "tanh", "sigmoid")

_NEURON_NAMES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}


def _check_count(name: str, n: object) -> int:
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"{name} must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{name} must be at least 1, got {n}")
    return n


def _check_activation(activation: object) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {', '.join(map(repr, ACTIVATIONS))}, "
            f"got {activation!r}")
    return activation


class Module:
    """Something with parameters: they can be listed and their grads zeroed."""

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0, ready for the next backward()."""
        for p in self.parameters():
            p.grad = 0

    def parameters(self) -> list[Value]:
        """Every trainable Value, in a fixed order."""
        return []


class Neuron(Module):
    """`act(b + w·x)`, or just `b + w·x` when `nonlin` is False."""

    def __init__(self, nin: int, nonlin: bool = True, activation: str = "relu") -> None:
        _check_count("nin", nin)
        # Checked before drawing weights, so a failed call leaves the random
        # stream where it was.
        self.activation = _check_activation(activation)
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Value | float]) -> Value:
        xs, of_values = _dot_inputs(x)
        if len(xs) != len(self.w):
            raise ValueError(f"this neuron takes {len(self.w)} inputs, got {len(xs)}")
        return self._forward(xs, of_values)

    def _forward(self, xs: tuple, of_values: bool) -> Value:
        # xs has been checked (see _dot_inputs), once for a whole layer.
        act = _dot(tuple(self.w), xs, of_values, self.b)
        if not self.nonlin:
            return act
        if self.activation == "relu":
            return act.relu()
        if self.activation == "tanh":
            return act.tanh()
        return act.sigmoid()

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        kind = _NEURON_NAMES[self.activation] if self.nonlin else "Linear"
        return f"{kind}Neuron({len(self.w)})"


class Layer(Module):
    """`nout` neurons that all read the same `nin` inputs."""

    def __init__(self, nin: int, nout: int, **kwargs: object) -> None:
        _check_count("nin", nin)
        _check_count("nout", nout)
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = self._outputs(x)
        # A layer of one neuron gives a Value, not a list of one, as in the
        # original, so a network's final score can be used directly.
        return out[0] if len(out) == 1 else out

    def _outputs(self, x: Sequence[Value | float]) -> list[Value]:
        xs, of_values = _dot_inputs(x)
        nin = len(self.neurons[0].w)
        if len(xs) != nin:
            raise ValueError(f"this layer takes {nin} inputs, got {len(xs)}")
        return [n._forward(xs, of_values) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of neurons: `nouts` gives each layer's width, the last one linear."""

    def __init__(self, nin: int, nouts: Sequence[int],
                 activation: str = "relu") -> None:
        _check_count("nin", nin)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence):
            raise TypeError(
                f"nouts must be a list of layer widths, got {type(nouts).__name__}")
        if not nouts:
            raise ValueError("nouts must name at least one layer width, got none")
        for width in nouts:
            _check_count("each layer width in nouts", width)
        _check_activation(activation)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != last, activation=activation)
            for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        # Hidden layers hand on lists even when one neuron wide; only the
        # output is unwrapped, as Layer does.
        for layer in self.layers:
            x = layer._outputs(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
