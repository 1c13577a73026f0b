"""How much running the book costs the site build.

Times `mkdocs build --strict` as it really runs (every example executed,
every graph and plot rendered, the notebooks executed) against the same build
with execution switched off (`BOOK_EXECUTE=false`), alternating the two so
both see the same machine, and prints the ratio of the medians.

Executed notebooks are cached by content (see bookbuild/hooks.py), so a
full build is timed twice: as it usually runs, with the cache filled by an
earlier build, and from an empty cache, when the notebooks execute too.

Goal: the full build costs at most twice the plain build, and under 30 s.

Drawing a graph is timed on its own too: `draw_dot` and the SVG render of
graphs up to the default limit of 2000 values, in the shapes that cost
Graphviz the most (one value used all along a long sum; random graphs whose
values are used far from where they were made), next to a plain chain of the
same size, which dot lays out in linear time. The first render also compiles
the WebAssembly Graphviz, so it is timed apart. Goal: every graph under 2 s.
The old layout, every edge drawn however far it goes, is timed on a sum of
40 steps (at 100 steps it took over two minutes).

    python benchmarks/bench_build.py [--repeats N] [--json PATH] [--graphs-only]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import record  # noqa: E402

from bookbuild import pyodide_assets  # noqa: E402

MAX_RATIO = 2.0
MAX_SECONDS = 30.0
MAX_GRAPH_SECONDS = 2.0


def build_seconds(execute: bool, site_dir: Path, cache: Path | None = None) -> float:
    """Wall time of one strict build; `cache` replaces the notebook cache."""
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "BOOK_EXECUTE": "true" if execute else "false",
    }
    if cache is not None:
        env["BOOK_NOTEBOOK_CACHE"] = str(cache)
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    command += ["--site-dir", str(site_dir)]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(
            f"build failed (execute={execute}):\n{result.stdout}\n{result.stderr}"
        )
    return elapsed


def site_sizes(site: Path) -> dict[str, int]:
    """Bytes of the whole site, of a page's first Run, of its first graph."""
    return {
        "site": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()),
        "first_run": sum(
            p.stat().st_size for p in pyodide_assets.first_run_files(site)
        ),
        "drawing": sum(p.stat().st_size for p in pyodide_assets.drawing_files(site)),
    }


def _line(name: str, times: list[float]) -> str:
    runs = ", ".join(f"{t:.2f}" for t in times)
    return f"{name:<58} median {statistics.median(times):6.2f} s   runs: {runs}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


# ---- drawing graphs ---------------------------------------------------------


def _fan(uses: int) -> Any:
    from micrograd.engine import Value

    x = Value(1.0, label="x")
    total = x
    for _ in range(uses):
        total = total + x
    return total


def _chain(values: int) -> Any:
    from micrograd.engine import Value

    total = Value(1.0)
    for _ in range(values - 1):
        total = total * 1.001
    return total


def _random_graph(values: int, seed: int = 0) -> Any:
    # Each new value combines any earlier value with a recent one, so some
    # operands come from far back in the graph.
    from micrograd.engine import Value

    rng = random.Random(seed)
    made = [Value(rng.uniform(-1, 1)) for _ in range(20)]
    while len(made) < values:
        a, b = rng.choice(made), rng.choice(made[-30:])
        made.append(a * b if rng.random() < 0.5 else a + b)
    return made[-1]


def _mlp() -> Any:
    from micrograd.engine import Value
    from micrograd.nn import MLP

    random.seed(0)
    model = MLP(3, [16, 16, 1])
    return model([Value(1.0), Value(-2.0), Value(0.5)])


#: Name, how to build it, and whether it is the baseline of its size.
GRAPHS: list[tuple[str, Callable[[], Any]]] = [
    ("chain of 2000 values (baseline)", lambda: _chain(2000)),
    ("x added in 100 times (101 values)", lambda: _fan(100)),
    ("x added in 1999 times (2000 values)", lambda: _fan(1999)),
    ("random graph of 2000 values", lambda: _random_graph(2000)),
    ("MLP 3-16-16-1 on one input", _mlp),
]


