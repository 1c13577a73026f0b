"""Fixtures shared by the site tests: one strict build per test run.

Helpers the tests import live in tests/support.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import BUILD_TIMEOUT, ROOT, mkdocs_build

#: The project `built_site` builds (a test of the fixture points it elsewhere).
SITE_PROJECT = ROOT
#: The moment every build of the book in the tests says it was made.
SOURCE_DATE_EPOCH = "1700000000"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole site, built strictly once for every test that reads it.

    A build that fails ends the test run here, with the build's own error
    lines: every test that reads the site would otherwise report the same
    failure again.
    """
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(
        site,
        "--strict",
        cwd=SITE_PROJECT,
        timeout=BUILD_TIMEOUT,
        # Dates (the sitemap's) from a fixed moment, as reproducible builds
        # do: tests/test_reproducible_build.py builds the book again.
        env={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
    )
    if result.returncode != 0:
        errors = [
            line
            for line in (result.stderr + result.stdout).splitlines()
            if line.startswith(("ERROR", "WARNING", "Aborted", "    | "))
        ]
        pytest.exit(
            "the strict build of the site failed, so no test of the built site "
            "can run:\n" + "\n".join(errors or [result.stderr[-3000:]]),
            returncode=1,
        )
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
