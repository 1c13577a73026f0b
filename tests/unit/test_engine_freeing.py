"""Freeing a long chain: under Pyodide a dying node releases its operands in
a loop (`_release_operands`), because CPython's own guard against deep
deallocation does not act there; elsewhere nodes have no `__del__` at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd import engine
from micrograd.engine import Value

ROOT = Path(__file__).resolve().parents[2]


def test_off_pyodide_nodes_are_freed_without_python_code() -> None:
    assert sys.platform != "emscripten"
    assert "__del__" not in vars(Value)


def test_under_pyodide_the_loop_is_installed() -> None:
    check = (
        "import sys; sys.platform = 'emscripten'\n"
        "from micrograd import engine\n"
        "assert engine.Value.__del__ is engine._release_operands\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True,
                            text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.stdout.strip() == "ok", result.stderr


@pytest.fixture
def deaths(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Install the Pyodide `__del__`, counting how deeply its calls nest."""
    seen = {"now": 0, "deepest": 0, "calls": 0}

    def counted(node: Value) -> None:
        seen["now"] += 1
        seen["calls"] += 1
        seen["deepest"] = max(seen["deepest"], seen["now"])
        try:
            engine._release_operands(node)
        finally:
            seen["now"] -= 1

    monkeypatch.setattr(Value, "__del__", counted, raising=False)
    return seen


def test_a_long_chain_is_freed_in_a_loop(deaths: dict[str, int]) -> None:
    x = Value(1.0)
    y = x
    for _ in range(50_000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**50_000)
    del y
    # Every node of the chain died, none more than two deaths deep.
    assert deaths["calls"] == 50_000
    assert deaths["deepest"] == 2
    assert engine._released == [] and engine._releasing is False


def test_a_part_still_in_use_keeps_its_graph(deaths: dict[str, int]) -> None:
    a, b = Value(2.0), Value(3.0)
    kept = (a * b).tanh()
    end = kept
    for _ in range(1_000):
        end = end + a
    del end
    # The nodes after `kept` are gone; `kept` and what it was made from are
    # whole, and still differentiate.
    assert deaths["calls"] == 1_000
    product = kept._a
    assert product._a is a and product._b is b
    kept.backward()
    slope = 1 - kept.data**2
    assert (a.grad, b.grad) == (slope * 3.0, slope * 2.0)


def test_a_dot_nodes_operands_are_released_too(deaths: dict[str, int]) -> None:
    ws = [Value(0.5), Value(-1.0)]
    node = engine.dot(ws, [1.0, 2.0], 0.25, "relu")
    del node
    # The node dies, and with it the leaves made for its bias and its two
    # number inputs; the weights, still held here, do not.
    assert deaths["calls"] == 4
    assert [w.data for w in ws] == [0.5, -1.0]
    assert engine._released == []
