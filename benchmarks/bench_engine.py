"""Benchmark micrograd.engine against micrograd.versions.v8, built like the original.

`make bench` runs this script, which runs itself 3 times in separate
processes (`--runs N` to change that). Each figure is a ratio of median CPU
times (`time.process_time`), with wall-clock ratios beside them. Over the
runs, it prints each figure's median and range, and how many runs met its
target. The figures:

* a random graph of about 100,000 operations, forward and backward, a few
  graphs in a row as a program would build them: the engine, v8, and the
  engine with each graph inside `no_cycle_collection()`;
* training steps on two moons (MLP(2, [16, 16, 1]), 100 samples, max-margin
  loss plus L2), several in a row as a training loop takes them:
  `micrograd.nn.MLP`, the reference-style MLP of `reference_style.py`, and
  the engine with each step inside `no_cycle_collection()` and after
  `gc.freeze()`, all starting from the same weights;
* one such step on a clean heap, done as a user might instead
  (`alternatives.py`): plain floats with derivatives by hand, PyTorch
  batched, PyTorch one tensor per scalar;
* memory kept per operation, measured with tracemalloc;
* backward through a chain of 100,000 operations in both engines, and through
  one of 10,000,000 in the engine.

"In a row" (see `harness.in_a_row`) means that nothing is collected by hand between
the calls, so each engine pays for freeing its own graphs the way it would
in a program; the engines take turns between rows, the order rotating. It
also checks that the engines agree: gradients on every graph, losses and
gradients on every training step. It exits 0 whether or not the targets are
met; `--json PATH` also writes every figure of every run as JSON, `--quick`
uses tiny sizes.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import record  # noqa: E402
import reference_style  # noqa: E402
from alternatives import Floor, TorchBatched, TorchScalars  # noqa: E402
from harness import (  # noqa: E402
    Kept,
    Samples,
    in_a_row,
    interleave,
    plan_graph,
    relative_error,
    replay_graph,
    run_in_a_child,
)

from micrograd import nn  # noqa: E402
from micrograd.engine import Value, no_cycle_collection  # noqa: E402
from micrograd.examples import make_moons  # noqa: E402
from micrograd.versions import v8  # noqa: E402

# v8's backward walks the graph recursively, one Python call per node of the
# deepest path: 100,000 for the chain it is timed on. Python 3.11 makes such
# calls without using the C stack, so only Python's limit stands in the way;
# main() raises it to this, for the benchmark's own process only (importing
# this file to reuse its graphs changes nothing).
RECURSION_LIMIT = 250_000

ENGINE = "micrograd.engine"
REFERENCE = "v8 (reference style)"
PAUSED = "micrograd.engine, collector paused"
FROZEN = "micrograd.engine, after gc.freeze()"
FLOOR = "plain floats, derivatives by hand (no autograd)"
TORCH_BATCHED = "PyTorch, a tensor per layer, batched"
TORCH_SCALARS = "PyTorch, a tensor per scalar"


@dataclass
class Sizes:
    graph_ops: int
    graph_width: int
    graph_rounds: int
    graphs_in_a_row: int
    moons_samples: int
    moons_rounds: int
    steps_in_a_row: int
    others_repeats: int
    memory_ops: int
    chain_ops: int
    chain_check_ops: int


FULL = Sizes(graph_ops=100_000, graph_width=1000, graph_rounds=3, graphs_in_a_row=4,
             moons_samples=100, moons_rounds=3, steps_in_a_row=12, others_repeats=3,
             memory_ops=100_000,
             chain_ops=10_000_000, chain_check_ops=100_000)
QUICK = Sizes(graph_ops=2_000, graph_width=100, graph_rounds=2, graphs_in_a_row=2,
              moons_samples=10, moons_rounds=2, steps_in_a_row=2, others_repeats=1,
              memory_ops=2_000,
              chain_ops=10_000, chain_check_ops=2_000)


@dataclass
class Figure:
    """One figure of one run.

    For a timing, `engine` and `reference` are medians of CPU time
    (`time.process_time`), `ratio` is reference / engine, and `wall` holds
    the same three figures in wall-clock time. A target of "-" marks a figure
    shown for information, which is always "met".
    """

    name: str
    unit: str
    engine: float
    reference: float | None
    ratio: float | None
    target: str
    met: bool
    detail: str = ""
    wall: dict[str, float] = field(default_factory=dict)
    samples: dict[str, dict[str, list[float]]] = field(default_factory=dict)


def timing(name: str, times: Samples, engine: str, reference: str, target: str,
           least: float | None, detail: str) -> Figure:
    """A figure comparing two entries of `times` by their median CPU times."""
    med = {kind: {n: statistics.median(times[n][kind]) for n in (engine, reference)}
           for kind in ("cpu", "wall")}
    ratio = med["cpu"][reference] / med["cpu"][engine]
    return Figure(
        name, "s", med["cpu"][engine], med["cpu"][reference], ratio, target,
        least is None or ratio >= least, detail=detail,
        wall={"engine": med["wall"][engine], "reference": med["wall"][reference],
              "ratio": med["wall"][reference] / med["wall"][engine]},
        samples={engine: times[engine], reference: times[reference]})


# ---- a random graph ------------------------------------------------------------

def bench_graph(sizes: Sizes) -> list[Figure]:
    leaves, steps, n_ops = plan_graph(sizes.graph_ops, sizes.graph_width)

    def graph(value: type) -> Kept:
        out, inputs = replay_graph(value, leaves, steps)
        out.backward()
        return Kept([x.grad for x in inputs], graph=(out, inputs))

    def paused(_: int) -> list[float]:
        # The graph is dropped inside the block, as the engine's docs advise.
        with no_cycle_collection():
            return graph(Value).result

    times, grads = in_a_row({ENGINE: lambda _: graph(Value),
                             REFERENCE: lambda _: graph(v8.Value),
                             PAUSED: paused},
                            sizes.graph_rounds, sizes.graphs_in_a_row)
    error = max(relative_error(ours, theirs)
                for ours, theirs in zip(grads[ENGINE], grads[REFERENCE], strict=True))
    row = sizes.graphs_in_a_row
    detail = (f"{row} graphs in a row, {sizes.graph_rounds} rounds; median over the "
              "rounds of CPU time per graph")
    label = f"random graph ({n_ops:,} ops, {row} in a row)"
    return [
        timing(f"{label}: forward+backward", times, ENGINE, REFERENCE, ">= 20x", 20,
               detail),
        timing(f"{label}: engine in no_cycle_collection()", times, PAUSED, REFERENCE,
               "-", None, detail + "; each graph built, differentiated and dropped "
               "inside the block; v8 as in the row above"),
        Figure(f"random graph ({n_ops:,} ops): gradients vs v8", "relative", error,
               None, None, "<= 1e-12", error <= 1e-12,
               detail="largest difference / largest gradient, worst graph"),
    ]


# ---- two moons ------------------------------------------------------------------

def training_step(model, value: type, relu: Callable, points, labels, step: int,
                  steps: int) -> Kept:
    """One step of full-batch SGD on the max-margin loss with L2 regularisation.

    Returns the loss and the gradients before the update, and the step's
    graph for `harness.timed` to drop after the clock stops.
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
    return Kept((loss.data, grads), graph=loss)


