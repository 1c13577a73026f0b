"""What a user might pick instead of a scalar engine, on the benchmark's step.

Each class here runs one training step of the two-moons benchmark, the same
network and loss as `bench_engine.training_step`, from a flat list of
parameters in `micrograd.nn.MLP.parameters()` order:

* `Floor`: plain Python floats and hand-written derivatives, no graph at all:
  the least work any pure-Python version of this step can do.
* `TorchBatched`: PyTorch with one tensor per layer and the whole batch at
  once, the way PyTorch is meant to be used.
* `TorchScalars`: PyTorch with one 0-d tensor per scalar, written like a
  scalar engine; it shows what PyTorch costs per operation.

Each `step(points, labels, rate)` returns the loss and the gradients before
the update, in parameter order, so the benchmark can check them against the
engine's.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["Floor", "TorchBatched", "TorchScalars", "layer_shapes"]


def layer_shapes(nin: int, nouts: Sequence[int]) -> list[tuple[int, int]]:
    """(inputs, neurons) of each layer."""
    sizes = [nin, *nouts]
    return [(sizes[i], sizes[i + 1]) for i in range(len(nouts))]


def _split(params: Sequence[float], shapes: list[tuple[int, int]],
           ) -> list[tuple[list[list[float]], list[float]]]:
    # Per layer: weight rows and biases; each neuron lists weights, then bias.
    layers, at = [], 0
    for nin, nout in shapes:
        rows, biases = [], []
        for _ in range(nout):
            rows.append(list(params[at:at + nin]))
            biases.append(params[at + nin])
            at += nin + 1
        layers.append((rows, biases))
    return layers


class Floor:
    """The step in plain floats, derivatives written out by hand."""

    def __init__(self, params: Sequence[float], nin: int, nouts: Sequence[int]) -> None:
        self.layers = _split(params, layer_shapes(nin, nouts))

    def step(self, points: list[list[float]], labels: list[int], rate: float,
             ) -> tuple[float, list[float]]:
        layers = self.layers
        last = len(layers) - 1
        grads = [([[0.0] * len(r) for r in rows], [0.0] * len(rows))
                 for rows, _ in layers]
        n = len(points)
        margins_total = 0.0
        for x, label in zip(points, labels, strict=True):
            # Forward, keeping each layer's inputs and outputs.
            acts = [x]
            for i, (rows, biases) in enumerate(layers):
                inp = acts[-1]
                out = []
                for row, b in zip(rows, biases, strict=True):
                    s = b
                    for w, v in zip(row, inp, strict=True):
                        s += w * v
                    out.append(s if i == last or s > 0 else 0.0)
                acts.append(out)
            score = acts[-1][0]
            margin = 1 + -label * score
            if margin <= 0:
                continue
            margins_total += margin
            # Backward: d(loss)/d(score) = -label / n where the margin is active.
            g_out = [-label / n]
            for i in range(last, -1, -1):
                rows, _ = layers[i]
                g_rows, g_biases = grads[i]
                inp, out = acts[i], acts[i + 1]
                g_in = [0.0] * len(inp)
                for j, (row, g) in enumerate(zip(rows, g_out, strict=True)):
                    if i != last and out[j] <= 0:
                        continue
                    g_row = g_rows[j]
                    for k, w in enumerate(row):
                        g_row[k] += g * inp[k]
                        g_in[k] += g * w
                    g_biases[j] += g
                g_out = g_in
        data_loss = margins_total * (1.0 / n)
        reg = 0.0
        flat, flat_grads = [], []
        for (rows, biases), (g_rows, g_biases) in zip(layers, grads, strict=True):
            for row, b, g_row, g_b in zip(rows, biases, g_rows, g_biases, strict=True):
                for w, g in zip(row, g_row, strict=True):
                    reg += w * w
                    flat_grads.append(g + 2e-4 * w)
                reg += b * b
                flat_grads.append(g_b + 2e-4 * b)
                flat += [*row, b]
        # The update, in place.
        for (rows, biases), (g_rows, g_biases) in zip(layers, grads, strict=True):
            for j, (row, g_row) in enumerate(zip(rows, g_rows, strict=True)):
                for k, (w, g) in enumerate(zip(row, g_row, strict=True)):
                    row[k] = w - rate * (g + 2e-4 * w)
                biases[j] -= rate * (g_biases[j] + 2e-4 * biases[j])
        return data_loss + 1e-4 * reg, flat_grads


class TorchBatched:
    """The step in PyTorch, one weight matrix per layer, the batch at once."""

    def __init__(self, params: Sequence[float], nin: int, nouts: Sequence[int]) -> None:
        import torch

        self.torch = torch
        self.tensors = []
        for rows, biases in _split(params, layer_shapes(nin, nouts)):
            self.tensors.append((
                torch.tensor(rows, dtype=torch.float64, requires_grad=True),
                torch.tensor(biases, dtype=torch.float64, requires_grad=True)))

    def step(self, points: list[list[float]], labels: list[int], rate: float,
             ) -> tuple[float, list[float]]:
        torch = self.torch
        x = torch.tensor(points, dtype=torch.float64)
        y = torch.tensor(labels, dtype=torch.float64)
        last = len(self.tensors) - 1
        for i, (w, b) in enumerate(self.tensors):
            x = x @ w.T + b
            if i != last:
                x = x.relu()
        scores = x[:, 0]
        margins = (1 + -y * scores).relu()
        data_loss = margins.sum() * (1.0 / len(points))
        reg = sum((w * w).sum() + (b * b).sum() for w, b in self.tensors)
        loss = data_loss + 1e-4 * reg
        for w, b in self.tensors:
            w.grad = None
            b.grad = None
        loss.backward()
        grads = []
        for w, b in self.tensors:
            for row, g_b in zip(w.grad.tolist(), b.grad.tolist(), strict=True):
                grads += [*row, g_b]
        with torch.no_grad():
            for w, b in self.tensors:
                w -= rate * w.grad
                b -= rate * b.grad
        return loss.item(), grads


class TorchScalars:
    """The step in PyTorch with one 0-d tensor per number, like a scalar engine."""

    def __init__(self, params: Sequence[float], nin: int, nouts: Sequence[int]) -> None:
        import torch

        self.torch = torch
        self.layers = [
            ([[torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in row]
              for row in rows],
             [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in biases])
            for rows, biases in _split(params, layer_shapes(nin, nouts))
        ]

    def parameters(self) -> list:
        return [p for rows, biases in self.layers
                for row, b in zip(rows, biases, strict=True) for p in (*row, b)]

    def step(self, points: list[list[float]], labels: list[int], rate: float,
             ) -> tuple[float, list[float]]:
        torch = self.torch
        last = len(self.layers) - 1
        scores = []
        for point in points:
            x = [torch.tensor(v, dtype=torch.float64) for v in point]
            for i, (rows, biases) in enumerate(self.layers):
                out = []
                for row, b in zip(rows, biases, strict=True):
                    s = b
                    for w, v in zip(row, x, strict=True):
                        s = s + w * v
                    out.append(s if i == last else s.relu())
                x = out
            scores.append(x[0])
        margins = [(1 + -label * s).relu() for label, s in zip(labels, scores,
                                                                  strict=True)]
        data_loss = sum(margins) * (1.0 / len(margins))
        params = self.parameters()
        loss = data_loss + 1e-4 * sum(p * p for p in params)
        for p in params:
            p.grad = None
        loss.backward()
        grads = [p.grad.item() for p in params]
        with torch.no_grad():
            for p in params:
                p -= rate * p.grad
        return loss.item(), grads
