"""pytest collects every chapter under docs/ through the book's one parser."""

import os
import sys

import pytest

from bookbuild import guard
from bookbuild.chapters import SYBIL

pytest_collect_file = SYBIL.pytest()


def pytest_configure(config: pytest.Config) -> None:
    # Output capture is paused here, so this is the terminal's stderr: an
    # example stopped by force still shows its traceback.
    guard.report_hard_stops_to(os.dup(sys.stderr.fileno()))
