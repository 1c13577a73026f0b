"""Comment directives that pull code from the snapshot files into a page.

    <!-- snapshot: 5 -->              the whole of micrograd/versions/v5.py,
                                      folded, with a download button
    <!-- diff: 4 5 -->                what changed in the code from v4.py to
                                      v5.py (the module docstrings, which
                                      describe each version, are left out)
    <!-- source: 5 Value.__mul__ -->  named parts of v5.py (classes, methods,
                                      functions), cut out of the file

The code is read from the files at build time, so a page can never show code
that differs from what the tests ran. Links to downloads are filled in by the
build, which knows where the page lives.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from micrograd import versions

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
        return source_markdown(_one_version(arguments[:1], match), arguments[1:])

    return DIRECTIVE.sub(replace, markdown)


def snapshot_markdown(number: int, download_url: Callable[[int], str]) -> str:
    version = versions.get_version(number)
    name = version.path.name
    code = (
        f'```python title="micrograd/versions/{name}" linenums="1"\n'
        f"{versions.source(number).rstrip()}\n"
        f"```"
    )
    # Folded: the chapter has already shown each part where it was taught,
    # so the whole file is there to check or copy, not to read again. The
    # download button stays outside the fold.
    return (
        f'??? example "The whole of micrograd/versions/{name}"\n\n'
        f"{_indent(code)}\n\n"
        f'<a class="md-button mg-download" href="{download_url(number)}" '
        f'download="{name}">Download {name}</a>\n'
    )


def diff_markdown(old: int, new: int) -> str:
    old_name, new_name = (versions.get_version(n).path.name for n in (old, new))
    # Each version's docstring describes that version, so it is rewritten
    # every time; diffing it would bury the lesson's few changed lines.
    return (
        f'```diff title="{old_name} → {new_name}, code only"\n'
        f"{versions.diff(old, new, code_only=True).rstrip()}\n"
        f"```\n"
    )


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line.strip() else "" for line in text.split("\n"))


def source_markdown(number: int, names: list[str]) -> str:
    if not names:
        raise DirectiveError(f"source: {number} names no part of v{number}.py to show")
    text = versions.source(number)
    lines = text.splitlines()
    tree = ast.parse(text)
    pieces: list[str] = []
    in_class = None
    for qualified in names:
        node = _find(tree, qualified, number)
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
    title = f"from v{number}.py"
    return f'```python title="{title}"\n{body}\n```\n'


def _find(tree: ast.Module, qualified: str, number: int) -> ast.AST:
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
            raise DirectiveError(f"source: v{number}.py has no {qualified}")
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
