"""Neurons, layers and multi-layer perceptrons built from engine Values.

The classes follow the original micrograd library: a `Neuron` starts with
weights drawn from `random.uniform(-1, 1)` (Python's global generator, so
`random.seed` makes a network reproducible) and a bias of 0; an `MLP` has
nonlinear hidden layers and a linear output layer; `parameters()` lists each
neuron's weights and then its bias, layer after layer.

Two additions: the nonlinearity can be `"relu"` (the default, as in the
original), `"tanh"` (as in the book's chapters) or `"sigmoid"`; and a neuron
computes `act(b + w·x)` as a single node with `micrograd.engine.dot`, which
gives the same numbers as the expression written out with `+`, `*` and the
activation, but builds a graph with far fewer nodes. This module uses only
the engine's public API.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Sequence

from micrograd.engine import ACTIVATION_TABLE, ACTIVATIONS, Value, dot

__all__ = ["ACTIVATIONS", "MLP", "Layer", "Module", "Neuron"]

# "ReLUNeuron(2)", "TanhNeuron(2)": each activation's graph symbol, capitalised.
_NEURON_NAMES = {act.name: act.symbol[:1].upper() + act.symbol[1:]
                 for act in ACTIVATION_TABLE}


def _check_count(name: str, n: object) -> int:
    # Any whole number will do (NumPy's integers too), but not a bool.
    if not isinstance(n, numbers.Integral) or isinstance(n, bool):
        raise TypeError(f"{name} must be an int, got {type(n).__name__}")
    n = int(n)
    if n < 1:
        raise ValueError(f"{name} must be at least 1, got {n}")
    return n


def _check_activation(activation: object) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {', '.join(map(repr, ACTIVATIONS))}, "
            f"got {activation!r}")
    return activation


def _as_values(x: Sequence[Value | float]) -> tuple[Value, ...]:
    # Numbers become Values once for a whole layer, not once per neuron.
    xs = tuple(x)
    if all(isinstance(v, Value) for v in xs):
        return xs
    for v in xs:
        if not isinstance(v, Value | numbers.Real) or isinstance(v, bool):
            raise TypeError(
                f"inputs must be Values or numbers, got {type(v).__name__}")
    return tuple(v if isinstance(v, Value) else Value(v) for v in xs)


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
        nin = _check_count("nin", nin)
        # Checked before drawing weights, so a failed call leaves the random
        # stream where it was.
        self.activation = _check_activation(activation)
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Value | float]) -> Value:
        # The activation is part of the dot node, so a neuron is one node.
        x = tuple(x)
        if len(x) != len(self.w):
            raise ValueError(f"this neuron takes {len(self.w)} inputs, got {len(x)}")
        return dot(self.w, x, self.b, self.activation if self.nonlin else None)

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        kind = _NEURON_NAMES[self.activation] if self.nonlin else "Linear"
        return f"{kind}Neuron({len(self.w)})"


class Layer(Module):
    """`nout` neurons that all read the same `nin` inputs."""

    def __init__(self, nin: int, nout: int, **kwargs: object) -> None:
        nin = _check_count("nin", nin)
        nout = _check_count("nout", nout)
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = self._outputs(x)
        # A layer of one neuron gives a Value, not a list of one, as in the
        # original, so a network's final score can be used directly.
        return out[0] if len(out) == 1 else out

    def _outputs(self, x: Sequence[Value | float]) -> list[Value]:
        xs = _as_values(x)
        nin = len(self.neurons[0].w)
        if len(xs) != nin:
            raise ValueError(f"this layer takes {nin} inputs, got {len(xs)}")
        # What Neuron.__call__ does, without its per-neuron checks of inputs
        # that were checked once for the whole layer just above.
        return [dot(n.w, xs, n.b, n.activation if n.nonlin else None)
                for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of neurons: `nouts` gives each layer's width, the last one linear."""

    def __init__(self, nin: int, nouts: Sequence[int],
                 activation: str = "relu") -> None:
        nin = _check_count("nin", nin)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence):
            raise TypeError(
                f"nouts must be a list of layer widths, got {type(nouts).__name__}")
        if not nouts:
            raise ValueError("nouts must name at least one layer width, got none")
        nouts = [_check_count("each layer width in nouts", width) for width in nouts]
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
