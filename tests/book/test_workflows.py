"""The GitHub workflows: audited by zizmor, and publishing what `make site`
builds."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml
from support import ROOT, run_bounded

WORKFLOWS = ROOT / ".github" / "workflows"


def test_zizmor_finds_nothing() -> None:
    # Installed beside this interpreter by the test extras.
    zizmor = shutil.which("zizmor", path=str(Path(sys.executable).parent))
    assert zizmor, "zizmor is a test dependency (pip install -e '.[test]')"
    result = run_bounded([zizmor, "--offline", str(WORKFLOWS)], 120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_the_site_published_is_the_one_make_site_builds() -> None:
    workflow = yaml.safe_load((WORKFLOWS / "pages.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert "make site" in runs
    upload = next(s for s in steps if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "site"


def test_every_action_is_pinned_to_a_commit() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        workflow = yaml.safe_load(path.read_text())
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    _, _, ref = step["uses"].partition("@")
                    assert len(ref) == 40 and int(ref, 16) >= 0, step["uses"]
