"""What running an example in the page costs the reader.

Builds the site (without executing the chapters: the figures here do not
depend on it), serves it on 127.0.0.1 and opens chapter 5 in headless
Chromium (Debian's). Measures, for a reader who has never visited:

* cold start: from pressing Run on the chapter's first block to its result,
  in wall time and in CPU time of the whole browser (every process, worker
  included);
* warm rerun: pressing Run again on the same small block;
* bytes: what the page loaded before any Run, what the first Run added, and
  the whole site;
* next page: the next chapter's first Run after following the page's "next"
  link (Material's instant navigation: the page's Python is kept, its
  namespace emptied), and the same page opened afresh with the files in the
  browser's cache (a new Python boots);
* live graph: on the warm chapter 5 page, the neuron's graph made live,
  then a move of its `w1` slider to the graph redrawn with the new data and
  gradients (the chapter's code run again in the page's Python, backward,
  Graphviz), the median of several moves. The moves cross zero, so every
  one is laid out afresh by Graphviz: the slow case (a move that keeps
  every box's signs and digit counts only rewrites the numbers in place).
* the Playground page: CPU from opening it to its first training step, then,
  after 15 s of playing, 8 s of playing the default network on 100 points:
  steps and boundaries drawn per second, the browser's CPU per step, and
  the longest task of the page's main thread (the training runs in the
  worker);
* an exercise: chapter 8's relu, its first Check (Python boots and the
  chapter's earlier blocks run) and a Check again on the warm page, the
  reader's code and the book's checks run in the page's Python.

* the editor: the bytes of the code editor's bundle, gzip-compressed, which
  the first Edit adds.

Targets on the 2-core machine the book is built on: first result under 5 s
of browser CPU, a rerun of a small block under 50 ms, a slider move of a
live graph of about ten values under 100 ms, the next page's first result
by its link under 1 s, a warm Check under 300 ms, the editor under 150 KB
compressed; on
the Playground, the first step under 6 s of browser CPU, at least 10 steps
and 2 boundaries a second, no main-thread task over 50 ms. The rerun is also
printed as a ratio to the cold start measured in the same run.

    python benchmarks/bench_browser.py [--repeats N] [--json PATH] [--site DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import record  # noqa: E402
from support import CHROMIUM, Session, cpu_seconds, descendants, serve  # noqa: E402

MAX_FIRST_CPU = 5.0
MAX_RERUN_MS = 50.0
MAX_LIVE_MS = 100.0
MAX_CHECK_MS = 300.0
MAX_NEXT_PAGE_MS = 1000.0
MAX_EDITOR_KB = 150.0
EDITOR_BUNDLE = "assets/run/editor.js"
FIRST_PAGE = "chapters/05-backward-rules/"
NEXT_PAGE = "chapters/06-topological-order/"
EXERCISE_PAGE = "chapters/08-more-operations/"
EXERCISE = "relu"
PLAYGROUND = "playground/"
MAX_PLAYGROUND_FIRST_CPU = 6.0
MIN_STEPS_PER_S = 10.0
MIN_BOUNDARIES_PER_S = 2.0
MAX_TASK_MS = 50.0
PLAY_S = 8.0
WARM_UP_S = 15.0

#: Long tasks of the main thread, recorded from the page's start.
LONG_TASKS = """
window.mgLongTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.mgLongTasks.push(entry.duration);
}).observe({ type: "longtask", buffered: true });
"""

#: Presses Run on a block and resolves with the milliseconds until its
#: result is shown.
TIME_RUN = """
async (line) => {
  const block = document.querySelector(`div.highlight[data-mg-line="${line}"]`);
  const button = block.nextElementSibling.querySelector(".mg-run-run");
  delete block.dataset.mgState;
  const started = performance.now();
  await new Promise((resolve) => {
    const watch = new MutationObserver(() => {
      const state = block.dataset.mgState;
      if (state && state !== "running") {
        watch.disconnect();
        resolve();
      }
    });
    watch.observe(block, { attributes: true });
    button.click();
  });
  if (block.dataset.mgState !== "ok") {
    throw new Error(`block at line ${line} ended ${block.dataset.mgState}`);
  }
  return performance.now() - started;
}
"""

#: Presses Check on an exercise's starter and resolves with the milliseconds
#: until its verdict is shown.
TIME_CHECK = """
async (name) => {
  const starter = document.querySelector(`div.highlight[data-mg-exercise="${name}"]`);
  const button = starter.nextElementSibling.querySelector(".mg-run-check");
  const verdict = starter.parentElement.querySelector(
    `:scope > div.highlight[data-mg-exercise="${name}"] ~ .mg-check`);
  const started = performance.now();
  await new Promise((resolve, reject) => {
    const watch = new MutationObserver(() => {
      if (verdict.dataset.mgPassed) {
        watch.disconnect();
        resolve();
      } else if (["error", "blocked", "stopped"].includes(starter.dataset.mgState)) {
        watch.disconnect();
        reject(new Error(`exercise ${name} ended ${starter.dataset.mgState}`));
      }
    });
    watch.observe(verdict, { attributes: true });
    watch.observe(starter, { attributes: true });
    button.click();
  });
  return performance.now() - started;
}
"""

#: Makes chapter 5's neuron graph live, then moves its w1 slider to each
#: value in turn; resolves with the milliseconds from each move to the
#: redrawn graph.
TIME_LIVE = """
async (values) => {
  const scripts = document.querySelectorAll('div.highlight[data-mg-run="script"]');
  const block = [...scripts].find((element) =>
    /neuron\\(Value\\)[\\s\\S]*draw_dot\\(o/.test(element.textContent),
  );
  const make = block.nextElementSibling.querySelector(".mg-lg-make");
  make.click();
  const figure = await new Promise((resolve) => {
    const look = () => {
      const found = document.querySelector(".mg-lg-figure-set");
      if (found && found.querySelector("svg")) resolve(found);
      else setTimeout(look, 50);
    };
    look();
  });
  const slider = figure.querySelector('input[type="range"][id$="-2"]');
  const times = [];
  for (const value of values) {
    const before = Number(figure.dataset.mgUpdates || 0);
    const started = performance.now();
    slider.value = String(value);
    slider.dispatchEvent(new Event("input"));
    await new Promise((resolve) => {
      const watch = () => {
        if (Number(figure.dataset.mgUpdates || 0) > before) resolve();
        else requestAnimationFrame(watch);
      };
      watch();
    });
    times.push(performance.now() - started);
  }
  return times;
}
"""

FIRST_RUNNABLE = """
() => Number(document.querySelector(
  'div.highlight[data-mg-run="doctest"], div.highlight[data-mg-run="script"]'
).dataset.mgLine)
"""


def build(site: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "BOOK_EXECUTE": "false"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stdout}\n{result.stderr}")


def descendants_cpu() -> float:
    """CPU seconds used so far by every process descended from this one."""
    return sum(cpu_seconds(pid) for pid in descendants(os.getpid()))


def measure(playwright, base: str, site: Path) -> dict[str, float]:
    """One reader's first visit, in a fresh browser with an empty cache."""
    # A new browser each time: nothing in its cache. It reaches no other
    # host, and its sitemap lets Material navigate in place, as published.
    with Session(playwright, base) as session:
        context = session.context(timeout=300_000)
        fetched: list[str] = []
        context.on("requestfinished", lambda request: fetched.append(request.url))
        page = context.new_page()
        page.goto(base + FIRST_PAGE, wait_until="networkidle")
        before = list(fetched)
        line = page.evaluate(FIRST_RUNNABLE)
        cpu = descendants_cpu()
        cold_ms = page.evaluate(TIME_RUN, line)
        cold_cpu = descendants_cpu() - cpu
        first_run = fetched[len(before) :]
        reruns = [page.evaluate(TIME_RUN, line) for _ in range(5)]
        moves = page.evaluate(TIME_LIVE, [0.5, -1.0, 1.5, -2.0, 2.5, -0.5, 1.0, -3.0])
        # The reader follows the link to the next chapter and runs its first
        # block: the same document, the same Python.
        page.evaluate("window.mgSamePage = true")
        page.locator(".md-footer__link--next").click()
        page.wait_for_url(lambda url: url.endswith(NEXT_PAGE))
        page.wait_for_selector('div.highlight[data-mg-line] + .mg-run-bar')
        if not page.evaluate("window.mgSamePage === true"):
            raise RuntimeError("the next page's link loaded a new document")
        next_ms = page.evaluate(TIME_RUN, page.evaluate(FIRST_RUNNABLE))
        page.goto(base + NEXT_PAGE, wait_until="networkidle")
        second_ms = page.evaluate(TIME_RUN, page.evaluate(FIRST_RUNNABLE))
        page.goto(base + EXERCISE_PAGE, wait_until="networkidle")
        first_check_ms = page.evaluate(TIME_CHECK, EXERCISE)
        checks = [page.evaluate(TIME_CHECK, EXERCISE) for _ in range(5)]

    def size(urls: list[str]) -> int:
        total = 0
        for url in set(urls):
            path = urlsplit(url).path.lstrip("/")
            file = site / path
            if file.is_dir():
                file = file / "index.html"
            if file.is_file():
                total += file.stat().st_size
        return total

    return {
        "cold_ms": cold_ms,
        "cold_cpu_s": cold_cpu,
        "rerun_ms": statistics.median(reruns),
        "live_ms": statistics.median(moves),
        "next_page_ms": next_ms,
        "second_page_ms": second_ms,
        "first_check_ms": first_check_ms,
        "check_ms": statistics.median(checks),
        "page_bytes": size(before),
        "first_run_bytes": size(first_run),
    }


def measure_playground(playwright, base: str) -> dict[str, float]:
    """A first visit to the Playground, which plays once Python is ready."""
    with Session(playwright, base) as session:
        context = session.context(timeout=300_000)
        context.add_init_script(LONG_TASKS)
        page = context.new_page()
        cpu = descendants_cpu()
        started = time.perf_counter()
        page.goto(base + PLAYGROUND, wait_until="load")
        page.wait_for_function(
            "() => window.mgPlayground && window.mgPlayground.state"
            " && window.mgPlayground.state.step >= 1",
            timeout=300_000,
        )
        first_s = time.perf_counter() - started
        first_cpu = descendants_cpu() - cpu
        # A fresh browser spends its first seconds compiling Python's
        # WebAssembly again for speed, in the background; the steady pace
        # is measured after that.
        page.wait_for_timeout(WARM_UP_S * 1000)
        page.evaluate(
            "() => { window.mgLongTasks.length = 0; window.mgPlayground.timings ="
            " {calls: 0, steps: 0, ms: 0, grids: 0}; }"
        )
        cpu = descendants_cpu()
        started = time.perf_counter()
        page.wait_for_timeout(PLAY_S * 1000)
        timings = page.evaluate("() => window.mgPlayground.timings")
        played_s = time.perf_counter() - started
        played_cpu = descendants_cpu() - cpu
        long_tasks = page.evaluate("() => window.mgLongTasks")
        accuracy = page.evaluate("() => window.mgPlayground.current().accuracy")
    steps = max(1, timings["steps"])
    return {
        "first_step_s": first_s,
        "first_step_cpu_s": first_cpu,
        "steps_per_s": timings["steps"] / played_s,
        "boundaries_per_s": timings["grids"] / played_s,
        "cpu_ms_per_step": 1000 * played_cpu / steps,
        "longest_task_ms": max(long_tasks, default=0.0),
        "accuracy": accuracy,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="fresh visits (3)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--site", type=Path, help="a built site (default: build one)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if CHROMIUM is None:
        parser.error("no Chromium at /usr/bin/chromium or on PATH"
                     " (apt-get install chromium)")
    measured = record.stamp("browser.json")

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        site = args.site or Path(scratch) / "site"
        if args.site is None:
            build(site)
        runs = []
        site_bytes = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        bundle = (site / EDITOR_BUNDLE).read_bytes()
        editor_kb = len(gzip.compress(bundle, compresslevel=6, mtime=0)) / 1000
        with serve(site) as base, sync_playwright() as playwright:
            for _ in range(args.repeats):
                runs.append(measure(playwright, base, site))
                time.sleep(0.5)
            plays = []
            for _ in range(args.repeats):
                plays.append(measure_playground(playwright, base))
                time.sleep(0.5)

    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    cold_cpu, rerun = median("cold_cpu_s"), median("rerun_ms")
    next_ms = median("next_page_ms")
    cold_runs = ", ".join(f"{run['cold_ms'] / 1000:.2f}" for run in runs)
    cpu_met = "met" if cold_cpu < MAX_FIRST_CPU else "NOT met"
    rerun_met = "met" if rerun < MAX_RERUN_MS else "NOT met"
    live = median("live_ms")
    live_met = "met" if live < MAX_LIVE_MS else "NOT met"
    check = median("check_ms")
    check_met = "met" if check < MAX_CHECK_MS else "NOT met"
    lines = [
        f"running an example in the page, chapter 5, {args.repeats} fresh visits",
        f"cold start to first result      median {median('cold_ms') / 1000:6.2f} s"
        f"   runs: {cold_runs}",
        f"  browser CPU for it            median {cold_cpu:6.2f} s   "
        f"(target < {MAX_FIRST_CPU:.0f} s: {cpu_met})",
        f"warm rerun of the same block    median {rerun:6.1f} ms  "
        f"(target < {MAX_RERUN_MS:.0f} ms: {rerun_met})",
        f"  rerun / cold start            {rerun / median('cold_ms'):.4f}",
        f"live graph: slider to redrawn   median {live:6.1f} ms  "
        f"(target < {MAX_LIVE_MS:.0f} ms: {live_met})",
        f"next page's first result        median "
        f"{next_ms:6.1f} ms  (by its link; target < "
        f"{MAX_NEXT_PAGE_MS:.0f} ms: {verdict(next_ms < MAX_NEXT_PAGE_MS)})",
        f"  the same page opened afresh   median "
        f"{median('second_page_ms') / 1000:6.2f} s   (files from the browser's cache)",
        f"first Check, chapter 8's relu   median "
        f"{median('first_check_ms') / 1000:6.2f} s   (Python and the blocks above it)",
        f"Check again on the warm page    median {check:6.1f} ms  "
        f"(target < {MAX_CHECK_MS:.0f} ms: {check_met})",
        f"bytes of the page before a Run  {median('page_bytes') / 1e6:6.2f} MB",
        f"bytes the first Run adds        {median('first_run_bytes') / 1e6:6.2f} MB",
        f"bytes of the whole site         {site_bytes / 1e6:6.2f} MB",
        f"the editor, gzip-compressed     {editor_kb:6.1f} KB  (target < "
        f"{MAX_EDITOR_KB:.0f} KB: {verdict(editor_kb < MAX_EDITOR_KB)})",
    ]

    def played(key: str) -> float:
        return statistics.median(run[key] for run in plays)

    longest = max(run["longest_task_ms"] for run in plays)
    lines += [
        f"playground: first step          median {played('first_step_s'):6.2f} s",
        f"  browser CPU for it            median {played('first_step_cpu_s'):6.2f} s   "
        f"(target < {MAX_PLAYGROUND_FIRST_CPU:.0f} s: "
        f"{verdict(played('first_step_cpu_s') < MAX_PLAYGROUND_FIRST_CPU)})",
        f"  training steps per second     median {played('steps_per_s'):6.1f}     "
        f"(target >= {MIN_STEPS_PER_S:.0f}: "
        f"{verdict(played('steps_per_s') >= MIN_STEPS_PER_S)})",
        f"  browser CPU per step          median {played('cpu_ms_per_step'):6.1f} ms",
        f"  boundaries drawn per second   median {played('boundaries_per_s'):6.1f}     "
        f"(target >= {MIN_BOUNDARIES_PER_S:.0f}: "
        f"{verdict(played('boundaries_per_s') >= MIN_BOUNDARIES_PER_S)})",
        f"  longest main-thread task      max    {longest:6.1f} ms  "
        f"(target <= {MAX_TASK_MS:.0f} ms: {verdict(longest <= MAX_TASK_MS)})",
    ]
    print("\n".join(lines))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        figures = {
            "header": lines[0],
            "lines": lines,
            "medians": {key: median(key) for key in runs[0]},
            "site_bytes": site_bytes,
            "editor_gzip_kb": editor_kb,
            "runs": runs,
            "playground": {"medians": {key: played(key) for key in plays[0]},
                           "runs": plays},
            "targets": {"first_cpu_s": MAX_FIRST_CPU, "rerun_ms": MAX_RERUN_MS,
                        "live_ms": MAX_LIVE_MS,
                        "check_ms": MAX_CHECK_MS,
                        "next_page_ms": MAX_NEXT_PAGE_MS,
                        "editor_gzip_kb": MAX_EDITOR_KB,
                        "playground_first_cpu_s": MAX_PLAYGROUND_FIRST_CPU,
                        "steps_per_s": MIN_STEPS_PER_S,
                        "boundaries_per_s": MIN_BOUNDARIES_PER_S,
                        "task_ms": MAX_TASK_MS},
            "measured": measured,
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
