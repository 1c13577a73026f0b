"""benchmarks/bench_engine.py runs end to end at tiny sizes and reports every
figure. Nothing here looks at timings: that is the benchmark's job."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "bench_engine.py"

FIGURES = [
    "forward+backward",
    "no_cycle_collection()",
    "gc.freeze()",
    "in a row",
    "two-moons step",
    "losses vs v8",
    "gradients vs v8",
    "derivatives by hand",
    "memory kept per op",
    "ops: backward",
    "targets met in every run",
    "range over runs",
]


def test_quick_run_prints_every_figure_and_writes_json(tmp_path: Path) -> None:
    out_json = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--runs", "2", "--json",
         str(out_json)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    for figure in FIGURES:
        assert figure in result.stdout, f"{figure!r} missing from:\n{result.stdout}"
    report = json.loads(out_json.read_text())
    assert report["quick"] is True
    assert len(report["runs"]) == 2
    names = [f["name"] for f in report["summary"]]
    assert names == [f["name"] for f in report["runs"][0]]
    for run in report["runs"]:
        for figure in run:
            assert figure["engine"] >= 0
            assert isinstance(figure["met"], bool)
            if figure["unit"] == "s" and figure["reference"] is not None:
                # CPU time judged, wall-clock time beside it.
                assert set(figure["wall"]) == {"engine", "reference", "ratio"}
    for figure in report["summary"]:
        assert figure["low"] <= figure["median"] <= figure["high"]
    # Agreement between the engines does not depend on the machine's speed,
    # and neither does agreement with the hand-written and PyTorch steps.
    agreement = [f for f in report["summary"] if "vs v8" in f["name"]]
    assert len(agreement) == 4
    assert all(f["runs_met"] == f["runs"] for f in agreement)
    others = [f for run in report["runs"] for f in run
              if f["name"].startswith("two-moons step: ") and "agree" in f["detail"]]
    assert others and all(f["met"] for f in others)


def test_help_names_the_options() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for option in ("--quick", "--json", "--runs"):
        assert option in result.stdout


def test_build_benchmark_times_every_graph_shape(tmp_path: Path) -> None:
    # Only the graph figures: the builds themselves take minutes.
    out_json = tmp_path / "graphs.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_build.py"),
            "--graphs-only",
            "--repeats",
            "1",
            "--json",
            str(out_json),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    graphs = json.loads(out_json.read_text())["graphs"]
    assert graphs["graphs"]["x added in 1999 times (2000 values)"]["values"] == 2000
    assert graphs["graphs"]["random graph of 2000 values"]["values"] <= 2000
    for name in graphs["graphs"]:
        assert f"draw {name}" in result.stdout
    assert "every edge drawn / copies" in result.stdout
    assert "slowest graph:" in result.stdout
    assert isinstance(graphs["met"], bool)


UNDONE_CHECK = """
import sys
from bench_readability import undone_methods
from micrograd.engine import Value

undone = undone_methods()
assert {"__add__", "__mul__", "__pow__", "exp"} <= set(undone), sorted(undone)
# The activations' methods are built from a table: nothing written to undo.
assert not {"relu", "tanh", "sigmoid"} & set(undone), sorted(undone)
for name, method in undone.items():
    # No call of the helper left, and the rule named without the class.
    assert "_result" not in method.__code__.co_names, name
a, b = Value(2.0), Value(-3.0)
for name, args in [("__add__", (a, b)), ("__mul__", (a, 4)), ("__pow__", (a, 3)),
                   ("exp", (a,)), ("__rtruediv__", (a, 1.5))]:
    ours, theirs = getattr(Value, name)(*args), undone[name](*args)
    assert (theirs.data, theirs._rule, theirs._a, theirs._b, theirs._k) == (
        ours.data, ours._rule, ours._a, ours._b, ours._k), name
# Reusing the benchmarks' graphs leaves the interpreter as it was.
assert sys.getrecursionlimit() < 10_000, sys.getrecursionlimit()
print("ok")
"""


def test_readability_benchmark_undoes_both_choices_and_agrees(tmp_path: Path) -> None:
    # In a process of its own: the benchmarks put their folder on sys.path.
    check = subprocess.run(
        [sys.executable, "-c", UNDONE_CHECK], cwd=ROOT / "benchmarks",
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert check.returncode == 0 and check.stdout.strip() == "ok", check.stderr

    out_json = tmp_path / "readability.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_readability.py"), "--quick",
         "--runs", "1", "--json", str(out_json)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads(out_json.read_text())
    assert report["quick"] is True and len(report["runs"]) == 1
    summary = report["summary"]
    assert summary["low"] <= summary["median"] <= summary["high"]


HARNESS_CHECK = """
import bench_engine
import bench_readability
import harness
from micrograd import examples
from micrograd.engine import Value, topological_order
from micrograd.versions import v8

# Both scripts take what they share from the harness, and the data from
# micrograd.examples.
for shared in ("plan_graph", "replay_graph", "run_in_a_child"):
    for script in (bench_engine, bench_readability):
        assert getattr(script, shared) is getattr(harness, shared), (script, shared)
assert bench_engine.make_moons is examples.make_moons
assert not hasattr(bench_engine, "two_moons")

# The planned graph has the operations it counts, and both engines build it
# alike.
leaves, steps, n_ops = harness.plan_graph(3_000, 50, seed=2)
out, inputs = harness.replay_graph(Value, leaves, steps)
assert len(topological_order(out)) == n_ops, (len(topological_order(out)), n_ops)
out.backward()
theirs, their_inputs = harness.replay_graph(v8.Value, leaves, steps)
theirs.backward()
assert out.data == theirs.data
error = harness.relative_error([x.grad for x in inputs],
                               [x.grad for x in their_inputs])
assert error <= 1e-12, error
print("ok")
"""


def test_the_harness_holds_what_the_benchmarks_share() -> None:
    check = subprocess.run(
        [sys.executable, "-c", HARNESS_CHECK], cwd=ROOT / "benchmarks",
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert check.returncode == 0 and check.stdout.strip() == "ok", check.stderr
