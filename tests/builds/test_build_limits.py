"""A page that never returns, ends its process or floods the log fails, fast.

Each test writes a small book with one hostile block, runs pytest or
`mkdocs build` on it with a short time limit, and checks three things: the
run ends well within its bound, it names the page and the line of the block
(and shows the block's code), and no process it started is left running.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from support import (
    ROOT,
    cpu_seconds,
    descendants,
    is_alive,
    make_book,
    mkdocs_build,
    run_bounded,
)

from bookbuild import build_workers, guard, settings

#: The limit the hostile pages run under (seconds); the default is 30.
LIMIT = "2"
FAST = {"BOOK_BLOCK_TIMEOUT": LIMIT}


def page(code: str) -> str:
    """A chapter whose seventh line opens the block `code` (a good block
    first, so a dead process has done some work before it dies)."""
    return f"# Hostile\n\n```python\nx = 1\n```\n\n```python\n{code}\n```\n"


HOSTILE_LINE = 7  # the opening fence of the block `page` wraps

LOOP = "while True:\n    pass"
# Swallows the time limit's exception, again and again: only a kill stops it.
STUBBORN_LOOP = (
    "while True:\n"
    "    try:\n"
    "        while True:\n"
    "            pass\n"
    "    except BaseException:\n"
    "        pass"
)


def _wait_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [pid for pid in pids if is_alive(pid)]
        if not left:
            return []
        time.sleep(0.1)
    return [pid for pid in pids if is_alive(pid)]


# ---- the limits themselves ---------------------------------------------------


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for value, expected in [("0", False), ("false", False), ("1", True), ("", True)]:
        monkeypatch.setenv("BOOK_EXECUTE", value)
        assert settings.execute() is expected
    monkeypatch.setenv("BOOK_EXECUTE", "maybe")
    with pytest.raises(ValueError, match="BOOK_EXECUTE must be true or false"):
        settings.execute()
    monkeypatch.delenv("BOOK_BLOCK_TIMEOUT", raising=False)
    assert settings.block_timeout() == settings.DEFAULT_BLOCK_TIMEOUT
    monkeypatch.setenv("BOOK_BLOCK_TIMEOUT", "-1")
    with pytest.raises(ValueError, match="BOOK_BLOCK_TIMEOUT must be a positive"):
        settings.block_timeout()


def test_an_endless_loop_stops_at_the_time_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOOK_BLOCK_TIMEOUT", "0.3")
    start = time.monotonic()
    expected = r"page\.md:12 ran longer than 0\.3 s"
    with pytest.raises(guard.ExampleTimeout, match=expected):
        with guard.guarded("page.md", 12):
            while True:
                pass
    assert time.monotonic() - start < 2


def test_printing_stops_at_the_output_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOK_OUTPUT_LIMIT", "1000")
    with pytest.raises(guard.OutputLimitExceeded, match="printed more than 1000"):
        with guard.guarded("page.md", 3):
            for _ in range(10_000):
                print("0123456789")


def test_os_exit_is_refused_inside_an_example() -> None:
    import posix

    real = os._exit
    with pytest.raises(guard.ProcessExit, match=r"page\.md:5 called os\._exit\(0\)"):
        with guard.guarded("page.md", 5):
            os._exit(0)
    with pytest.raises(guard.ProcessExit, match=r"called os\._exit\(4\)"):
        with guard.guarded("page.md", 5):
            posix._exit(4)
    assert os._exit is real and posix._exit is real


# ---- under pytest --------------------------------------------------------------


def _pytest_on(folder: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    # The book's own conftest.py, for chapters in this folder.
    conftest = (ROOT / "conftest.py").read_text()
    conftest = conftest.replace(
        "pytest_collect_file = SYBIL.pytest()",
        'pytest_collect_file = Sybil(parsers=PARSERS, patterns=["*.md"]).pytest()',
    ).replace(
        "from bookbuild.chapters import SYBIL",
        "from bookbuild.chapters import PARSERS\nfrom sybil import Sybil",
    )
    assert "Sybil(parsers=PARSERS" in conftest and "report_hard_stops" in conftest
    (folder / "conftest.py").write_text(conftest)
    env = {**os.environ, "PYTHONPATH": str(ROOT), **FAST}
    return run_bounded(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rf"],
        timeout,
        cwd=folder,
        env=env,
    )


@pytest.mark.parametrize(
    ("code", "reported"),
    [
        (LOOP, "ExampleTimeout: the example at {path}:7 ran longer than 2 s"),
        ("import os\nos._exit(0)", "ProcessExit: the example at {path}:7 called"),
        ("import sys\nsys.exit(3)", "SystemExit: 3"),
        ("print('x' * 1000)\n" * 200, "printed more than 100000 characters"),
    ],
    ids=["endless loop", "os._exit(0)", "sys.exit(3)", "200 kB of output"],
)
def test_pytest_fails_a_hostile_block_naming_it(
    tmp_path: Path, code: str, reported: str
) -> None:
    path = tmp_path / "hostile.md"
    path.write_text(page(code))
    start = time.monotonic()
    result = _pytest_on(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "1 failed, 1 passed" in output, output
    assert reported.format(path=path) in output, output
    # pytest's own name for the test is the block's line.
    assert "FAILED hostile.md::line:7," in output, output
    assert time.monotonic() - start < 45


def test_pytest_stops_a_loop_that_swallows_the_limit(tmp_path: Path) -> None:
    (tmp_path / "hostile.md").write_text(page(STUBBORN_LOOP))
    start = time.monotonic()
    result = _pytest_on(tmp_path)
    output = result.stdout + result.stderr
    # No summary can be printed: faulthandler ends the process, naming the
    # page and the looping line in its traceback.
    assert result.returncode != 0, output
    assert "Timeout" in output, output
    assert re.search(r'File ".*hostile\.md", line (9|10|11|12)', output), output
    assert time.monotonic() - start < 45


# ---- under mkdocs build -----------------------------------------------------


@pytest.mark.parametrize(
    ("code", "lines", "reported"),
    [
        # Stopped by the limit inside the worker: the looping line is named.
        (LOOP, (8, 9), "ExampleTimeout: the example at"),
        # Killed from outside: the block it was running is named.
        (STUBBORN_LOOP, (7,), "Timeout: the example ran longer than 2 s"),
        ("import os\nos._exit(0)", (9,), "ProcessExit"),
        ("import sys\nsys.exit(3)", (9,), "SystemExit: 3"),
        (
            "import ctypes\nctypes.string_at(0)",
            (7,),
            "Died: the process running this page was killed by SIGSEGV",
        ),
        (
            "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
            (7,),
            "Died: the process running this page was killed by SIGKILL",
        ),
        ("for i in range(10**8):\n    print(i)", (9,), "OutputLimitExceeded"),
    ],
    ids=[
        "endless loop",
        "loop that swallows the limit",
        "os._exit(0)",
        "sys.exit(3)",
        "segfault",
        "killed",
        "endless output",
    ],
)
def test_the_build_fails_a_hostile_block_naming_page_line_and_code(
    tmp_path: Path, code: str, lines: tuple[int, ...], reported: str
) -> None:
    project = make_book(tmp_path, {"index.md": "# Home\n", "hostile.md": page(code)})
    start = time.monotonic()
    result = mkdocs_build(tmp_path / "site", cwd=project, env=FAST, timeout=90)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    path = project / "docs" / "hostile.md"
    named = [f"{path}:{line}: example failed: {reported}" for line in lines]
    assert any(text in output for text in named), output
    # The block's code follows, as on the page.
    first = code.splitlines()[0]
    assert f"    | {first}" in output, output
    assert "Aborted with a BuildError" in output
    assert time.monotonic() - start < 60
    assert len(output) < 20_000, "the log holds more than the failure"


def test_a_page_that_is_not_in_the_nav_still_runs(tmp_path: Path) -> None:
    # The runner orders chapters by the nav; a page outside it runs too.
    project = make_book(tmp_path, {"index.md": "# Home\n", "hostile.md": page(LOOP)})
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "nav:\n  - index.md\n")
    result = mkdocs_build(tmp_path / "site", cwd=project, env=FAST, timeout=90)
    assert re.search(r"hostile\.md:[89]: example failed: ExampleTimeout", result.stderr)


def test_the_runner_reports_a_dead_worker_for_its_page(tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text("```python\nfrom micrograd.viz import draw_dot\n```\n")
    dead = tmp_path / "dead.md"
    dead.write_text(page("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"))
    after = tmp_path / "after.md"
    after.write_text("```python\ny = 2\n```\n")
    runner = build_workers.ChapterWorkers([dead, good, after], workers=1)
    try:
        failure = runner.result(dead).failure
        assert failure is not None
        assert (failure.line, failure.error_type) == (HOSTILE_LINE, "Died")
        assert "SIGKILL" in failure.detail
        # A new worker takes the chapters that were left.
        assert runner.result(good).failure is None
        assert runner.result(after).failure is None
    finally:
        runner.close()


def test_the_slowest_chapter_of_the_last_run_starts_first(tmp_path: Path) -> None:
    paths = []
    for name in ("a", "b", "c"):
        path = tmp_path / f"{name}.md"
        path.write_text("```python\nimport time\ntime.sleep(0.2)\n```\n")
        paths.append(path)
    timings = tmp_path / "times.json"
    # No record yet: the order given (the nav's).
    runner = build_workers.ChapterWorkers(paths, workers=1, timings=timings)
    for path in paths:
        assert runner.result(path).failure is None
    runner.close()
    assert runner.order == [p.resolve() for p in paths]
    recorded = json.loads(timings.read_text())
    assert set(recorded) == {str(p.resolve()) for p in paths}
    assert all(seconds >= 0.2 for seconds in recorded.values())
    # c was the slowest last time: it starts first, the rest keep their order.
    recorded[str(paths[2].resolve())] = 100.0
    timings.write_text(json.dumps(recorded))
    runner = build_workers.ChapterWorkers(paths, workers=1, timings=timings)
    runner.close()
    assert runner.order == [p.resolve() for p in (paths[2], paths[0], paths[1])]


def test_a_failure_of_the_runner_itself_does_not_leave_the_build_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chapter = tmp_path / "chapter.md"
    chapter.write_text("```python\nx = 1\n```\n")

    def broken(self: build_workers.ChapterWorkers, worker: object) -> bool:
        raise OSError("the pipe broke")

    monkeypatch.setattr(build_workers.ChapterWorkers, "_read", broken)
    runner = build_workers.ChapterWorkers([chapter], workers=1)
    try:
        with pytest.raises(RuntimeError, match="the chapter workers failed: OSError"):
            runner.result(chapter)
    finally:
        runner.close()


# ---- nothing outlives the build ---------------------------------------------


def _start_build(project: Path, site: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "BOOK_BLOCK_TIMEOUT": "120",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site)],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _running_workers(pid: int, seconds: float = 45) -> list[int]:
    """The build's worker processes, once one is running a chapter."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        workers = descendants(pid)
        busy = [
            p
            for p in workers
            if is_alive(p) and "worker_main" in Path(f"/proc/{p}/cmdline").read_text()
        ]
        if busy and any(cpu_seconds(p) > 1.0 for p in busy):
            return workers
        time.sleep(0.2)
    raise AssertionError("the build never started its chapter workers")


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["TERM", "KILL"])
def test_stopping_the_build_leaves_no_process(tmp_path: Path, how: int) -> None:
    project = make_book(tmp_path, {"index.md": "# Home\n", "hostile.md": page(LOOP)})
    build = _start_build(project, tmp_path / "site")
    try:
        workers = _running_workers(build.pid)
        os.kill(build.pid, how)
        build.wait(timeout=20)
        left = _wait_gone(workers, 10)
        assert not left, f"still running after {how.name}: {left}"
    finally:
        try:
            os.killpg(build.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        build.wait()


# ---- mkdocs serve ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(condition, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds} s; the log:\n{log.read_text()}")


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return ""


def _workers_of(pid: int) -> list[int]:
    found = []
    for child in descendants(pid):
        try:
            if "worker_main" in Path(f"/proc/{child}/cmdline").read_text():
                found.append(child)
        except OSError:
            pass
    return [p for p in found if is_alive(p)]


def test_serve_reports_a_looping_block_and_recovers_when_it_is_fixed(
    tmp_path: Path,
) -> None:
    good = "# Page\n\n```python\nx = 'first version'\n```\n"
    project = make_book(tmp_path / "book", {"index.md": "# Home\n", "page.md": good})
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **FAST}
    with log.open("w") as sink:
        serve = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--livereload"]
            + ["--dev-addr", f"127.0.0.1:{port}"],
            cwd=project,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    page_path = project / "docs" / "page.md"
    url = f"http://127.0.0.1:{port}/page/"
    try:
        _wait_for(lambda: "first version" in _get(url), 60, "no first build", log)
        page_path.write_text(page(LOOP))
        _wait_for(
            lambda: (
                "page.md:" in log.read_text()
                and "example failed: ExampleTimeout" in log.read_text()
            ),
            30,
            "the looping block was not reported",
            log,
        )
        page_path.write_text(good.replace("first", "fixed"))
        _wait_for(lambda: "fixed version" in _get(url), 30, "no recovery", log)
        assert not _workers_of(serve.pid), "a chapter worker outlived its build"
        os.kill(serve.pid, signal.SIGTERM)
        serve.wait(timeout=20)
        assert not descendants(serve.pid)
    finally:
        try:
            os.killpg(serve.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        serve.wait()


# ---- a broken book in a full test run -------------------------------------------


def test_a_broken_book_fails_the_site_tests_once(tmp_path: Path) -> None:
    book = make_book(
        tmp_path / "book", {"index.md": "# Home\n", "hostile.md": page(LOOP)}
    )
    run = tmp_path / "run"
    run.mkdir()
    tests = ROOT / "tests"
    # The site tests' own conftest.py, pointed at the broken book.
    (run / "conftest.py").write_text(
        "import importlib.util, sys\n"
        "from pathlib import Path\n"
        f"sys.path.insert(0, {str(tests)!r})\n"
        "spec = importlib.util.spec_from_file_location(\n"
        f"    'site_conftest', {str(tests / 'conftest.py')!r}\n"
        ")\n"
        "site_conftest = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(site_conftest)\n"
        f"site_conftest.SITE_PROJECT = Path({str(book)!r})\n"
        "built_site = site_conftest.built_site\n"
    )
    (run / "test_site.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.parametrize('n', range(20))\n"
        "def test_reads_the_site(built_site, n):\n"
        "    assert built_site.exists()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), **FAST}
    result = run_bounded(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
        120,
        cwd=run,
        env=env,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert output.count("the strict build of the site failed") == 1, output
    assert re.search(r"hostile\.md:[89]: example failed: ExampleTimeout", output)
    assert output.count("example failed") == 1, output
    assert len(output.splitlines()) < 40, output
