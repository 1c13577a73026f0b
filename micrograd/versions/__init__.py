"""The snapshots of ``Value``, one per chapter, and the one list that names them.

Each ``vN.py`` in this folder is a whole, standalone file (it imports at most
``math``), so a reader can copy one out and use it. The book, the command line
and the tests all find the snapshots through :data:`VERSIONS`.
"""

import ast
import difflib
import importlib
import pathlib
import re
import types
from dataclasses import dataclass

_HERE = pathlib.Path(__file__).resolve().parent


@dataclass(frozen=True)
class Version:
    """One snapshot of ``Value`` and the chapter that ends with it."""

    number: int
    title: str
    summary: str
    module: str
    path: pathlib.Path


def _version(number: int, title: str, summary: str) -> Version:
    return Version(
        number=number,
        title=title,
        summary=summary,
        module=f"{__name__}.v{number}",
        path=_HERE / f"v{number}.py",
    )


VERSIONS: tuple[Version, ...] = (
    _version(
        1,
        "A number that knows how it was made? Not yet",
        "Value(data) with repr, + and *; results forget their operands",
    ),
    _version(
        2,
        "Remembering the graph",
        "results keep their operands in _prev and the operation in _op",
    ),
    _version(
        3,
        "Labels, gradients, backprop by hand",
        "adds label and grad (starting at 0.0), filled in by hand",
    ),
    _version(
        4,
        "tanh and a neuron",
        "adds tanh() as one node, computed with the exp formula",
    ),
    _version(
        5,
        "Each node knows its own backward rule",
        "each operation sets _backward, a closure that applies its local rule",
    ),
    _version(
        6,
        "backward() and topological order",
        "adds backward(): topological order, then every _backward in reverse",
    ),
    _version(
        7,
        "Gradients add up",
        "every rule adds to grad (+=), so a node used twice gets both parts",
    ),
    _version(
        8,
        "Scalars, powers, exp and division: tanh from parts",
        "plain numbers as operands, **, -, / and exp(); tanh rebuilt from parts",
    ),
)


def get_version(number: int) -> Version:
    """Return the snapshot numbered ``number`` (1 to ``len(VERSIONS)``).

    Raises TypeError if ``number`` is not an int and LookupError if no
    snapshot has that number.
    """
    # bool is an int subclass, but show(True) is far more likely a mistake
    # than a request for v1.
    if not isinstance(number, int) or isinstance(number, bool):
        raise TypeError(f"version number must be an int, got {type(number).__name__}")
    if not 1 <= number <= len(VERSIONS):
        raise LookupError(f"no snapshot v{number}: versions are 1 to {len(VERSIONS)}")
    return VERSIONS[number - 1]


def load(number: int) -> types.ModuleType:
    """Import snapshot ``number`` and return its module (``Value`` lives in it)."""
    return importlib.import_module(get_version(number).module)


def source(number: int) -> str:
    """Return the text of snapshot ``number`` exactly as it is on disk."""
    # newline="" keeps line endings untranslated, so the text matches the
    # file byte for byte.
    with open(get_version(number).path, encoding="utf-8", newline="") as f:
        return f.read()


def diff(old: int, new: int, *, code_only: bool = False) -> str:
    """Return a unified diff from snapshot ``old`` to snapshot ``new``.

    With ``code_only``, each file's module docstring is left out of the
    comparison, so the diff shows only what changed in the code. Its hunk
    headers still give line numbers in the files as they are on disk.
    """
    before = get_version(old)
    after = get_version(new)
    old_lines, old_skip = _lines(old, code_only)
    new_lines, new_skip = _lines(new, code_only)
    lines = difflib.unified_diff(
        old_lines,
        new_lines,
        fromfile=before.path.name,
        tofile=after.path.name,
    )
    if not code_only:
        return "".join(lines)
    return "".join(_shift_hunk(line, old_skip, new_skip) for line in lines)


def docstring_lines(number: int) -> int:
    """How many lines at the top of snapshot ``number`` its docstring takes."""
    tree = ast.parse(source(number))
    first = tree.body[0] if tree.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return first.end_lineno or 0
    return 0


def _lines(number: int, code_only: bool) -> tuple[list[str], int]:
    lines = source(number).splitlines(keepends=True)
    skip = docstring_lines(number) if code_only else 0
    return lines[skip:], skip


_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


def _shift_hunk(line: str, old_skip: int, new_skip: int) -> str:
    # difflib numbers the lines it was given; the docstring lines it was not
    # given come first in each file, so every number moves down by their count.
    def shift(match: re.Match[str]) -> str:
        old_start = int(match[1]) + old_skip
        new_start = int(match[3]) + new_skip
        return f"@@ -{old_start}{match[2] or ''} +{new_start}{match[4] or ''} @@"

    return _HUNK.sub(shift, line)
