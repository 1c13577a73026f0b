"""The reader's page runs its examples here, in the browser's Python (Pyodide).

Shipped to the browser as a top-level module of the library zip (see
bookbuild/pyodide_assets.py), next to `micrograd`, `sybil` and
`bookbuild.blockrun` (as `blockrun`). Running and checking are
`blockrun`'s, the very functions pytest and the build use; this module only
turns their outcome into plain data (JSON text) for the page's script. It
runs under CPython as well, where the tests check it.

A page has one namespace, as under pytest: `reset()` starts it afresh and
every `run()` adds to it. `run()` answers:

* every run: ``ok``, ``stdout`` (cut to `MAX_OUTPUT` characters) and
  ``error`` (a short traceback, cut the same way, or None);
* a script: ``value`` (repr of the last expression), ``graphs``
  (``[title, DOT text, text alternative]`` when the value is a graph or a
  dict of graphs);
* a doctest: ``examples``, one per ``>>>``, with its source, what the book
  expects, what came out and whether they agree. A doctest block the reader
  edited into plain code (no ``>>>`` left) runs as a script, and says so
  with ``"ran_as": "script"``.

`check()` runs a reader's answer to an exercise and its checks in a copy of
the namespace: ``{"passed": bool, "message": str, "stdout": str}``.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import linecache
import traceback
from typing import Any

import blockrun

#: Characters of output kept; the rest is cut with a note.
MAX_OUTPUT = 20_000
#: Characters of a last value's repr kept.
MAX_VALUE = 5_000
#: The name tracebacks give the reader's code.
BLOCK_FILE = "<block>"

#: Packages the book uses that the page's Python does not have, and where a
#: reader can run a block that needs them.
ELSEWHERE = frozenset({"numpy", "matplotlib", "torch", "pandas", "scipy", "sklearn"})

_namespace: dict[str, Any] = {}


def reset() -> None:
    """Forget everything the page ran."""
    _namespace.clear()


def run(code: str, kind: str) -> str:
    """Run one block in the page's namespace; the outcome as JSON text."""
    if kind not in {"doctest", "script"}:
        raise ValueError(f"kind must be 'doctest' or 'script', got {kind!r}")
    if kind == "doctest" and not blockrun.examples_of(code) and code.strip():
        outcome = _run_script(code)
        outcome["ran_as"] = "script"
    elif kind == "doctest":
        outcome = _run_doctest(code)
    else:
        outcome = _run_script(code)
    return json.dumps(outcome)


def check(code: str, checks: str) -> str:
    """Check a reader's answer to an exercise; the verdict as JSON text."""
    verdict = blockrun.check_exercise(code, checks, _namespace)
    return json.dumps(
        {
            "passed": verdict.passed,
            "message": cut(verdict.message, MAX_VALUE),
            "stdout": cut(verdict.stdout),
            "line": verdict.line,
        }
    )


def cut(text: str, limit: int = MAX_OUTPUT) -> str:
    """`text`, or its start and a note saying how much was left out."""
    if len(text) <= limit:
        return text
    return (
        text[:limit]
        + f"\n… output cut here: {len(text) - limit:,} more characters not shown"
    )


def _run_script(code: str) -> dict[str, Any]:
    outcome: dict[str, Any] = {
        "ok": True,
        "stdout": "",
        "error": None,
        "value": None,
        "graphs": [],
    }
    printed = io.StringIO()
    # Tracebacks quote the reader's line from here.
    linecache.cache[BLOCK_FILE] = (len(code), None, code.splitlines(True), BLOCK_FILE)
    try:
        ast.parse(code, filename=BLOCK_FILE)
    except SyntaxError as error:
        outcome.update(ok=False, error=_syntax_error(error))
        return outcome
    value = None
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            value = blockrun.run_script(code, _namespace, BLOCK_FILE)
    except BaseException as error:  # noqa: BLE001 - shown to the reader
        if isinstance(error, KeyboardInterrupt | SystemExit):
            outcome["error"] = f"{type(error).__name__}: the block stopped itself"
        else:
            outcome["error"] = short_traceback(error)
            outcome["missing"] = _missing_package(error) or None
        outcome["ok"] = False
    outcome["stdout"] = cut(printed.getvalue())
    graphs = _graphs(value)
    if graphs:
        outcome["graphs"] = graphs
    elif value is not None:
        outcome["value"] = cut(repr(value), MAX_VALUE)
    return outcome


def _graphs(value: Any) -> list[list[str | None]]:
    """[title, DOT, text alternative] for a graph or a dict of graphs; [] for
    anything else. The text alternative is the one `draw_dot` gave the graph
    (None for a graph made some other way)."""
    if _is_graph(value):
        return [["", value.source, getattr(value, "description", None)]]
    if (
        isinstance(value, dict)
        and value
        and all(isinstance(key, str) and _is_graph(item) for key, item in value.items())
    ):
        return [
            [key, item.source, getattr(item, "description", None)]
            for key, item in value.items()
        ]
    return []


