"""Benchmark micrograd.engine against micrograd.versions.v8, built like the original.

Every figure is measured in one run, with the two engines taking turns (which
one goes first alternates from repeat to repeat), and reported as a ratio of
medians with the medians behind it:

* a random graph of about 100,000 operations: forward, backward and freeing;
* one training step on two moons (MLP(2, [16, 16, 1]), 100 samples, max-margin
  loss plus L2), `micrograd.nn.MLP` against the reference-style MLP in
  `reference_style.py`, both starting from the same weights;
* memory kept per operation, measured with tracemalloc;
* backward through a chain of 1,000,000 operations.

It also checks that both engines agree: gradients on every graph, losses on
every training step. It prints whether each target is met and exits 0 either
way; `--json PATH` also writes the figures as JSON, `--quick` uses tiny sizes.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import math
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import reference_style  # noqa: E402

from micrograd import nn  # noqa: E402
from micrograd.engine import Value  # noqa: E402
from micrograd.versions import v8  # noqa: E402

# v8's backward walks the graph recursively; the graphs here are a few
# thousand operations deep at most.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))

ENGINE = "micrograd.engine"
REFERENCE = "v8 (reference style)"


@dataclass
class Sizes:
    graph_ops: int
    graph_width: int
    graph_repeats: int
    moons_samples: int
    moons_steps: int
    memory_ops: int
    chain_ops: int
    chain_check_ops: int


FULL = Sizes(graph_ops=100_000, graph_width=1000, graph_repeats=5,
             moons_samples=100, moons_steps=8, memory_ops=100_000,
             chain_ops=1_000_000, chain_check_ops=20_000)
QUICK = Sizes(graph_ops=2_000, graph_width=100, graph_repeats=3,
              moons_samples=10, moons_steps=2, memory_ops=2_000,
              chain_ops=10_000, chain_check_ops=2_000)


@dataclass
class Figure:
    name: str
    unit: str
    engine: float
    reference: float | None
    ratio: float | None
    target: str
    met: bool
    detail: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)


# ---- helpers ----------------------------------------------------------------

def relative_error(got: list[float], expected: list[float]) -> float:
    """Largest difference, relative to the largest expected magnitude.

    Per element, a gradient that is a near-cancelling sum can differ in
    relative terms just because the two engines add its parts in different
    orders; against the scale of the whole gradient it cannot.
    """
    scale = max((abs(x) for x in expected), default=0.0) or 1.0
    worst = max((abs(a - b) for a, b in zip(got, expected, strict=True)), default=0.0)
    return worst / scale


def timed(run: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    result = run()
    # Freeing is part of the cost: v8's graph is made of reference cycles that
    # only the collector can free, so it runs inside the timed region.
    gc.collect()
    return time.perf_counter() - start, result


def interleave(runs: dict[str, Callable[[], object]], repeats: int,
               ) -> tuple[dict[str, list[float]], dict[str, object]]:
    """Time each run `repeats` times, taking turns; which goes first alternates."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    results: dict[str, object] = {}
    names = list(runs)
    for repeat in range(repeats):
        order = names if repeat % 2 == 0 else names[::-1]
        for name in order:
            seconds, results[name] = timed(runs[name])
            times[name].append(seconds)
    return times, results


# ---- a random graph ------------------------------------------------------------

def plan_graph(n_ops: int, width: int, seed: int = 0,
               ) -> tuple[list[float], list, int]:
    """A layered random graph: leaf values, a list of steps, the count of ops.

    Each layer has `width` nodes; node j reads node perm[j] and one random node
    of the layer before, so every node is used. Values are simulated in plain
    floats so that a node which grows past 2 is scaled down by an extra step,
    the same in both engines (their forward values agree to the last bit).
    """
    rng = random.Random(seed)
    leaves = [rng.uniform(-1, 1) for _ in range(width)]
    values = list(leaves)
    steps: list = []
    count = 0
    while count < n_ops:
        perm = list(range(width))
        rng.shuffle(perm)
        new_values = []
        for j in range(width):
            i, k = perm[j], rng.randrange(width)
            a, b = values[i], values[k]
            r = rng.random()
            c = 0.0
            if r < 0.25:
                op, v = "add", a + b
            elif r < 0.5:
                op, v = "mul", a * b
            elif r < 0.65:
                op, v = "sub", a - b
            elif r < 0.8:
                c = rng.uniform(-2, 2)
                op, v = "mul_c", a * c
            elif r < 0.9:
                c = rng.uniform(-1, 1)
                op, v = "add_c", a + c
            else:
                op, v = "pow2", a**2
            steps.append((op, i, k, c))
            count += 1
            if abs(v) > 2:
                steps.append(("scale", 0, 0, 0.25))
                count += 1
                v *= 0.25
            new_values.append(v)
        steps.append(None)
        values = new_values
    # The last layer is summed into one output by width - 1 more adds.
    return leaves, steps, count + width - 1


