"""Facts of chapters 2 and 3 that one run of the page cannot show.

* Chapter 2 says the reader's `my_draw_dot` writes the same description of
  an expression on every run, where names made from `id()` would change
  with the memory layout. One process cannot show "every run": two can.
* Chapter 3 says its `numerical_grad` computes exactly what
  `micrograd.examples.numerical_grad` computes. The page shows two cases;
  here it is held to that on many.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bookbuild import content
from micrograd import examples

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "docs" / "chapters"


def _block(chapter: str, starts_with: str) -> str:
    path = CHAPTERS / chapter
    parsed = content.parse(path.read_text(encoding="utf-8"), path)
    (found,) = [b.code for b in parsed.blocks if b.source.startswith(starts_with)]
    return found


def _describe_in_a_fresh_process(padding: int) -> str:
    # `padding` objects allocated first put the expression's Values at other
    # addresses than in a run with another padding.
    program = "\n".join(
        [
            "from micrograd.versions.v2 import Value",
            f"padding = [object() for _ in range({padding})]",
            _block("02-remembering-the-graph.md", "def build_graph("),
            _block("02-remembering-the-graph.md", "from micrograd.viz import Graph"),
            "d = Value(2.0) * Value(-3.0) + Value(10.0)",
            "print(id(d))",
            "print(my_draw_dot(d).source)",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    return done.stdout


def test_the_readers_drawing_is_the_same_in_two_runs() -> None:
    first_id, first = _describe_in_a_fresh_process(0).split("\n", 1)
    second_id, second = _describe_in_a_fresh_process(5000).split("\n", 1)
    # Were the addresses the same, this test would prove nothing.
    assert first_id != second_id
    assert first == second
    assert "data 10.0000" in first


def _chapter_3_numerical_grad() -> Any:
    namespace: dict[str, Any] = {}
    exec(_block("03-backprop-by-hand.md", "def numerical_grad("), namespace)
    return namespace["numerical_grad"]


CASES = [
    (lambda x: x**3, [2.0], 1e-6),
    (lambda x: x**3, [0.5], 0.01),
    (lambda x, y: x**2 * y, [3.0, 2.0], 1e-6),
    (lambda a, b, c, f: (a * b + c) * f, [2, -3, 10, -2], 1e-4),
    (lambda x: math.tanh(x), [0.8813735870195432], 1e-6),
    (lambda x, y, z: math.exp(x) * math.sin(y) - z / 3, [0.1, -1.2, 7.0], 1e-3),
]


@pytest.mark.parametrize(("f", "inputs", "h"), CASES)
def test_chapter_3_checker_is_the_packaged_one(f: Any, inputs: list, h: float) -> None:
    on_the_page = _chapter_3_numerical_grad()
    assert on_the_page(f, inputs, h) == examples.numerical_grad(f, inputs, h)
    assert on_the_page(f, inputs) == examples.numerical_grad(f, inputs)
