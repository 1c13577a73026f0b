"""Limits on one example of a chapter, the same under pytest and the build.

Every example (a script block, or one ``>>>`` statement of a doctest) runs
inside `guarded`, which

* stops it after ``BOOK_BLOCK_TIMEOUT`` seconds with `ExampleTimeout`,
  raised where the code is (so the traceback names the looping line); if the
  code swallows that, the interpreter is stopped with a traceback a few
  seconds later rather than left hanging;
* fails it once it has printed more than ``BOOK_OUTPUT_LIMIT`` characters
  (a runaway print loop would otherwise fill the log, and the build pass);
* turns ``os._exit`` into an error: a page that ended the process would end
  pytest with exit status 0 and no summary.
"""

from __future__ import annotations

import faulthandler
import io
import os
import signal
import sys
import threading
from typing import Any

from bookbuild import settings

#: Seconds after the time limit before a stuck interpreter is stopped by
#: faulthandler (the build's own watchdog acts sooner: bookbuild.build_workers).
HARD_STOP_GRACE = 6.0


class ExampleTimeout(BaseException):
    """An example ran longer than its limit. A BaseException, so a page's
    ``except Exception`` cannot swallow it."""


class OutputLimitExceeded(BaseException):
    """An example printed more than its limit."""


class ProcessExit(BaseException):
    """An example called ``os._exit``."""


def example_code(example: Any) -> str:
    """The code of a Sybil example as written on the page."""
    parsed = example.parsed
    return str(getattr(parsed, "source", parsed)).rstrip()


class guarded:  # noqa: N801 - used like a function: `with guarded(path, line):`
    """Run the body as the example at `path`:`line`, within its limits.

    A class rather than a generator: its `__exit__` runs in this file, where
    the alarm never raises, so the clean-up cannot be cut short by the very
    timeout it is cleaning up after.
    """

    def __init__(self, path: str, line: int) -> None:
        self.where = f"{path}:{line}"
        self.timeout = settings.block_timeout()
        self.printed = _Counter(settings.output_limit(), self.where)
        self.alarm = threading.current_thread() is threading.main_thread() and (
            hasattr(signal, "setitimer")
        )

    def __enter__(self) -> None:
        if self.alarm:
            self.previous_handler = signal.signal(signal.SIGALRM, self._on_alarm)
            signal.setitimer(signal.ITIMER_REAL, self.timeout)
        self.hard_stop = _hard_stop_later(self.timeout + HARD_STOP_GRACE)
        self.streams = sys.stdout, sys.stderr
        sys.stdout = _Capped(self.streams[0], self.printed)
        sys.stderr = _Capped(self.streams[1], self.printed)
        self.real_exit = os._exit
        # The same function is reachable as posix._exit (or nt._exit).
        self.homes = [home for home in (os, sys.modules.get(os.name)) if home]
        for home in self.homes:
            home._exit = self._refuse_exit

    def __exit__(self, *exception: object) -> None:
        if self.alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
        for home in self.homes:
            home._exit = self.real_exit
        sys.stdout, sys.stderr = self.streams
        if self.hard_stop:
            faulthandler.cancel_dump_traceback_later()
        if self.alarm:
            signal.signal(signal.SIGALRM, self.previous_handler)

    def _on_alarm(self, signum: int, frame: Any) -> None:
        if frame is not None and frame.f_code.co_filename == __file__:
            # Setting up or cleaning up: try again in a moment (the clean-up
            # switches the timer off first).
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            return
        # Again in a second, in case the page catches this one.
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        raise ExampleTimeout(
            f"the example at {self.where} ran longer than {self.timeout:g} s "
            "(the limit is BOOK_BLOCK_TIMEOUT)"
        )

    def _refuse_exit(self, status: int) -> None:
        raise ProcessExit(
            f"the example at {self.where} called os._exit({status}); "
            "a page may not end the process"
        )


#: Where a hard stop writes its traceback: pytest captures file descriptor 2
#: while a test runs, and a process that ends there loses what was captured,
#: so under pytest this is a copy of the terminal's stderr (see conftest.py).
_hard_stop_file: int | None = None


def report_hard_stops_to(fd: int) -> None:
    """Write hard-stop tracebacks to `fd` rather than to stderr."""
    global _hard_stop_file
    _hard_stop_file = fd


def _hard_stop_later(seconds: float) -> bool:
    """Stop the interpreter with a traceback (naming the page's line) if it is
    still here in `seconds`: for code that holds on in C, or swallows the
    timeout. faulthandler's watchdog is a C thread, so it fires even then."""
    target = _hard_stop_file if _hard_stop_file is not None else sys.__stderr__
    try:
        faulthandler.dump_traceback_later(seconds, exit=True, file=target)
    except (AttributeError, ValueError, io.UnsupportedOperation):
        return False  # no real stderr to write to: the soft limit only
    return True


class _Counter:
    def __init__(self, limit: int, where: str) -> None:
        self.limit, self.where, self.count = limit, where, 0

    def add(self, text: str) -> None:
        self.count += len(text)
        if self.count > self.limit:
            raise OutputLimitExceeded(
                f"the example at {self.where} printed more than {self.limit} "
                "characters (the limit is BOOK_OUTPUT_LIMIT)"
            )


class _Capped(io.TextIOBase):
    """A text stream that passes writes on until the example's limit."""

    def __init__(self, target: Any, counter: _Counter) -> None:
        self._target, self._counter = target, counter

    def write(self, text: str) -> int:
        self._counter.add(text)
        return self._target.write(text)

    def flush(self) -> None:
        # Called once more when the interpreter finalises this object, by
        # which time the stream it wraps may be closed.
        if not getattr(self._target, "closed", False):
            self._target.flush()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", "utf-8")
