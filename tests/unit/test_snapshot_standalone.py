"""Each snapshot works on its own: one file, copied anywhere, stdlib only."""

import ast
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from micrograd.versions import VERSIONS, Version

# Checks for the copied file, each run from the version that introduced what
# it checks onwards. `V` is the snapshot's Value.
CHECKS = {
    1: """
        out = V(2.0) * V(3.0) + V(10.0)
        assert repr(out) == "Value(data=16.0)", repr(out)
    """,
    2: """
        assert out._op == "+" and len(out._prev) == 2
    """,
    3: """
        assert out.grad == 0.0 and V(1.0, label="x").label == "x"
    """,
    4: """
        assert abs(V(0.5).tanh().data - math.tanh(0.5)) < 1e-12
    """,
    5: """
        a, b = V(2.0), V(3.0)
        p = a * b
        p.grad = 1.0
        p._backward()
        assert (a.grad, b.grad) == (3.0, 2.0)
    """,
    6: """
        a, b, c = V(2.0), V(3.0), V(10.0)
        (a * b + c).backward()
        assert (a.grad, b.grad, c.grad) == (3.0, 2.0, 1.0)
    """,
    8: """
        x = V(3.0)
        y = 2 * x + 10 - x / 3
        y.backward()
        assert y.data == 15.0 and abs(x.grad - (2 - 1 / 3)) < 1e-12
    """,
}

PRELUDE = """
    import math
    import os
    import sys

    # -I leaves the working directory off sys.path; put back only that.
    sys.path.insert(0, os.getcwd())
    import {name} as snapshot

    V = snapshot.Value
    assert os.path.dirname(os.path.abspath(snapshot.__file__)) == os.getcwd()
"""

EPILOGUE = """
    leaked = [m for m in sys.modules if m.split(".")[0] == "micrograd"]
    assert not leaked, leaked
    print("ok")
"""


def script_for(version: Version) -> str:
    parts = [PRELUDE.format(name=version.path.stem)]
    parts += [code for n, code in sorted(CHECKS.items()) if n <= version.number]
    parts.append(EPILOGUE)
    return "\n".join(textwrap.dedent(part) for part in parts)


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: f"v{v.number}")
def test_snapshot_runs_alone_in_an_empty_folder(
    version: Version, tmp_path: Path
) -> None:
    shutil.copy(version.path, tmp_path)
    result = subprocess.run(
        [sys.executable, "-I", "-c", script_for(version)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: f"v{v.number}")
def test_snapshot_imports_nothing_but_math(version: Version) -> None:
    tree = ast.parse(version.path.read_text(encoding="utf-8"))
    imported = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.append(f"from {node.module}")
        elif isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in {
            "__import__",
            "exec",
            "eval",
        }:
            imported.append(node.func.id)
    assert set(imported) <= {"math"}, imported


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: f"v{v.number}")
def test_snapshot_is_plain_ascii_with_a_docstring(version: Version) -> None:
    # ASCII, so `python -m micrograd show N > file` works whatever the
    # terminal's encoding.
    text = version.path.read_bytes().decode("ascii")
    tree = ast.parse(text)
    doc = ast.get_docstring(tree)
    assert doc and doc.startswith(f"Version {version.number} of Value")
    assert "What it" in doc
    assert text.endswith("\n") and "\r" not in text
    classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
    assert classes == ["Value"]
