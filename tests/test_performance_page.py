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


def _time(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _amount(x: float | None, unit: str) -> str:
    if x is None:
        return "–"
    if unit in ("s", "ratio"):
        return _time(x)
    if unit == "bytes":
        return f"{x:.0f} B"
    return f"{x:.1e}"


def table_row(figure: dict) -> str:
    """The page's row for one figure of the recorded summary."""
    unit = figure["unit"]
    if unit == "ratio":
        median = f"{figure['median']:.1f}x"
        spread = f"{figure['low']:.1f}x – {figure['high']:.1f}x"
    else:
        median = _amount(figure["median"], unit)
        spread = f"{_amount(figure['low'], unit)} – {_amount(figure['high'], unit)}"
    target = figure["target"].replace(">=", "≥").replace("<=", "≤")
    met = "–" if target == "-" else f"{figure['runs_met']} of {figure['runs']}"
    cells = [
        figure["name"],
        _amount(figure["engine_median"], unit),
        _amount(figure["reference_median"], unit),
        median,
        spread,
        "–" if target == "-" else target,
        met,
    ]
    return "| " + " | ".join(cells) + " |"


@pytest.mark.parametrize("figure", ENGINE["summary"], ids=lambda f: f["name"])
def test_every_recorded_figure_has_its_row(figure: dict) -> None:
    row = table_row(figure)
    assert row in PAGE, f"the page lacks, or shows other numbers than:\n{row}"


def test_the_record_is_a_full_run_of_three() -> None:
    assert ENGINE["quick"] is False
    assert len(ENGINE["runs"]) >= 3
    assert all(f["runs"] == len(ENGINE["runs"]) for f in ENGINE["summary"])


def test_the_printed_runs_are_the_recorded_ones() -> None:
    for line in ENGINE["header"].splitlines():
        assert line in PAGE
    medians = BUILD["medians"]
    for kind, label in [("full", "full build (examples"), ("plain", "plain build")]:
        (line,) = [line for line in PAGE.splitlines() if line.startswith(label)]
        assert re.search(rf"median\s+{medians[kind]:.2f} s", line), line
    assert f"ratio full/plain: {BUILD['ratio']:.2f}" in PAGE
