"""Fixtures shared by the site tests: one strict build per test run."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def mkdocs_build(
    site_dir: Path, *extra: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run `mkdocs build` the way `make site` does, into `site_dir`."""
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--site-dir",
        str(site_dir),
        *extra,
    ]
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return subprocess.run(
        command, cwd=cwd, env=full_env, capture_output=True, text=True
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole site, built strictly once for every test that reads it."""
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(site, "--strict")
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}")
    (site / ".build-log").write_text(result.stdout + result.stderr)
    return site


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[object]:
    """One Playwright for the whole run: its sync API cannot be started
    twice at once, and several test modules open a browser."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is missing"
    )
    with sync_api.sync_playwright() as playwright:
        yield playwright