@contextmanager
def frozen() -> Iterator[None]:
    """`gc.freeze()` for the length of a block, then `gc.unfreeze()`.

    Everything alive when the block starts (the model, every module loaded)
    moves where the collector never looks, as a training loop would do once,
    after building its model. Both calls are O(1).
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def bench_moons(sizes: Sizes) -> list[Figure]:
    points, labels = make_moons(sizes.moons_samples)
    random.seed(1337)
    ours = nn.MLP(2, [16, 16, 1])
    weights = [p.data for p in ours.parameters()]
    theirs = reference_style.MLP(2, [16, 16, 1])
    theirs.load(weights)
    total = sizes.moons_rounds * sizes.steps_in_a_row

    def copy_of_ours() -> nn.MLP:
        model = nn.MLP(2, [16, 16, 1])
        for p, x in zip(model.parameters(), weights, strict=True):
            p.data = x
        return model

    def stepper(model, value: type, relu: Callable, paused: bool = False,
                ) -> Callable[[int], Kept | tuple[float, list[float]]]:
        def step(k: int) -> Kept | tuple[float, list[float]]:
            if paused:
                # The step's graph is dropped inside the block, as the
                # engine's docs advise.
                with no_cycle_collection():
                    return training_step(model, value, relu, points, labels, k,
                                         total).result
            return training_step(model, value, relu, points, labels, k, total)
        return step

    def engine_relu(v: Value) -> Value:
        return v.relu()

    # Every model starts from the same weights and takes the same steps, so
    # their losses can be compared step by step.
    runs = {
        ENGINE: stepper(ours, Value, engine_relu),
        REFERENCE: stepper(theirs, v8.Value, reference_style.relu),
        PAUSED: stepper(copy_of_ours(), Value, engine_relu, paused=True),
        FROZEN: stepper(copy_of_ours(), Value, engine_relu),
    }
    times, results = in_a_row(runs, sizes.moons_rounds, sizes.steps_in_a_row,
                              around={FROZEN: frozen})
    for name in (PAUSED, FROZEN):
        if results[name] != results[ENGINE]:
            raise AssertionError(f"{name}: losses or gradients differ from the "
                                 "engine's")
    losses = {name: [loss for loss, _ in results[name]] for name in runs}
    grad_error = max(relative_error(ours_, theirs_) for (_, ours_), (_, theirs_)
                     in zip(results[ENGINE], results[REFERENCE], strict=True))
    loss_gap = max(abs(a - b) for a, b in zip(losses[ENGINE], losses[REFERENCE],
                                              strict=True))
    row = sizes.steps_in_a_row
    detail = (f"{row} steps in a row, {sizes.moons_rounds} rounds; median over the "
              "rounds of CPU time per step")
    label = f"two-moons step ({len(points)} samples)"
    return [
        timing(f"{label}, {row} in a row: MLP(2, [16, 16, 1])", times, ENGINE,
               REFERENCE, ">= 60x", 60, detail),
        timing(f"{label}, {row} in a row: engine in no_cycle_collection()", times,
               PAUSED, REFERENCE, "-", None, detail + "; each step, its graph "
               "dropped, inside the block; v8 as in the row above"),
        timing(f"{label}, {row} in a row: engine after gc.freeze()", times, FROZEN,
               REFERENCE, "-", None, detail + "; gc.freeze() once before each turn; "
               "v8 as in the row above"),
        Figure(f"{label}: losses vs v8", "abs", loss_gap, None, None, "<= 1e-9",
               loss_gap <= 1e-9,
               detail=f"largest difference over {total} steps; the engine's losses: "
               + ", ".join(f"{x:.6f}" for x in losses[ENGINE])),
        Figure(f"{label}: gradients vs v8", "relative", grad_error, None, None,
               "<= 1e-12", grad_error <= 1e-12,
               detail="largest difference / largest gradient, worst step"),
    ]


def bench_others(sizes: Sizes) -> list[Figure]:
    """The first step of the two-moons benchmark done the ways a user might pick."""
    points, labels = make_moons(sizes.moons_samples)
    random.seed(1337)
    params = [p.data for p in nn.MLP(2, [16, 16, 1]).parameters()]

    def engine_step() -> Kept:
        model = nn.MLP(2, [16, 16, 1])
        for p, x in zip(model.parameters(), params, strict=True):
            p.data = x
        return training_step(model, Value, lambda v: v.relu(), points, labels, 0, 1)

    def reference_step() -> Kept:
        model = reference_style.MLP(2, [16, 16, 1])
        model.load(params)
        return training_step(model, v8.Value, reference_style.relu, points, labels,
                             0, 1)

    def other(kind: type) -> Callable[[], tuple[float, list[float]]]:
        return lambda: kind(params, 2, [16, 16, 1]).step(points, labels, 1.0)

    runs = {ENGINE: engine_step, REFERENCE: reference_step, FLOOR: other(Floor)}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        # One thread, like every other entry here.
        torch.set_num_threads(1)
        runs[TORCH_BATCHED] = other(TorchBatched)
        runs[TORCH_SCALARS] = other(TorchScalars)
        runs[TORCH_BATCHED]()  # PyTorch's first call sets itself up
    times, results = interleave(runs, sizes.others_repeats)
    loss, grads = results[ENGINE]
    figures = []
    for name in runs:
        if name in (ENGINE, REFERENCE):
            continue
        other_loss, other_grads = results[name]
        agree = (abs(other_loss - loss) <= 1e-9
                 and relative_error(other_grads, grads) <= 1e-12)
        figure = timing(f"two-moons step: {name}", times, name, REFERENCE, "-", None,
                        f"median of {sizes.others_repeats} repeats each, CPU time; "
                        f"loss and gradients {'agree' if agree else 'DIFFER'} "
                        "with the engine's")
        figure.met = agree
        figures.append(figure)
    figures.append(timing("two-moons step: micrograd.engine, same repeats", times,
                          ENGINE, REFERENCE, "-", None,
                          "the engine in the same interleaved repeats as the rows "
                          "above"))
    if torch is None:
        figures.append(Figure("two-moons step: PyTorch", "s", 0.0, None, None, "-",
                              True, detail="not measured: PyTorch is not installed"))
    return figures


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
                   "bytes", engine, reference, reference / engine, "<= 110 bytes",
                   engine <= 110, detail="tracemalloc, graph and its gradients")]


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
    # The same chain through both engines: v8's backward recurses once per
    # node, so its recursion limit is raised for it (see the top of the file).
    check = sizes.chain_check_ops
    chains = {name: build_chain(value, check)
              for name, value in ((ENGINE, Value), (REFERENCE, v8.Value))}
    times, _ = interleave({name: y.backward for name, (_, y) in chains.items()}, 1)
    grads = {name: x.grad for name, (x, _) in chains.items()}
    del chains
    check_error = relative_error([grads[ENGINE]], [grads[REFERENCE]])
    figures = [
        timing(f"chain of {check:,} ops: backward", times, ENGINE, REFERENCE, "-",
               None, "one backward each, CPU time; v8 with its recursion limit "
               "raised"),
        Figure(f"chain of {check:,} ops: gradient vs v8", "relative",
               check_error, None, None, "<= 1e-12", check_error <= 1e-12),
    ]
    gc.collect()
    start = time.process_time()
    x, y = build_chain(Value, sizes.chain_ops)
    built = time.process_time() - start
    start = time.process_time()
    y.backward()
    backward = time.process_time() - start
    expected = 0.999999 ** (sizes.chain_ops // 2)
    analytic_error = abs(x.grad - expected) / expected
    del x, y
    gc.collect()
    figures.insert(0, Figure(
        f"chain of {sizes.chain_ops:,} ops: backward", "s", backward, None, None,
        "works", analytic_error <= 1e-8,
        detail=f"CPU time; building it took {built:.2f} s; gradient off the "
        f"closed form by {analytic_error:.1e} (relative)"))
    return figures


# ---- report ---------------------------------------------------------------------

def number(x: float, unit: str) -> str:
    if unit == "s":
        return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"
    if unit == "bytes":
        return f"{x:.0f} B"
    return f"{x:.1e}"


def table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            .rstrip() for row in rows]


def report(figures: list[Figure], header: str) -> str:
    """One run's figures as a table."""
    rows = [("figure", "engine", "v8", "ratio", "wall ratio", "target", "met")]
    for f in figures:
        rows.append((
            f.name,
            number(f.engine, f.unit),
            number(f.reference, f.unit) if f.reference is not None else "-",
            f"{f.ratio:.1f}x" if f.ratio is not None else "-",
            f"{f.wall['ratio']:.1f}x" if f.wall else "-",
            f.target,
            "-" if f.target == "-" else "yes" if f.met else "NO",
        ))
    lines = [header, "", *table(rows)]
    notes = [f"  {f.name}: {f.detail}" for f in figures if f.detail]
    if notes:
        lines += ["", "notes:", *notes]
    return "\n".join(lines)


