"""Comment directives that pull code from the snapshot files into a page.

    <!-- snapshot: 5 -->              the whole of micrograd/versions/v5.py,
                                      folded, with a download button
    <!-- diff: 4 5 -->                what changed in the code from v4.py to
                                      v5.py (the module docstrings, which
                                      describe each version, are left out)
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

# A directive may be indented (inside an admonition or a tab): what it stands
# for is indented the same way.
DIRECTIVE = re.compile(
    r"^(?P<indent>[ \t]*)<!--\s*(?P<name>snapshot|diff|source):"
    r"\s*(?P<arguments>[^>]*?)\s*-->[ \t]*$",
    re.MULTILINE,
)


class DirectiveError(ValueError):
    """A directive in a chapter names something that does not exist.

    `line` is the directive's line (1-based) in the text given to `expand`,
    or in `path` once `located` has named the file.
    """

    def __init__(
        self, message: str, line: int | None = None, path: object = None
    ) -> None:
        self.message, self.line, self.path = message, line, path
        super().__init__(message)

    def __str__(self) -> str:
        if self.path is not None:
            return f"{self.path}:{self.line or 1}: {self.message}"
        if self.line is not None:
            return f"line {self.line}: {self.message}"
        return self.message

    def located(self, path: object, lines_before: int = 0) -> DirectiveError:
        """The same error in `path`, for a text that starts `lines_before`
        lines into that file."""
        return DirectiveError(self.message, (self.line or 1) + lines_before, path)


def expand(markdown: str, download_url: Callable[[int], str]) -> str:
    """Replace every directive in `markdown` with the Markdown it stands for."""

    def replace(match: re.Match[str]) -> str:
        name, arguments = match["name"], match["arguments"].split()
        try:
            if name == "snapshot":
                text = snapshot_markdown(_one_version(arguments, match), download_url)
            elif name == "diff":
                text = diff_markdown(*_two_versions(arguments, match))
            elif arguments and arguments[0] in LIBRARY_MODULES:
                text = library_source_markdown(arguments[0], arguments[1:])
            else:
                text = source_markdown(
                    _one_version(arguments[:1], match), arguments[1:]
                )
        except DirectiveError as error:
            line = markdown.count("\n", 0, match.start()) + 1
            raise DirectiveError(error.message, line) from None
        indent = match["indent"]
        return "\n".join(
            indent + piece if piece else piece for piece in text.split("\n")
        )

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
        raise DirectiveError(f"{match[0].strip()!r}: expected one snapshot number")
    return _existing(int(arguments[0]), match)


def _two_versions(arguments: list[str], match: re.Match[str]) -> tuple[int, int]:
    if len(arguments) != 2 or not all(a.isdigit() for a in arguments):
        raise DirectiveError(f"{match[0].strip()!r}: expected two snapshot numbers")
    old, new = (_existing(int(a), match) for a in arguments)
    return old, new


def _existing(number: int, match: re.Match[str]) -> int:
    try:
        versions.get_version(number)
    except LookupError as error:
        raise DirectiveError(f"{match[0].strip()!r}: {error}") from None
    return number
