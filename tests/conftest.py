"""Fixtures shared by the site tests: one strict build per test run, and a
way to run any command that cannot hang the tests or leave a process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Seconds the whole strict build of the book may take; a small test book
#: gets BUILD_TIMEOUT_SMALL.
BUILD_TIMEOUT = 300
BUILD_TIMEOUT_SMALL = 120

#: The project `built_site` builds (a test of the fixture points it elsewhere).
SITE_PROJECT = ROOT


def run_bounded(
    command: list[str], timeout: float, **options: object
) -> subprocess.CompletedProcess:
    """`subprocess.run` that fails the test after `timeout` seconds.

    The command runs in a session of its own, so on a timeout everything it
    started (build workers, a notebook kernel) is killed with it.
    """
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **options,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(
            f"{' '.join(map(str, command))} did not finish in {timeout} s:\n"
            f"{stdout[-3000:]}\n{stderr[-3000:]}"
        )
    finally:
        # Anything left in the session outlived the command: stop it too.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def mkdocs_build(
    site_dir: Path,
    *extra: str,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
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
    if timeout is None:
        timeout = BUILD_TIMEOUT if cwd == ROOT else BUILD_TIMEOUT_SMALL
    return run_bounded(command, timeout, cwd=cwd, env=full_env)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole site, built strictly once for every test that reads it.

    A build that fails ends the test run here, with the build's own error
    lines: every test that reads the site would otherwise report the same
    failure again.
    """
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(site, "--strict", cwd=SITE_PROJECT, timeout=BUILD_TIMEOUT)
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