def replay_graph(value: type, leaves: list[float], steps: list) -> tuple[object, list]:
    inputs = [value(x) for x in leaves]
    layer = inputs
    new: list = []
    for step in steps:
        if step is None:
            layer, new = new, []
            continue
        op, i, k, c = step
        if op == "add":
            new.append(layer[i] + layer[k])
        elif op == "mul":
            new.append(layer[i] * layer[k])
        elif op == "sub":
            new.append(layer[i] - layer[k])
        elif op == "mul_c":
            new.append(layer[i] * c)
        elif op == "add_c":
            new.append(layer[i] + c)
        elif op == "pow2":
            new.append(layer[i] ** 2)
        else:
            new[-1] = new[-1] * c
    out = layer[0]
    for node in layer[1:]:
        out = out + node
    return out, inputs


def bench_graph(sizes: Sizes) -> list[Figure]:
    leaves, steps, n_ops = plan_graph(sizes.graph_ops, sizes.graph_width)

    def run(value: type) -> Callable[[], list[float]]:
        def go() -> list[float]:
            out, inputs = replay_graph(value, leaves, steps)
            out.backward()
            return [x.grad for x in inputs]
        return go

    times, grads = interleave({ENGINE: run(Value), REFERENCE: run(v8.Value)},
                              sizes.graph_repeats)
    engine = statistics.median(times[ENGINE])
    reference = statistics.median(times[REFERENCE])
    ratio = reference / engine
    error = relative_error(grads[ENGINE], grads[REFERENCE])
    return [
        Figure(f"random graph ({n_ops:,} ops): forward+backward+free", "s",
               engine, reference, ratio, ">= 10x", ratio >= 10,
               detail=f"median of {sizes.graph_repeats} runs each", samples=times),
        Figure(f"random graph ({n_ops:,} ops): gradients vs v8", "relative", error,
               None, None, "<= 1e-12", error <= 1e-12,
               detail="largest difference / largest gradient"),
    ]


# ---- two moons ------------------------------------------------------------------

def two_moons(n: int, seed: int = 0, noise: float = 0.1,
              ) -> tuple[list[list[float]], list[int]]:
    """Two interleaved half circles with Gaussian noise; labels -1 and 1."""
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


def training_step(model, value: type, relu: Callable, points, labels, step: int,
                  steps: int) -> tuple[float, list[float]]:
    """One step of full-batch SGD on the max-margin loss with L2 regularisation.

    Returns the loss and the gradients before the update.
    """
    inputs = [[value(x) for x in row] for row in points]
    scores = [model(x) for x in inputs]
    margins = [relu(1 + -label * score) for label, score in zip(labels, scores,
                                                                 strict=True)]
    data_loss = sum(margins) * (1.0 / len(margins))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    loss = data_loss + reg_loss
    correct = [(label > 0) == (score.data > 0) for label, score in zip(labels, scores,
                                                                        strict=True)]
    _accuracy = sum(correct) / len(correct)
    model.zero_grad()
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    rate = 1.0 - 0.9 * step / steps
    for p in model.parameters():
        p.data -= rate * p.grad
    return loss.data, grads


def bench_moons(sizes: Sizes) -> list[Figure]:
    points, labels = two_moons(sizes.moons_samples)
    random.seed(1337)
    ours = nn.MLP(2, [16, 16, 1])
    theirs = reference_style.MLP(2, [16, 16, 1])
    theirs.load([p.data for p in ours.parameters()])
    times: dict[str, list[float]] = {ENGINE: [], REFERENCE: []}
    losses: dict[str, list[float]] = {ENGINE: [], REFERENCE: []}
    grad_errors = []
    runs = {
        ENGINE: (ours, Value, lambda v: v.relu()),
        REFERENCE: (theirs, v8.Value, reference_style.relu),
    }
    for step in range(sizes.moons_steps):
        order = list(runs) if step % 2 == 0 else list(runs)[::-1]
        grads = {}
        for name in order:
            model, value, relu = runs[name]
            seconds, (loss, grads[name]) = timed(
                lambda m=model, v=value, r=relu, k=step: training_step(
                    m, v, r, points, labels, k, sizes.moons_steps))
            times[name].append(seconds)
            losses[name].append(loss)
        grad_errors.append(relative_error(grads[ENGINE], grads[REFERENCE]))
    engine = statistics.median(times[ENGINE])
    reference = statistics.median(times[REFERENCE])
    loss_gap = max(abs(a - b) for a, b in zip(losses[ENGINE], losses[REFERENCE],
                                              strict=True))
    label = f"two-moons step ({len(points)} samples)"
    return [
        Figure(f"{label}: MLP(2, [16, 16, 1])", "s", engine, reference,
               reference / engine, ">= 30x", reference / engine >= 30,
               detail=f"median of {sizes.moons_steps} steps each", samples=times),
        Figure(f"{label}: losses vs v8", "abs", loss_gap, None, None, "<= 1e-9",
               loss_gap <= 1e-9,
               detail="largest difference over the steps; engine's losses: "
               + ", ".join(f"{x:.6f}" for x in losses[ENGINE])),
        Figure(f"{label}: gradients vs v8", "relative", max(grad_errors), None, None,
               "<= 1e-12", max(grad_errors) <= 1e-12,
               detail="largest difference / largest gradient, worst step"),
    ]


