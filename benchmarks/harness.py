"""What the benchmarks share: how they time, the random graph they time, and
a fresh process for each run.

* `timed`, `interleave` and `in_a_row` time calls the ways the benchmarks
  compare engines (one call on a clean heap; calls taking turns; calls in a
  row, as a program makes them), in CPU and in wall-clock time. `Kept` lets
  a timed call hand back the graph it built, so that the timer decides when
  the graph is freed.
* `plan_graph` and `replay_graph`: a layered random graph of about as many
  operations as asked, planned once in plain floats and then built with any
  `Value` class, so every engine builds the very same graph.
* `run_in_a_child` runs a benchmark script's `--one-run` in a new process.
* `relative_error` compares gradients from two engines.

It imports nothing of micrograd's: the scripts pass in the classes to time.
"""

from __future__ import annotations

import gc
import random
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

Samples = dict[str, dict[str, list[float]]]


def relative_error(got: list[float], expected: list[float]) -> float:
    """Largest difference, relative to the largest expected magnitude.

    Per element, a gradient that is a near-cancelling sum can differ in
    relative terms just because the two engines add its parts in different
    orders; against the scale of the whole gradient it cannot.
    """
    scale = max((abs(x) for x in expected), default=0.0) or 1.0
    worst = max((abs(a - b) for a, b in zip(got, expected, strict=True)), default=0.0)
    return worst / scale


@dataclass
class Kept:
    """What a timed call returns: `result`, and the `graph` it built.

    The timer decides when the graph goes. `timed`, which times one call on a
    clean heap, drops it after its clock stops, so freeing is left out for
    every engine alike. `in_a_row` drops it as soon as the call returns, as a
    program would.
    """

    result: object
    graph: object


def timed(run: Callable[[], object]) -> tuple[float, float, object]:
    """Wall and CPU seconds of `run()`, and what it returned.

    A full collection runs first, outside the clock, so no run pays for the
    garbage of the one before. Inside the clock the collector works as it
    would in any program. If the run hands back its graph (`Kept`), the graph
    is dropped after the clock stops, and only `Kept.result` is returned.
    """
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    if isinstance(result, Kept):
        result = result.result
    return wall, cpu, result



def interleave(runs: dict[str, Callable[[], object]], repeats: int,
               ) -> tuple[Samples, dict[str, object]]:
    """Time each run `repeats` times, taking turns; the order rotates each repeat."""
    times: Samples = {name: {"cpu": [], "wall": []} for name in runs}
    results: dict[str, object] = {}
    names = list(runs)
    for repeat in range(repeats):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            wall, cpu, results[name] = timed(runs[name])
            times[name]["cpu"].append(cpu)
            times[name]["wall"].append(wall)
    return times, results


def in_a_row(runs: dict[str, Callable[[int], object]], rounds: int, count: int,
             around: dict[str, Callable[[], AbstractContextManager]] | None = None,
             ) -> tuple[Samples, dict[str, list]]:
    """Time each run `count` times in a row, the way a program would, in rounds.

    Each run is called with the index of the call (0, 1, 2, ... across the
    rounds). In a round, every run takes its turn, the order rotating from
    round to round. A turn starts with a full collection, outside the clock;
    inside the clock nothing is collected by hand. Each call's graph is
    dropped as soon as the call returns, so each engine frees its own graphs
    the way it would in a program: the engine's by reference counting, v8's
    by the cycle collector, whenever the collector gets to them. (What v8's
    collector has not got to when a turn ends is collected after the clock
    stops, which is in v8's favour.) A sample is the turn's time divided by
    `count`; `around` names a context manager to run a turn inside.
    """
    around = around or {}
    times: Samples = {name: {"cpu": [], "wall": []} for name in runs}
    results: dict[str, list] = {name: [] for name in runs}
    names = list(runs)
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            run, kept = runs[name], results[name]
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            with around.get(name, nullcontext)():
                for call in range(round_ * count, (round_ + 1) * count):
                    result = run(call)
                    kept.append(result.result if isinstance(result, Kept) else result)
                    # Gone now, not when the next call's result replaces it.
                    del result
            cpu = time.process_time() - cpu
            wall = time.perf_counter() - wall
            times[name]["cpu"].append(cpu / count)
            times[name]["wall"].append(wall / count)
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


# ---- a process per run -----------------------------------------------------------

def run_in_a_child(script: str, quick: bool) -> subprocess.CompletedProcess:
    """One run of a benchmark `script` (`--one-run`) in a new process.

    Each run gets a fresh interpreter, so no run inherits another's heap. If
    the child fails, what it printed goes to stderr.
    """
    child = subprocess.run(
        [sys.executable, script, "--one-run", *(["--quick"] if quick else [])],
        capture_output=True, text=True, check=False)
    if child.returncode != 0:
        print(child.stdout, child.stderr, sep="\n", file=sys.stderr)
    return child