def render(dot_source: str, description: str | None) -> str:
    """A graph's SVG as the build draws it: through `micrograd.viz.render_svg`,
    so the text alternative is added the same way (in the browser the
    Graphviz underneath is viz-js, which the page has loaded by then)."""
    from micrograd.viz import render_svg

    return render_svg(dot_source, description=description)


def _is_graph(value: Any) -> bool:
    try:
        import graphviz
    except ImportError:
        return False
    return isinstance(value, graphviz.graphs.BaseGraph)


def _run_doctest(code: str) -> dict[str, Any]:
    outcome: dict[str, Any] = {"ok": True, "stdout": "", "error": None}
    try:
        examples = blockrun.examples_of(code)
    except ValueError as error:
        outcome.update(ok=False, error=f"This block is not a valid doctest: {error}")
        outcome["examples"] = []
        return outcome
    shown = []
    for example in examples:
        result = blockrun.run_example(example, _namespace, BLOCK_FILE)
        if result.error is not None:
            got = short_traceback(result.error)
        elif not result.ok:
            got = _trim_traceback_text(result.got)
        elif example.exc_msg is not None:
            got = example.want
        else:
            got = result.got
        shown.append(
            {
                "source": example.source,
                "want": example.want,
                "got": cut(got),
                "ok": result.ok,
                "line": example.lineno + 1,
            }
        )
    outcome["examples"] = shown
    outcome["ok"] = all(example["ok"] for example in shown)
    return outcome


def short_traceback(error: BaseException) -> str:
    """The frames of the reader's code and the frame that raised, then the
    error; the reader's lines are numbered from the block's first line."""
    frames = traceback.extract_tb(error.__traceback__)
    kept = [
        frame
        for index, frame in enumerate(frames)
        if frame.filename == BLOCK_FILE
        or frame.filename.startswith("<doctest")
        or index == len(frames) - 1
    ]
    lines = ["Traceback (most recent call last):"]
    for frame in kept:
        if frame.filename == BLOCK_FILE:
            lines.append(f"  line {frame.lineno} of this block")
        elif frame.filename.startswith("<doctest"):
            lines.append("  in this example")
        else:
            lines.append(f'  File "{_short_path(frame.filename)}", line {frame.lineno}')
        if frame.line:
            lines.append(f"    {frame.line.strip()}")
    lines.extend(
        line.rstrip("\n")
        for line in traceback.format_exception_only(type(error), error)
    )
    missing = _missing_package(error)
    if missing:
        lines.append(
            f"The page's Python has the standard library and micrograd, not "
            f"{missing}: run this in the page's notebook, or on your machine."
        )
    return cut("\n".join(lines) + "\n")


def _missing_package(error: BaseException) -> str:
    """The package the book uses elsewhere that `error` says is missing."""
    if isinstance(error, ModuleNotFoundError) and error.name:
        package = error.name.partition(".")[0]
        if package in ELSEWHERE:
            return package
    return ""


def _trim_traceback_text(got: str) -> str:
    """doctest's own traceback of an example that raised the wrong error,
    cut like `short_traceback`: the example's frame, the frame that raised."""
    lines = got.splitlines()
    if not lines or lines[0] != "Traceback (most recent call last):":
        return got
    frames: list[list[str]] = []
    rest: list[str] = []
    for line in lines[1:]:
        if line.startswith("  File "):
            frames.append([line])
        elif line.startswith("    ") and frames and not rest:
            frames[-1].append(line)
        else:
            rest.append(line)
    kept = [
        frame
        for index, frame in enumerate(frames)
        if '"<doctest' in frame[0] or index == len(frames) - 1
    ]
    shown = [lines[0]]
    for frame in kept:
        if '"<doctest' in frame[0]:
            shown.append("  in this example")
            shown.extend(line for line in frame[1:2])
        else:
            shown.append(frame[0])
            shown.extend(frame[1:2])
    return "\n".join(shown + rest) + "\n"


def _syntax_error(error: SyntaxError) -> str:
    where = f"line {error.lineno} of this block" if error.lineno else "this block"
    text = (error.text or "").rstrip("\n")
    pointer = ""
    if text and error.offset:
        column = error.offset - 1 - (len(text) - len(text.lstrip()))
        pointer = "\n    " + " " * max(column, 0) + "^"
    shown = f"\n    {text.strip()}{pointer}" if text.strip() else ""
    return f"  {where}{shown}\nSyntaxError: {error.msg}\n"


def _short_path(filename: str) -> str:
    """A library file named from its package folder on, not the full path."""
    marker = filename.replace("\\", "/")
    for package in ("micrograd/", "graphviz/"):
        if package in marker:
            return package + marker.split(package, 1)[1]
    return marker.rsplit("/", 1)[-1]
