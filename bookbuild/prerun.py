"""Run chapters in worker processes while MkDocs does everything else.

Running a chapter costs mostly fixed start-up: importing matplotlib or
PyTorch, compiling Graphviz's WebAssembly. Started as soon as the build knows
its files, the chapters run on the other cores while MkDocs reads the
configuration, collects the API reference and renders the pages that come
before them; each page then waits only for its own chapter.

A worker returns plain data: the HTML of each block's output, by the block's
position among the page's Python fences, or the first failure with its line.
"""

from __future__ import annotations

import multiprocessing
import os
import unittest
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from pathlib import Path

from bookbuild import chapters, outputs


@dataclass(frozen=True)
class Failure:
    line: int
    error_type: str
    detail: str


@dataclass
class ChapterRun:
    """What running one chapter produced."""

    #: For each fence (by its index among the page's Python fences) whose
    #: last value is displayable: (tab title, HTML) pairs, one unless tabs.
    outputs: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    failure: Failure | None = None


def run_chapter(path: str) -> ChapterRun:
    """Run every example of one chapter in order and render what it shows."""
    text = Path(path).read_text(encoding="utf-8")
    document = chapters.parse(text, path)
    run = ChapterRun()
    for example in document.examples():
        try:
            example.evaluate()
        except unittest.SkipTest:
            continue
        except Exception as error:
            detail = str(error).strip() or type(error).__name__
            line = _failing_line(error, path) or example.line
            run.failure = Failure(line, type(error).__name__, detail)
            return run
    values = chapters.block_values(document)
    for index, fence in enumerate(chapters.python_fences(text)):
        value = values.get(fence.start)
        if value is not None and outputs.is_displayable(value):
            run.outputs[index] = [
                (title, outputs.html(item)) for title, item in outputs.tab_items(value)
            ]
    return run


def _failing_line(error: BaseException, path: str) -> int | None:
    """The chapter line of the innermost frame that ran the chapter's code.

    Script blocks are compiled with the chapter's path and line numbers, so
    the traceback points at the failing statement, not just at its block.
    """
    line = None
    traceback = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == path:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


class ChapterRunner:
    """Runs a set of chapters ahead of time, at most one process per core."""

    def __init__(self, paths: list[Path]) -> None:
        # A worker takes the next chapter in this order. PyTorch's import is
        # the longest single cost, so the chapter that needs it starts first
        # (on its own worker); the others follow in the order MkDocs renders
        # pages: home page, then the reading guide, then the chapters.
        first_pages = ("index.md", "how-to-read.md")

        def order(path: Path) -> tuple[bool, int, str]:
            needs_torch = "import torch" in path.read_text("utf-8")
            rank = first_pages.index(path.name) if path.name in first_pages else 2
            return (not needs_torch, rank, str(path))

        ordered = sorted(paths, key=order)
        workers = max(1, min(len(ordered), os.cpu_count() or 1))
        # "spawn": the build may run inside `mkdocs serve`, whose threads a
        # forked child would inherit in an unknown state.
        self._pool = multiprocessing.get_context("spawn").Pool(workers)
        self._runs: dict[Path, AsyncResult] = {
            path.resolve(): self._pool.apply_async(run_chapter, (str(path.resolve()),))
            for path in ordered
        }

    def covers(self, paths: list[Path]) -> bool:
        """Whether this runner runs exactly these chapters."""
        return set(self._runs) == {path.resolve() for path in paths}

    def result(self, path: Path) -> ChapterRun:
        """The run of `path`, waiting for it if needed; run here if unknown."""
        pending = self._runs.get(path.resolve())
        if pending is None:
            return run_chapter(str(path.resolve()))
        return pending.get()

    def close(self) -> None:
        """Stop the workers, including any still running a chapter (after a
        failed build, nobody waits for them)."""
        self._pool.terminate()
        self._pool.join()
