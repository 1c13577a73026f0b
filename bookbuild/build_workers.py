"""The build runs its chapters in worker processes while MkDocs does everything else.

Running a chapter costs mostly fixed start-up: importing matplotlib or
PyTorch, compiling Graphviz's WebAssembly. Started when the build reads its
configuration, the chapters run on the other cores, in the order of the nav,
while MkDocs collects the API reference and renders the pages that come
before them; each page then waits only for its own chapter.

A worker returns plain data: the HTML of each block's output, keyed by the
line of the block's opening fence in the chapter file, or the first failure
with its line and the code of its example.

Nothing here can hang the build or outlive it:

* every example runs under the time limit of `bookbuild.guard` inside the
  worker; if the worker does not come back within a grace period after that
  (stuck in C code, the timeout swallowed), this side kills it and reports
  the example it was running;
* a worker that dies (``os._exit``, a segfault, a kill) is reported as a
  failure of the page it was running, at the example it was running;
* workers are plain subprocesses (not a `multiprocessing` pool, which starts
  a resource tracker) that exit on their own when the build process is gone,
  however it ended.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import unittest
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from bookbuild import blockrun, chapters, guard, outputs, settings

ROOT = Path(__file__).resolve().parent.parent

# The real os._exit: while an example runs, the guard replaces os._exit with
# one that refuses.
_exit_now = os._exit

#: Seconds a worker gets after an example's time limit to report the timeout
#: itself (with the exact line) before it is killed.
KILL_GRACE = 3.0


@dataclass(frozen=True)
class Failure:
    line: int
    error_type: str
    detail: str
    #: The code of the example that failed, as written on the page.
    code: str = ""


@dataclass
class ChapterRun:
    """What running one chapter produced."""

    #: For each block (by the file line of its opening fence) whose last
    #: value is displayable: (tab title, HTML) pairs, one unless tabs.
    outputs: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    failure: Failure | None = None


def run_chapter(path: str, on_example=None) -> ChapterRun:
    """Run every example of one chapter in order and render what it shows.

    `on_example(line, code)` is called before each example runs, so whoever
    watches the run knows where it is if it never comes back.
    """
    text = Path(path).read_text(encoding="utf-8")
    document = chapters.parse(text, path)
    run = ChapterRun()
    for example in document.examples():
        if on_example is not None:
            on_example(example.line, guard.example_code(example))
        try:
            example.evaluate()
        except unittest.SkipTest:
            continue
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # SystemExit too: a page may not exit
            detail = str(error).strip() or type(error).__name__
            # Script blocks are compiled with the chapter's path and lines,
            # so the traceback points at the failing statement.
            line = blockrun.line_in(error, path) or example.line
            run.failure = Failure(
                line, type(error).__name__, detail, guard.example_code(example)
            )
            return run
    for line, value in chapters.block_values(document).items():
        if value is not None and outputs.is_displayable(value):
            run.outputs[line] = [
                (title, outputs.html(item)) for title, item in outputs.tab_items(value)
            ]
    return run


# ---- the worker process -------------------------------------------------------


def worker_main(commands_fd: int, messages_fd: int, parent_pid: int) -> None:
    """Run chapters named on `commands_fd` until it closes; report on
    `messages_fd`: ("example", line, code) before each example, then
    ("done", path, ChapterRun, seconds)."""
    _exit_with_parent(parent_pid)
    # What a page prints is not shown anywhere (CONTRIBUTING.md): counted
    # against its limit by the guard, then dropped rather than logged.
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    commands = Connection(commands_fd, writable=False)
    messages = Connection(messages_fd, readable=False)
    while True:
        try:
            path = commands.recv()
        except (EOFError, OSError):
            return
        began = time.perf_counter()
        run = run_chapter(
            path, on_example=lambda line, code: messages.send(("example", line, code))
        )
        # Timed here, so a worker's own start-up is not counted as the cost
        # of its first chapter.
        messages.send(("done", path, run, time.perf_counter() - began))


def _exit_with_parent(parent_pid: int) -> None:
    """Exit as soon as the build process is gone, even if it was killed
    (SIGKILL gives it no chance to stop its workers)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        _exit_now(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


_BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from bookbuild.build_workers import worker_main; "
    "worker_main(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))"
)


class _Worker:
    """One worker process and what it is doing."""

    def __init__(self) -> None:
        command_read, command_write = os.pipe()
        message_read, message_write = os.pipe()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _BOOTSTRAP,
                str(ROOT),
                str(command_read),
                str(message_write),
                str(os.getpid()),
            ],
            pass_fds=(command_read, message_write),
            stdin=subprocess.DEVNULL,
        )
        os.close(command_read)
        os.close(message_write)
        self.commands = Connection(command_write, readable=False)
        self.messages = Connection(message_read, writable=False)
        self.chapter: Path | None = None
        self.line = 0
        self.code = ""
        self.since = 0.0

    def start(self, chapter: Path) -> None:
        self.chapter, self.line, self.code = chapter, 0, ""
        self.since = time.monotonic()
        self.commands.send(str(chapter))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.commands.close()
        self.messages.close()


