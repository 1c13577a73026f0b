"""Run one block of the book and check it: the one way, for pytest, the
build and the reader's page.

* `run_script` runs a script block and returns the value of its last
  expression (a graph the page draws, say).
* `run_example` runs one ``>>>`` example of a doctest block and checks its
  output with Sybil's own checker and runner (`sybil.evaluators.doctest`),
  which is what pytest has always used: the page ships Sybil with the book's
  library, so a page can never judge an output differently from pytest.
* `check_exercise` runs a reader's answer to an exercise and then the
  exercise's hidden checks, in a copy of the chapter's namespace.

Standard library and Sybil only: this module runs in the browser's Python
(Pyodide) as well, where it is a top-level module of the book's library zip
(bookbuild/pyodide_assets.py).
"""

from __future__ import annotations

import ast
import contextlib
import doctest
import io
from dataclasses import dataclass
from typing import Any

from sybil.evaluators.doctest import DocTest, DocTestRunner

#: The doctest option flags every example runs with: none. An example that
#: needs one says so in a directive comment (``# doctest: +ELLIPSIS``).
OPTIONFLAGS = 0


def run_script(
    code: str, namespace: dict[str, Any], filename: str = "<block>", first_line: int = 1
) -> Any:
    """Run `code` in `namespace`; the value of its last statement if that is
    an expression, else None.

    Tracebacks name `filename` and count lines from `first_line`, so an error
    points at the line of the chapter (or of the reader's block).
    """
    __tracebackhide__ = True
    source = "\n" * (first_line - 1) + code
    tree = ast.parse(source, filename=filename)
    tail = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        tail = ast.Expression(tree.body.pop().value)
    try:
        exec(compile(tree, filename, "exec", dont_inherit=True), namespace)
        if tail is None:
            return None
        return eval(compile(tail, filename, "eval", dont_inherit=True), namespace)
    finally:
        namespace.pop("__builtins__", None)


@dataclass
class ExampleResult:
    """What one ``>>>`` example gave."""

    ok: bool
    #: What it printed (or the traceback doctest saw).
    got: str
    #: The exception it raised when none was expected, else None.
    error: BaseException | None
    #: doctest's report of a failure, as pytest shows it ("" when it passed).
    report: str


class _Recorder(DocTestRunner):
    """Sybil's doctest runner, keeping what the example printed."""

    def __init__(self, optionflags: int) -> None:
        super().__init__(optionflags)
        self.got = ""
        self.ok = True
        self.error: BaseException | None = None

    def report_success(self, out: Any, test: Any, example: Any, got: str) -> None:
        self.got = got

    def report_failure(self, out: Any, test: Any, example: Any, got: str) -> None:
        self.got, self.ok = got, False
        super().report_failure(out, test, example, got)

    def report_unexpected_exception(
        self, out: Any, test: Any, example: Any, exc_info: Any
    ) -> None:
        self.ok, self.error = False, exc_info[1]
        super().report_unexpected_exception(out, test, example, exc_info)


def run_example(
    example: doctest.Example,
    namespace: dict[str, Any],
    name: str = "<block>",
    optionflags: int = OPTIONFLAGS,
) -> ExampleResult:
    """Run one doctest example in `namespace` (not a copy) and check it."""
    __tracebackhide__ = True
    recorder = _Recorder(optionflags)
    report: list[str] = []
    added_name = "__name__" not in namespace
    if added_name:
        namespace["__name__"] = "__test__"
    try:
        recorder.run(
            DocTest([example], namespace, name, None, example.lineno, None),
            clear_globs=False,
            out=report.append,
        )
    finally:
        namespace.pop("__builtins__", None)
        if added_name:
            namespace.pop("__name__", None)
    return ExampleResult(recorder.ok, recorder.got, recorder.error, "".join(report))


def examples_of(source: str) -> list[doctest.Example]:
    """The ``>>>`` examples of a doctest block's text, [] if it has none."""
    return doctest.DocTestParser().get_examples(source)


@dataclass
class Verdict:
    """The outcome of checking an answer to an exercise."""

    passed: bool
    #: Why not, in the book's terms ("" when it passed).
    message: str
    #: What the answer and the checks printed.
    stdout: str = ""
    #: The line of the reader's code that raised, if it raised.
    line: int | None = None


ANSWER_FILE = "<your code>"
CHECKS_FILE = "<checks>"


def check_exercise(code: str, checks: str, namespace: dict[str, Any]) -> Verdict:
    """Run `code` (the reader's answer) and then `checks` in a copy of
    `namespace`; the checks fail by raising AssertionError with a message."""
    scope = dict(namespace)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            run_script(code, scope, filename=ANSWER_FILE)
        except SyntaxError as error:
            return Verdict(
                False,
                f"line {error.lineno} of your code is not valid Python: {error.msg}",
                printed.getvalue(),
                error.lineno,
            )
        except Exception as error:  # noqa: BLE001 - the reader's code
            return Verdict(
                False,
                f"your code stopped with {type(error).__name__}: {error}",
                printed.getvalue(),
                line_in(error, ANSWER_FILE),
            )
        try:
            run_script(checks, scope, filename=CHECKS_FILE)
        except AssertionError as error:
            message = str(error).strip() or "a check failed (it gives no reason)"
            return Verdict(False, message, printed.getvalue())
        except NameError as error:
            return Verdict(
                False,
                f"{error}: the exercise asks your code to define it",
                printed.getvalue(),
            )
        except Exception as error:  # noqa: BLE001 - the reader's code, called by a check
            line = line_in(error, ANSWER_FILE)
            where = f" at line {line} of your code" if line else ""
            return Verdict(
                False,
                f"checking your code, it stopped with {type(error).__name__}{where}: "
                f"{error}",
                printed.getvalue(),
                line,
            )
    return Verdict(True, "", printed.getvalue())


def line_in(error: BaseException, filename: str) -> int | None:
    """The innermost line of `filename` that `error`'s traceback passed
    through (code run by `run_script` carries its file's name and lines)."""
    line = None
    traceback = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == filename:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line
