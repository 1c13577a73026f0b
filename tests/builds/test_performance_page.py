"""The Performance page shows the recorded benchmark runs, not other numbers."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import record  # noqa: E402  (benchmarks/record.py, which stamps the results)

PAGE = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
ENGINE = json.loads((ROOT / "benchmarks" / "results" / "engine.json").read_text())
BUILD = json.loads((ROOT / "benchmarks" / "results" / "build.json").read_text())
READABILITY = json.loads(
    (ROOT / "benchmarks" / "results" / "readability.json").read_text())


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


def _prose(page: str) -> str:
    """The page's text without its fenced blocks and its table rows."""
    kept, fenced = [], False
    for line in page.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if not fenced and not line.startswith("|"):
            kept.append(line)
    return "\n".join(kept)


def test_every_ratio_in_the_text_is_a_recorded_one() -> None:
    """A ratio quoted in a sentence ("10.5x as fast") is a median of the
    recorded runs, so the text cannot drift from the table."""
    recorded = {f"{f['median']:.1f}x" for f in ENGINE["summary"]
                if f["unit"] == "ratio"}
    # The engine's sections; the build's and the browser's have records of
    # their own.
    engine_text = (PAGE[:PAGE.index("## What running the book costs the build")]
                   + PAGE[PAGE.index("## How they were measured"):])
    quoted = re.findall(r"(?<![\w.])\d+(?:\.\d+)?x(?!\w)", _prose(engine_text))
    assert quoted, "the text quotes no ratio: has the pattern gone stale?"
    targets = {"20x", "60x"}
    stray = [q for q in quoted if q not in recorded | targets]
    assert not stray, f"ratios in the text that no recorded median gives: {stray}"


def test_the_cost_of_reading_is_the_recorded_one() -> None:
    summary = READABILITY["summary"]
    assert READABILITY["quick"] is False and len(READABILITY["runs"]) >= 3
    text = " ".join(PAGE.split())
    assert (f"takes {summary['median']:.3f} of the time (from {summary['low']:.3f} "
            f"to {summary['high']:.3f} over") in text


@pytest.mark.parametrize("name", sorted(record.MEASURED))
def test_every_record_measured_the_code_as_it_is(name: str) -> None:
    """The page quotes runs of the code in this tree: a results file stamped
    with the hash of other code is stale."""
    measured = json.loads((ROOT / "benchmarks" / "results" / name).read_text()).get(
        "measured")
    assert measured, f"benchmarks/results/{name} has no stamp: run `make bench-record`"
    assert measured["code"] == record.code_hash(name), (
        f"benchmarks/results/{name} measured the code of {measured['commit']}, and "
        f"{', '.join(record.MEASURED[name])} changed since: run `make bench` on a "
        "quiet machine, then `make bench-record`, and update docs/performance.md"
    )