def summarize(runs: list[list[Figure]]) -> list[dict]:
    """Each figure over the runs: the median and range of what its target judges."""
    summary = []
    for by_run in zip(*runs, strict=True):
        first = by_run[0]
        # A timing is judged by its ratio, anything else by the engine's figure.
        by_ratio = first.unit == "s" and first.ratio is not None
        judged = [f.ratio if by_ratio else f.engine for f in by_run]
        summary.append({
            "name": first.name, "unit": "ratio" if by_ratio else first.unit,
            "median": statistics.median(judged),
            "low": min(judged), "high": max(judged),
            "engine_median": statistics.median(f.engine for f in by_run),
            "reference_median": (statistics.median(f.reference for f in by_run)
                                 if first.reference is not None else None),
            "target": first.target, "runs_met": sum(f.met for f in by_run),
            "runs": len(by_run),
        })
    return summary


def summary_report(summary: list[dict], quick: bool) -> str:
    rows = [("figure", "median", "range over runs", "target", "met in runs")]
    for f in summary:
        unit = f["unit"]
        if unit == "ratio":
            cells = (f"{f['median']:.1f}x", f"{f['low']:.1f}x - {f['high']:.1f}x")
        else:
            cells = (number(f["median"], unit),
                     f"{number(f['low'], unit)} - {number(f['high'], unit)}")
        met = "-" if f["target"] == "-" else f"{f['runs_met']} of {f['runs']}"
        rows.append((f["name"], *cells, f["target"], met))
    judged = [f for f in summary if f["target"] != "-"]
    every = sum(f["runs_met"] == f["runs"] for f in judged)
    lines = [*table(rows), "",
             f"{every} of {len(judged)} targets met in every run"]
    if quick:
        lines.append("(--quick: at these sizes fixed costs dominate, so the ratios "
                     "say nothing about the targets)")
    return "\n".join(lines)


