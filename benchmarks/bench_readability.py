"""What two of the engine's choices for the reader cost in speed.

`micrograd/engine.py` makes every result node through one helper,
`_result`, and keeps each backward rule inside `Value`, where a method
names it as `Value._add`. Both make the file easier to read, and chapter 12
shows them. Undone, a method would fill the node's slots itself and name its
rule through a module-level alias.

This script undoes both in the real code: it takes the source of every
`Value` method that returns `_result(...)`, puts `_result`'s body in place of
the call and a module-level name in place of `Value._rule`, and compiles
the result. Then it times the random graph of `harness.py` (about
100,000 operations, forward and backward) with the engine's methods and with
the undone ones, taking turns, with the collector paused for both so that
its walks do not drown the difference. Three runs in separate processes;
it prints, for each, the ratio of median CPU times (undone over as written,
so 0.9 means the undone code takes 10% less time), and their median and
range. The two must build the same graph and get the same gradients.
"""

from __future__ import annotations

import argparse
import ast
import copy
import inspect
import json
import statistics
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import record  # noqa: E402
from harness import plan_graph, replay_graph, run_in_a_child  # noqa: E402

from micrograd import engine  # noqa: E402
from micrograd.engine import Value, no_cycle_collection  # noqa: E402

HELPER = "_result"


class _Inline(ast.NodeTransformer):
    """`return _result(...)` becomes `_result`'s body; `Value._rule`, `_rule`."""

    def __init__(self, params: list[str], body: list[ast.stmt], rules: set[str]):
        self.params, self.body, self.rules = params, body, rules
        self.inlined = 0

    def visit_Return(self, node: ast.Return) -> ast.AST | list[ast.stmt]:
        self.generic_visit(node)
        call = node.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                and call.func.id == HELPER):
            return node
        defaults = [ast.Constant(None)] * (len(self.params) - len(call.args))
        bound = dict(zip(self.params, call.args + defaults, strict=True))

        class Bind(ast.NodeTransformer):
            def visit_Name(self, name: ast.Name) -> ast.AST:
                if isinstance(name.ctx, ast.Load) and name.id in bound:
                    return copy.deepcopy(bound[name.id])
                return name

        self.inlined += 1
        return [Bind().visit(copy.deepcopy(stmt)) for stmt in self.body]

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if (isinstance(node.value, ast.Name) and node.value.id == "Value"
                and node.attr in self.rules):
            return ast.copy_location(ast.Name(node.attr, ast.Load()), node)
        return node


def undone_methods() -> dict[str, Callable]:
    """Each `Value` method that returns `_result(...)`, with both choices undone."""
    helper = ast.parse(textwrap.dedent(inspect.getsource(engine._result))).body[0]
    params = [arg.arg for arg in helper.args.args]
    # The helper's body, without its docstring or comments.
    body = [stmt for stmt in helper.body
            if not (isinstance(stmt, ast.Expr)
                    and isinstance(stmt.value, ast.Constant))]
    rules = {name for name, member in vars(Value).items()
             if isinstance(member, staticmethod) and hasattr(member.__func__, "symbol")}
    namespace = dict(vars(engine))
    namespace.update({name: getattr(Value, name) for name in rules})
    methods = {}
    for name, member in vars(Value).items():
        # The activations' methods are made by one factory from a table, not
        # written out one by one, so there is nothing of theirs to undo.
        if not inspect.isfunction(member) or member.__closure__:
            continue
        source = textwrap.dedent(inspect.getsource(member))
        if f"return {HELPER}(" not in source:
            continue
        tree = ast.parse(source)
        inline = _Inline(params, body, rules)
        tree = ast.fix_missing_locations(inline.visit(tree))
        if inline.inlined == 0 or HELPER in ast.unparse(tree).replace(
                f"def {HELPER}", ""):
            raise RuntimeError(f"Value.{name}: could not inline every {HELPER}()")
        exec(compile(tree, f"<undone {name}>", "exec"), namespace)
        methods[name] = namespace[name]
    return methods


def one_run(repeats: int, n_ops: int) -> dict:
    leaves, steps, _ = plan_graph(n_ops, 1000)
    undone = undone_methods()
    written = {name: vars(Value)[name] for name in undone}

    def graph(methods: dict[str, Callable]) -> list[float]:
        for name, method in methods.items():
            setattr(Value, name, method)
        try:
            with no_cycle_collection():
                start = time.process_time()
                out, inputs = replay_graph(Value, leaves, steps)
                out.backward()
                seconds = time.process_time() - start
                grads = [x.grad for x in inputs]
                del out, inputs
        finally:
            for name, method in written.items():
                setattr(Value, name, method)
        return seconds, grads

    times: dict[str, list[float]] = {"written": [], "undone": []}
    grads = {}
    for repeat in range(repeats):
        order = ["written", "undone"] if repeat % 2 == 0 else ["undone", "written"]
        for kind in order:
            seconds, grads[kind] = graph(written if kind == "written" else undone)
            times[kind].append(seconds)
    if grads["written"] != grads["undone"]:
        raise AssertionError("the undone methods give other gradients")
    medians = {kind: statistics.median(t) for kind, t in times.items()}
    return {"methods": sorted(undone), "times": times, "medians": medians,
            "ratio": medians["undone"] / medians["written"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small graph")
    parser.add_argument("--runs", type=int, default=3, metavar="N")
    parser.add_argument("--json", type=Path, metavar="PATH")
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    repeats, n_ops = (3, 2_000) if args.quick else (9, 100_000)
    if args.one_run:
        print(json.dumps(one_run(repeats, n_ops)))
        return 0
    measured = record.stamp("readability.json")
    runs = []
    for run in range(args.runs):
        child = run_in_a_child(__file__, args.quick)
        if child.returncode != 0:
            return child.returncode
        runs.append(json.loads(child.stdout.splitlines()[-1]))
        medians = runs[-1]["medians"]
        print(f"run {run + 1} of {args.runs}: as written "
              f"{medians['written'] * 1000:.1f} ms, undone "
              f"{medians['undone'] * 1000:.1f} ms, ratio {runs[-1]['ratio']:.3f}",
              flush=True)
    ratios = [r["ratio"] for r in runs]
    summary = {"median": statistics.median(ratios), "low": min(ratios),
               "high": max(ratios)}
    print(f"undone over as written, {len(runs)} runs: median "
          f"{summary['median']:.3f}, range {summary['low']:.3f} - "
          f"{summary['high']:.3f} (methods undone: {', '.join(runs[0]['methods'])})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"quick": args.quick, "graph_ops": n_ops,
                                         "repeats": repeats, "summary": summary,
                                         "runs": runs, "measured": measured},
                                        indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
