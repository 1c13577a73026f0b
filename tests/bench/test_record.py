"""benchmarks/record.py keeps only results stamped with the code as it is."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from support import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import record  # noqa: E402


def results(folder: Path, name: str, measured: dict | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"figure": 1.5}
    if measured is not None:
        data["measured"] = measured
    path = folder / name
    path.write_text(json.dumps(data))
    return path


def test_a_run_of_this_code_is_kept(tmp_path: Path) -> None:
    results(tmp_path / "bench", "engine.json", record.stamp("engine.json"))
    assert record.record(tmp_path / "bench", tmp_path / "kept") == ["engine.json"]
    kept = json.loads((tmp_path / "kept" / "engine.json").read_text())
    assert kept["figure"] == 1.5
    assert kept["measured"]["code"] == record.code_hash("engine.json")


def test_a_run_of_other_code_is_refused_and_nothing_is_kept(tmp_path: Path) -> None:
    results(tmp_path / "bench", "build.json", record.stamp("build.json"))
    stale = {"commit": "0123abcd", "code": "not-this-code"}
    results(tmp_path / "bench", "engine.json", stale)
    with pytest.raises(ValueError, match=r"engine\.json measured the code of 0123abcd"):
        record.record(tmp_path / "bench", tmp_path / "kept")
    assert not (tmp_path / "kept").exists()


def test_a_run_without_a_stamp_is_refused(tmp_path: Path) -> None:
    results(tmp_path / "bench", "browser.json", None)
    with pytest.raises(ValueError, match="no stamp"):
        record.record(tmp_path / "bench", tmp_path / "kept")


def test_the_hash_follows_the_measured_files(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "engine.py").write_text("x = 1\n")
    monkeypatch.setattr(record, "ROOT", tmp_path)
    monkeypatch.setitem(record.MEASURED, "engine.json", ("engine.py",))
    before = record.code_hash("engine.json")
    (tmp_path / "engine.py").write_text("x = 2\n")
    assert record.code_hash("engine.json") != before


def test_an_unknown_results_file_is_named() -> None:
    with pytest.raises(KeyError, match="no results file 'speed.json'"):
        record.stamp("speed.json")
