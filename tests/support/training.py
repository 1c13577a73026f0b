"""The Playground's training written out as a plain micrograd loop, apart
from bookbuild/playground.py: what the page's numbers are checked against,
under CPython (tests/unit) and in Chromium (tests/browser)."""

from __future__ import annotations

import random

from bookbuild import playground
from micrograd import examples, nn

#: The second setting the page is checked on: another data set, activation,
#: loss, learning rate and regularisation, and mini-batches.
SECOND = {
    "dataset": "circles",
    "points": 60,
    "noise": 0.05,
    "layers": [6, 5],
    "activation": "tanh",
    "loss": "squared",
    "learning_rate": 0.3,
    "batch_size": 20,
    "l2": 1e-3,
    "data_seed": 3,
    "seed": 7,
}


def reference_run(
    settings: dict, steps: int
) -> tuple[list[float], list[float], nn.MLP]:
    """The settings' training written out as a plain loop, apart from the
    module: the losses, the accuracies (before each step) and the net."""
    s = {**playground.DEFAULTS, **settings}
    points, labels = examples.DATASETS[s["dataset"]](
        s["points"], s["noise"], s["data_seed"]
    )
    random.seed(s["seed"])
    net = nn.MLP(2, [*s["layers"], 1], activation=s["activation"])
    batches = random.Random(s["seed"])
    losses, accuracies = [], []
    for k in range(steps):
        right = [
            (y > 0) == (net(x).data > 0) for x, y in zip(points, labels, strict=True)
        ]
        accuracies.append(sum(right) / len(right))
        xs, ys = points, labels
        if s["batch_size"]:
            chosen = sorted(batches.sample(range(len(points)), s["batch_size"]))
            xs, ys = [points[i] for i in chosen], [labels[i] for i in chosen]
        scores = [net(x) for x in xs]
        if s["loss"] == "hinge":
            each = [(1 - y * score).relu() for y, score in zip(ys, scores, strict=True)]
        else:
            each = [(score - y) ** 2 for y, score in zip(ys, scores, strict=True)]
        loss = sum(each) * (1.0 / len(each)) + s["l2"] * sum(
            p * p for p in net.parameters()
        )
        net.zero_grad()
        loss.backward()
        rate = s["learning_rate"] * (1.0 - 0.9 * min(k, 100) / 100)
        for p in net.parameters():
            p.data -= rate * p.grad
        losses.append(loss.data)
    return losses, accuracies, net
