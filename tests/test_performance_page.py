"""The Performance page shows the recorded benchmark runs, not other numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
ENGINE = json.loads((ROOT / "benchmarks" / "results" / "engine.json").read_text())
BUILD = json.loads((ROOT / "benchmarks" / "results" / "build.json").read_text())


def _figure(prefix: str) -> dict:
    (figure,) = [f for f in ENGINE["figures"] if f["name"].startswith(prefix)]
    return figure


def _time(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


@pytest.mark.parametrize(
    ("row", "prefix"),
    [
        ("| Random graph, 101,721 ops", "random graph (101,721 ops): forward"),
        ("| Two-moons training step", "two-moons step (100 samples): MLP"),
    ],
)
def test_timed_rows_match_the_recorded_run(row: str, prefix: str) -> None:
    figure = _figure(prefix)
    (line,) = [line for line in PAGE.splitlines() if line.startswith(row)]
    cells = [cell.strip() for cell in line.strip("|").split("|")]
    assert cells[1:4] == [
        _time(figure["engine"]),
        _time(figure["reference"]),
        f"{figure['ratio']:.1f}x",
    ]
    assert cells[5] == ("yes" if figure["met"] else "no")


def test_memory_and_chain_rows_match_the_recorded_run() -> None:
    memory = _figure("memory kept per op")
    chain = _figure("chain of 1,000,000 ops")
    assert f"| {memory['engine']:.0f} B | {memory['reference']:.0f} B |" in PAGE
    assert (
        f"| Backward through a chain of 1,000,000 ops | {_time(chain['engine'])} |"
        in PAGE
    )


def test_the_printed_runs_are_the_recorded_ones() -> None:
    assert ENGINE["header"] in PAGE
    medians = BUILD["medians"]
    for kind, label in [("full", "full build (examples"), ("plain", "plain build")]:
        (line,) = [line for line in PAGE.splitlines() if line.startswith(label)]
        assert re.search(rf"median\s+{medians[kind]:.2f} s", line), line
    assert f"ratio full/plain: {BUILD['ratio']:.2f}" in PAGE