def _seconds(work: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def graph_figures(repeats: int) -> dict[str, Any]:
    """Time draw_dot plus the SVG render of each graph of GRAPHS."""
    from micrograd import viz

    start = time.perf_counter()
    viz.render_svg("digraph { a }")
    compile_seconds = time.perf_counter() - start
    first = "first render (compiles the WebAssembly Graphviz)"
    print(f"{first:<58} {compile_seconds:6.2f} s")
    figures: dict[str, Any] = {"compile": compile_seconds, "graphs": {}}
    baseline = None
    for name, make in GRAPHS:
        root = make()
        values = len(viz.trace(root)[0])
        times = _seconds(lambda root=root: viz.draw_dot(root).svg(), repeats)
        median = statistics.median(times)
        baseline = baseline or median
        figures["graphs"][name] = {"values": values, "seconds": times, "median": median}
        print(_line(f"draw {name}", times) + f"   x{median / baseline:.1f} the chain")
    # The old layout: every edge drawn, dot's full refinement. Its time
    # grows with the fourth power of the sum's length.
    old_root = _fan(40)
    old_draw = viz.draw_dot(old_root)
    old = _seconds(lambda: viz.render_svg(_every_edge_drawn(old_root, viz)), 1)
    new = _seconds(lambda: old_draw.svg(), repeats)
    figures["old layout, x added in 40 times"] = {
        "old": old[0],
        "new": statistics.median(new),
    }
    print(
        f"{'x added in 40 times: every edge drawn / copies':<58} "
        f"{old[0]:6.2f} s / {statistics.median(new):.2f} s = "
        f"{old[0] / statistics.median(new):.0f}x"
    )
    slowest = max(g["median"] for g in figures["graphs"].values())
    figures["met"] = slowest < MAX_GRAPH_SECONDS
    print(
        f"slowest graph: {slowest:.2f} s  (target < {MAX_GRAPH_SECONDS:.0f} s: "
        f"{_verdict(figures['met'])})"
    )
    return figures


def _every_edge_drawn(root: Any, viz: Any) -> str:
    # draw_dot reads HIDDEN_NODE_BUDGET on every call: with no budget to
    # keep to, it copies no edge.
    saved = viz.HIDDEN_NODE_BUDGET
    viz.HIDDEN_NODE_BUDGET = 10**9
    try:
        return viz.draw_dot(root).source
    finally:
        viz.HIDDEN_NODE_BUDGET = saved


# ---- the whole build ---------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeats", type=int, default=3, help="builds of each kind (default 3)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--graphs-only",
        action="store_true",
        help="time drawing the graphs only, not the builds",
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    measured = record.stamp("build.json")

    graphs = graph_figures(args.repeats)
    if args.graphs_only:
        if args.json:
            args.json.write_text(json.dumps({"graphs": graphs}, indent=2) + "\n")
        return 0

    times: dict[str, list[float]] = {"full": [], "cold": [], "plain": []}
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        # A warm-up build of each kind, so every kind finds its caches as warm
        # as it ever will.
        build_seconds(True, site)
        build_seconds(False, site)
        for repeat in range(args.repeats):
            times["full"].append(build_seconds(True, site))
            empty = Path(scratch) / f"empty-cache-{repeat}"
            times["cold"].append(build_seconds(True, site, cache=empty))
            times["plain"].append(build_seconds(False, site))
        sizes = site_sizes(site)

    full, cold, plain = (statistics.median(times[k]) for k in ("full", "cold", "plain"))
    print(_line("full build (examples run, graphs drawn)", times["full"]))
    print(_line("full build, empty notebook cache (notebooks run too)", times["cold"]))
    print(_line("plain build (BOOK_EXECUTE=false)", times["plain"]))
    print(
        f"ratio full/plain: {full / plain:.2f}  (target <= {MAX_RATIO:.0f}: "
        f"{_verdict(full / plain <= MAX_RATIO)}); "
        f"with an empty notebook cache: {cold / plain:.2f}"
    )
    print(
        f"full build: {full:.2f} s, with an empty notebook cache {cold:.2f} s  "
        f"(target < {MAX_SECONDS:.0f} s: {_verdict(max(full, cold) < MAX_SECONDS)})"
    )
    print(
        f"site: {sizes['site'] / 1e6:.2f} MB in all; a first Run in a page loads "
        f"{sizes['first_run'] / 1e6:.2f} MB, a first graph "
        f"{sizes['drawing'] / 1e6:.2f} MB more"
    )
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if args.json:
        figures = {
            "seconds": times,
            "medians": {"full": full, "cold": cold, "plain": plain},
            "ratio": full / plain,
            "ratio_cold": cold / plain,
            "bytes": sizes,
            "graphs": graphs,
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "measured": measured,
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
