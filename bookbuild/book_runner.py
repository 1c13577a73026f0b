"""Runs a page's examples inside the reader's browser (Pyodide).

Shipped to the browser as a top-level module of the library zip (see
bookbuild/pyodide_assets.py), next to `micrograd`; it needs nothing but the
standard library, so it runs under CPython as well, where the tests check it.

A page has one namespace, as under pytest: `reset()` starts it afresh and
every `run()` adds to it. `run()` answers with plain data (JSON text) that
the page's script shows:

* every run: ``ok``, ``stdout`` (cut to `MAX_OUTPUT` characters) and
  ``error`` (a short traceback, or None);
* a script: ``value`` (repr of the last expression), ``graphs``
  (``[title, DOT text]`` pairs when the value is a graph or a dict of graphs);
* a doctest: ``examples``, one per ``>>>``, with its source, what the book
  expects, what came out and whether they agree.
"""

from __future__ import annotations

import ast
import contextlib
import doctest
import io
import json
import linecache
import re
import traceback
from typing import Any

#: Characters of output kept; the rest is cut with a note.
MAX_OUTPUT = 20_000
#: Characters of a last value's repr kept.
MAX_VALUE = 5_000
#: The name tracebacks give the reader's code.
BLOCK_FILE = "<block>"

# The checks the book's tests use (bookbuild.chapters.DOCTEST_FLAGS): ellipsis,
# loose whitespace, and floats compared only to the digits the book wrote.
NUMBER = doctest.register_optionflag("NUMBER")
FLAGS = 0

_FLOAT = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.])")

_namespace: dict[str, Any] = {}


def reset() -> None:
    """Forget everything the page ran."""
    _namespace.clear()


def run(code: str, kind: str) -> str:
    """Run one block in the page's namespace; the outcome as JSON text."""
    if kind not in {"doctest", "script"}:
        raise ValueError(f"kind must be 'doctest' or 'script', got {kind!r}")
    outcome = _run_doctest(code) if kind == "doctest" else _run_script(code)
    return json.dumps(outcome)


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
        tree = ast.parse(code, filename=BLOCK_FILE)
    except SyntaxError as error:
        outcome.update(ok=False, error=_syntax_error(error))
        return outcome
    tail = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        tail = ast.Expression(tree.body.pop().value)
    value = None
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            exec(compile(tree, BLOCK_FILE, "exec", dont_inherit=True), _namespace)
            if tail is not None:
                value = eval(
                    compile(tail, BLOCK_FILE, "eval", dont_inherit=True), _namespace
                )
    except BaseException as error:  # noqa: BLE001 - shown to the reader
        if isinstance(error, KeyboardInterrupt | SystemExit):
            outcome["error"] = f"{type(error).__name__}: the block stopped itself"
        else:
            outcome["error"] = short_traceback(error)
        outcome["ok"] = False
    finally:
        _namespace.pop("__builtins__", None)
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


class _Checker(doctest.OutputChecker):
    """doctest's checker, plus NUMBER: a float matches when it rounds to the
    one the book wrote, at the precision the book wrote it."""

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        if super().check_output(want, got, optionflags):
            return True
        if not optionflags & NUMBER:
            return False
        wanted = list(_FLOAT.finditer(want))
        found = list(_FLOAT.finditer(got))
        if not wanted or len(wanted) != len(found):
            return False
        pieces: list[str] = []
        position = 0
        for expected, actual in zip(wanted, found, strict=True):
            digits = len(expected[0].split(".")[1].split("e")[0].split("E")[0])
            same = abs(float(actual[0]) - float(expected[0])) <= 0.5 * 10**-digits
            pieces.append(got[position : actual.start()])
            pieces.append(expected[0] if same else actual[0])
            position = actual.end()
        pieces.append(got[position:])
        return super().check_output(want, "".join(pieces), optionflags)


class _Recorder(doctest.DocTestRunner):
    """A doctest runner that keeps what each example printed."""

    def __init__(self) -> None:
        super().__init__(checker=_Checker(), optionflags=FLAGS, verbose=False)
        self.examples: list[dict[str, Any]] = []

    def _keep(self, example: doctest.Example, got: str, ok: bool) -> None:
        shown = got
        if ok and example.exc_msg is not None:
            shown = example.want
        self.examples.append(
            {
                "source": example.source,
                "want": example.want,
                "got": cut(shown),
                "ok": ok,
                "line": example.lineno + 1,
            }
        )

    def report_start(self, out: Any, test: Any, example: Any) -> None:
        pass

    def report_success(self, out: Any, test: Any, example: Any, got: str) -> None:
        self._keep(example, got, True)

    def report_failure(self, out: Any, test: Any, example: Any, got: str) -> None:
        self._keep(example, _trim_traceback_text(got), False)

    def report_unexpected_exception(
        self, out: Any, test: Any, example: Any, exc_info: Any
    ) -> None:
        self._keep(example, short_traceback(exc_info[1]), False)


def _run_doctest(code: str) -> dict[str, Any]:
    outcome: dict[str, Any] = {"ok": True, "stdout": "", "error": None}
    try:
        test = doctest.DocTestParser().get_doctest(
            code, _namespace, "block", BLOCK_FILE, 0
        )
        # DocTest works on a copy of the globals it is given; the page's
        # later blocks need what this one defines.
        test.globs = _namespace
    except ValueError as error:
        outcome.update(ok=False, error=f"This block is not a valid doctest: {error}")
        outcome["examples"] = []
        return outcome
    recorder = _Recorder()
    try:
        recorder.run(test, clear_globs=False, out=lambda text: None)
    finally:
        _namespace.pop("__builtins__", None)
    outcome["examples"] = recorder.examples
    outcome["ok"] = all(example["ok"] for example in recorder.examples)
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
    return "\n".join(lines) + "\n"


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
