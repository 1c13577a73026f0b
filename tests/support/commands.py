"""Commands run with a time limit, and what the tests read of processes
(their children, their CPU time) from /proc."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from support.paths import ROOT

#: Seconds the whole strict build of the book may take; a small test book
#: gets BUILD_TIMEOUT_SMALL.
BUILD_TIMEOUT = 300
BUILD_TIMEOUT_SMALL = 120


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


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name, or None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, children first (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))):
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def is_alive(pid: int) -> bool:
    """Whether `pid` runs: it exists and is not a zombie."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds `pid` has used so far (0 once it is gone)."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