class ChapterWorkers:
    """Runs a set of chapters ahead of time, at most one process per core.

    Workers take the chapters in the order given (the order pages are
    built), except that the chapter that took longest on the last run, as
    recorded in `timings`, starts first: on its own worker its start-up
    (importing PyTorch, say) overlaps with the other chapters, instead of
    holding up its page when its turn comes.
    """

    def __init__(
        self,
        paths: list[Path],
        workers: int | None = None,
        timings: Path | None = None,
    ) -> None:
        resolved = [path.resolve() for path in paths]
        self._timings = timings
        self._seconds: dict[Path, float] = {}
        recorded = _read_timings(timings)
        known = [path for path in resolved if path in recorded]
        if known:
            slowest = max(known, key=recorded.__getitem__)
            resolved.remove(slowest)
            resolved.insert(0, slowest)
        #: The order the chapters were handed to the workers in.
        self.order = list(resolved)
        self._queue = deque(resolved)
        self._known = set(self._queue)
        self._results: dict[Path, ChapterRun] = {}
        self._timeout = settings.block_timeout()
        self._changed = threading.Condition()
        self._closed = False
        self._crash: BaseException | None = None
        count = workers or max(1, min(len(self._queue), os.cpu_count() or 1))
        self._workers = [_Worker() for _ in range(count)]
        self._thread = threading.Thread(
            target=self._supervise, name="chapter-runner", daemon=True
        )
        self._thread.start()

    def result(self, path: Path) -> ChapterRun:
        """The run of `path`, waiting for it; a chapter not given at the
        start is run next."""
        path = path.resolve()
        with self._changed:
            if path not in self._known:
                self._known.add(path)
                self._queue.appendleft(path)
            while path not in self._results:
                if self._closed:
                    raise RuntimeError("the chapter workers were stopped")
                if not self._thread.is_alive():
                    raise RuntimeError(
                        f"the chapter workers failed: {self._crash!r}"
                    ) from self._crash
                self._changed.wait(timeout=1.0)
            return self._results[path]

    def close(self) -> None:
        """Stop the workers, including any still running a chapter (after a
        failed build, nobody waits for them)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._thread.join()
        for worker in self._workers:
            worker.stop()
        if self._timings is not None and self._seconds:
            _write_timings(self._timings, self._seconds)

    # ---- the supervising thread ------------------------------------------

    def _supervise(self) -> None:
        try:
            self._supervise_until_closed()
        except BaseException as error:  # raised again by result(), not lost
            with self._changed:
                self._crash = error
                self._changed.notify_all()

    def _supervise_until_closed(self) -> None:
        while True:
            with self._changed:
                if self._closed:
                    return
                self._hand_out_chapters()
            busy = {w.messages: w for w in self._workers if w.chapter is not None}
            for connection in wait(list(busy), timeout=0.2) if busy else ():
                self._read(busy[connection])
            if not busy:
                time.sleep(0.05)
            now = time.monotonic()
            for worker in list(busy.values()):
                if worker.chapter is None:
                    continue
                if worker.process.poll() is not None:
                    self._read_all(worker)
                    if worker.chapter is not None:
                        self._lost(worker, _death(worker.process.returncode))
                elif now - worker.since > self._timeout + KILL_GRACE:
                    self._lost(
                        worker,
                        f"the example ran longer than {self._timeout:g} s "
                        "(BOOK_BLOCK_TIMEOUT) and did not stop; its process was "
                        "killed",
                        error_type="Timeout",
                    )

    def _hand_out_chapters(self) -> None:
        for index, worker in enumerate(self._workers):
            if not self._queue:
                return
            if worker.chapter is not None:
                continue
            if worker.process.poll() is not None:
                worker.stop()
                worker = self._workers[index] = _Worker()
            worker.start(self._queue.popleft())

    def _read_all(self, worker: _Worker) -> None:
        while worker.chapter is not None and worker.messages.poll(0):
            if not self._read(worker):
                return

    def _read(self, worker: _Worker) -> bool:
        try:
            message = worker.messages.recv()
        except (EOFError, OSError):
            worker.process.wait()
            self._lost(worker, _death(worker.process.returncode))
            return False
        if message[0] == "example":
            _, worker.line, worker.code = message
            worker.since = time.monotonic()
        elif message[0] == "done":
            _, _, run, seconds = message
            if worker.chapter is not None:
                self._seconds[worker.chapter] = seconds
            self._finish(worker, run)
        return True

    def _lost(self, worker: _Worker, detail: str, error_type: str = "Died") -> None:
        """The worker will not report on its chapter: fail the chapter at the
        example it was running."""
        failure = Failure(worker.line, error_type, detail, worker.code)
        worker.stop()
        # _hand_out_chapters starts a new process here if chapters are left.
        self._finish(worker, ChapterRun(failure=failure))

    def _finish(self, worker: _Worker, run: ChapterRun) -> None:
        with self._changed:
            if worker.chapter is not None:
                self._results[worker.chapter] = run
            worker.chapter = None
            self._changed.notify_all()


def _read_timings(path: Path | None) -> dict[Path, float]:
    """Seconds each chapter took on the last run (nothing if unknown)."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {Path(name): float(seconds) for name, seconds in data.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}  # no record yet, or an unreadable one: the given order


def _write_timings(path: Path, seconds: dict[Path, float]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(f".{os.getpid()}.tmp")
    data = {str(chapter): round(value, 3) for chapter, value in seconds.items()}
    scratch.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    scratch.replace(path)


def _death(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        how = f"was killed by {name}"
    else:
        how = f"exited with code {returncode}"
    return f"the process running this page {how} during this example"