# ---- memory ---------------------------------------------------------------------

def kept_bytes_per_op(value: type, leaves: list[float], steps: list, n_ops: int,
                      ) -> float:
    """Memory the graph keeps, after forward and backward, per operation."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        out, inputs = replay_graph(value, leaves, steps)
        out.backward()
        # v8's garbage from the walk is cyclic too; only what is reachable
        # from the graph should count.
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del out, inputs
    gc.collect()
    return (after - before) / n_ops


def bench_memory(sizes: Sizes) -> list[Figure]:
    leaves, steps, n_ops = plan_graph(sizes.memory_ops, sizes.graph_width, seed=1)
    engine = kept_bytes_per_op(Value, leaves, steps, n_ops)
    reference = kept_bytes_per_op(v8.Value, leaves, steps, n_ops)
    return [Figure(f"memory kept per op ({n_ops:,}-op graph, after backward)",
                   "bytes", engine, reference, reference / engine, "<= 150 bytes",
                   engine <= 150, detail="tracemalloc, graph and its gradients")]


# ---- a long chain ----------------------------------------------------------------

def build_chain(value: type, n_ops: int) -> tuple[object, object]:
    # y -> y * 0.999999 + 1e-6, so the gradient is 0.999999 ** (n_ops / 2).
    x = value(0.5)
    y = x
    for _ in range(n_ops // 2):
        y = y * 0.999999
        y = y + 1e-6
    return x, y


def bench_chain(sizes: Sizes) -> list[Figure]:
    gc.collect()
    start = time.perf_counter()
    x, y = build_chain(Value, sizes.chain_ops)
    built = time.perf_counter() - start
    start = time.perf_counter()
    y.backward()
    backward = time.perf_counter() - start
    expected = 0.999999 ** (sizes.chain_ops // 2)
    analytic_error = abs(x.grad - expected) / expected
    del x, y
    # The same chain, shorter, through v8 as well: its backward recurses
    # once per node.
    xs = {}
    for name, value in ((ENGINE, Value), (REFERENCE, v8.Value)):
        x, y = build_chain(value, sizes.chain_check_ops)
        y.backward()
        xs[name] = x.grad
        del x, y
    gc.collect()
    check_error = relative_error([xs[ENGINE]], [xs[REFERENCE]])
    return [
        Figure(f"chain of {sizes.chain_ops:,} ops: backward", "s", backward, None, None,
               "< 5 s", backward < 5,
               detail=f"no error; building it took {built:.2f} s; gradient off the "
               f"closed form by {analytic_error:.1e} (relative)"),
        Figure(f"chain of {sizes.chain_check_ops:,} ops: gradient vs v8", "relative",
               check_error, None, None, "<= 1e-12", check_error <= 1e-12),
    ]


# ---- report ---------------------------------------------------------------------

def number(x: float, unit: str) -> str:
    if unit == "s":
        return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"
    if unit == "bytes":
        return f"{x:.0f} B"
    return f"{x:.1e}"


def report(figures: list[Figure], header: str, quick: bool = False) -> str:
    lines = [header, ""]
    columns = ("figure", "engine", "v8", "ratio", "target", "met")
    rows = []
    for f in figures:
        rows.append((
            f.name,
            number(f.engine, f.unit),
            number(f.reference, f.unit) if f.reference is not None else "-",
            f"{f.ratio:.1f}x" if f.ratio is not None else "-",
            f.target,
            "yes" if f.met else "NO",
        ))
    widths = [max(len(str(r[i])) for r in [columns, *rows])
              for i in range(len(columns))]
    for row in [columns, *rows]:
        lines.append("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths,
                                                                      strict=True)))
    notes = [f"  {f.name}: {f.detail}" for f in figures if f.detail]
    if notes:
        lines += ["", "notes:", *notes]
    met = sum(f.met for f in figures)
    lines += ["", f"{met} of {len(figures)} targets met"]
    if quick:
        lines.append("(--quick: at these sizes fixed costs dominate, so the ratios "
                     "say nothing about the targets)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, to check that the benchmark runs")
    parser.add_argument("--json", type=Path, metavar="PATH",
                        help="also write the figures to this file as JSON")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        f"micrograd.engine vs micrograd.versions.v8 in the original's style"
        f"{' (--quick sizes)' if args.quick else ''}\n"
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {when}; medians of interleaved repeats")
    print(header.splitlines()[0], flush=True)
    figures: list[Figure] = []
    for part in (bench_graph, bench_moons, bench_memory, bench_chain):
        figures += part(sizes)
        print(f"  ... {part.__name__[6:]} done", flush=True)
    print()
    print(report(figures, header, args.quick))
    if args.json:
        args.json.write_text(json.dumps({
            "header": header,
            "quick": args.quick,
            "sizes": asdict(sizes),
            "figures": [asdict(f) for f in figures],
        }, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