PARTS = (bench_graph, bench_moons, bench_others, bench_memory, bench_chain)


def one_run(sizes: Sizes) -> list[Figure]:
    figures: list[Figure] = []
    for part in PARTS:
        figures += part(sizes)
        print(f"  ... {part.__name__[6:]} done", flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, to check that the benchmark runs")
    parser.add_argument("--json", type=Path, metavar="PATH",
                        help="also write the figures to this file as JSON")
    parser.add_argument("--runs", type=int, metavar="N",
                        help="separate processes to run (default 3, 1 with --quick)")
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.one_run:
        # A child of the run below: one set of figures, as JSON on stdout's
        # last line.
        figures = one_run(sizes)
        print(json.dumps([asdict(f) for f in figures]))
        return 0
    runs = args.runs or (1 if args.quick else 3)
    measured = record.stamp("engine.json")
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        f"micrograd.engine vs micrograd.versions.v8 in the original's style"
        f"{' (--quick sizes)' if args.quick else ''}\n"
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {when}; {runs} separate runs, each of "
        "interleaved repeats; ratios of median CPU times")
    print(header, flush=True)
    results: list[list[Figure]] = []
    for run in range(runs):
        print(f"run {run + 1} of {runs}", flush=True)
        child = run_in_a_child(__file__, args.quick)
        if child.returncode != 0:
            return child.returncode
        *progress, last = child.stdout.splitlines()
        print("\n".join(progress), flush=True)
        figures = [Figure(**f) for f in json.loads(last)]
        results.append(figures)
        print()
        print(report(figures, f"run {run + 1} of {runs}"), flush=True)
        print()
    summary = summarize(results)
    print(f"over {runs} run{'s' if runs > 1 else ''}:")
    print(summary_report(summary, args.quick))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "header": header,
            "quick": args.quick,
            "sizes": asdict(sizes),
            "summary": summary,
            "runs": [[asdict(f) for f in figures] for figures in results],
            "measured": measured,
        }, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
