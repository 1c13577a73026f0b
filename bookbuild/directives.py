"""Comment directives that pull code from the snapshot files into a page.

    <!-- snapshot: 5 -->              the whole of micrograd/versions/v5.py
    <!-- diff: 4 5 -->                what changed from v4.py to v5.py
    <!-- source: 5 Value.__mul__ -->  named parts of v5.py (classes, methods,
                                      functions), cut out of the file
    <!-- source: engine dot -->        the same from a module of the complete
                                      library, micrograd/engine.py here

The code is read from the files at build time, so a page can never show code
that differs from what the tests ran. Links to downloads are filled in by the
build, which knows where the page lives.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import micrograd
from micrograd import versions

#: The library's modules a `source:` directive may quote, by name.
LIBRARY_MODULES = ("engine", "nn", "viz")

DIRECTIVE = re.compile(
    r"^<!--\s*(?P<name>snapshot|diff|source):\s*(?P<arguments>[^>]*?)\s*-->[ \t]*$",
    re.MULTILINE,
)


class DirectiveError(ValueError):
    """A directive in a chapter names something that does not exist."""


def expand(markdown: str, download_url: Callable[[int], str]) -> str:
    """Replace every directive in `markdown` with the Markdown it stands for."""

    def replace(match: re.Match[str]) -> str:
        name, arguments = match["name"], match["arguments"].split()
        if name == "snapshot":
            return snapshot_markdown(_one_version(arguments, match), download_url)
        if name == "diff":
            return diff_markdown(*_two_versions(arguments, match))
        if arguments and arguments[0] in LIBRARY_MODULES:
            return library_source_markdown(arguments[0], arguments[1:])
        return source_markdown(_one_version(arguments[:1], match), arguments[1:])

    return DIRECTIVE.sub(replace, markdown)


def snapshot_markdown(number: int, download_url: Callable[[int], str]) -> str:
    version = versions.get_version(number)
    name = version.path.name
    return (
        f'```python title="micrograd/versions/{name}" linenums="1"\n'
        f"{versions.source(number).rstrip()}\n"
        f"```\n\n"
        f'<a class="md-button mg-download" href="{download_url(number)}" '
        f'download="{name}">Download {name}</a>\n'
    )


def diff_markdown(old: int, new: int) -> str:
    old_name, new_name = (versions.get_version(n).path.name for n in (old, new))
    return (
        f'```diff title="{old_name} → {new_name}"\n'
        f"{versions.diff(old, new).rstrip()}\n"
        f"```\n"
    )


def source_markdown(number: int, names: list[str]) -> str:
    if not names:
        raise DirectiveError(f"source: {number} names no part of v{number}.py to show")
    return _cut(versions.source(number), names, f"v{number}.py")


def library_source_markdown(module: str, names: list[str]) -> str:
    path = Path(micrograd.__file__).parent / f"{module}.py"
    if not names:
        raise DirectiveError(f"source: {module} names no part of {module}.py to show")
    return _cut(path.read_text(encoding="utf-8"), names, f"micrograd/{module}.py")


def _cut(text: str, names: list[str], filename: str) -> str:
    lines = text.splitlines()
    tree = ast.parse(text)
    pieces: list[str] = []
    in_class = None
    for qualified in names:
        node = _find(tree, qualified, filename)
        start = min(
            [node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]
        )
        piece = "\n".join(lines[start - 1 : node.end_lineno])
        owner = qualified.split(".")[0] if "." in qualified else None
        if owner and in_class != owner:
            pieces.append(f"class {owner}:")
        in_class = owner
        pieces.append(piece)
    body = "\n\n".join(pieces)
    return f'```python title="from {filename}"\n{body}\n```\n'


def _find(tree: ast.Module, qualified: str, filename: str) -> ast.AST:
    scope: list[ast.stmt] = tree.body
    node: ast.AST = tree
    for part in qualified.split("."):
        found = next(
            (
                child
                for child in scope
                if isinstance(child, ast.ClassDef | ast.FunctionDef)
                and child.name == part
            ),
            None,
        )
        if found is None:
            raise DirectiveError(f"source: {filename} has no {qualified}")
        node, scope = found, found.body
    return node


def _one_version(arguments: list[str], match: re.Match[str]) -> int:
    if len(arguments) != 1 or not arguments[0].isdigit():
        raise DirectiveError(f"{match[0]!r}: expected one snapshot number")
    number = int(arguments[0])
    versions.get_version(number)
    return number


def _two_versions(arguments: list[str], match: re.Match[str]) -> tuple[int, int]:
    if len(arguments) != 2 or not all(a.isdigit() for a in arguments):
        raise DirectiveError(f"{match[0]!r}: expected two snapshot numbers")
    old, new = (int(a) for a in arguments)
    versions.get_version(old)
    versions.get_version(new)
    return old, new
