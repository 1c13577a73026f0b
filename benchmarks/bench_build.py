"""How much running the book costs the site build.

Times `mkdocs build --strict` as it really runs (every example executed,
every graph and plot rendered, the notebooks executed) against the same build
with execution switched off (`BOOK_EXECUTE=false`), alternating the two so
both see the same machine, and prints the ratio of the medians.

Executed notebooks are cached by content (see bookbuild/hooks.py), so a
full build is timed twice: as it usually runs, with the cache filled by an
earlier build, and from an empty cache, when the notebooks execute too.

Goal: the full build costs at most twice the plain build, and under 30 s.

    python benchmarks/bench_build.py [--repeats N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bookbuild import pyodide_assets  # noqa: E402

MAX_RATIO = 2.0
MAX_SECONDS = 30.0


def build_seconds(execute: bool, site_dir: Path, cache: Path | None = None) -> float:
    """Wall time of one strict build; `cache` replaces the notebook cache."""
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "BOOK_EXECUTE": "true" if execute else "false",
    }
    if cache is not None:
        env["BOOK_NOTEBOOK_CACHE"] = str(cache)
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    command += ["--site-dir", str(site_dir)]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(
            f"build failed (execute={execute}):\n{result.stdout}\n{result.stderr}"
        )
    return elapsed


def site_sizes(site: Path) -> dict[str, int]:
    """Bytes of the whole site, of a page's first Run, of its first graph."""
    return {
        "site": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()),
        "first_run": sum(
            p.stat().st_size for p in pyodide_assets.first_run_files(site)
        ),
        "drawing": sum(p.stat().st_size for p in pyodide_assets.drawing_files(site)),
    }


def _line(name: str, times: list[float]) -> str:
    runs = ", ".join(f"{t:.2f}" for t in times)
    return f"{name:<58} median {statistics.median(times):6.2f} s   runs: {runs}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeats", type=int, default=3, help="builds of each kind (default 3)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")

    times: dict[str, list[float]] = {"full": [], "cold": [], "plain": []}
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        # A warm-up build of each kind, so every kind finds its caches as warm
        # as it ever will.
        build_seconds(True, site)
        build_seconds(False, site)
        for repeat in range(args.repeats):
            times["full"].append(build_seconds(True, site))
            empty = Path(scratch) / f"empty-cache-{repeat}"
            times["cold"].append(build_seconds(True, site, cache=empty))
            times["plain"].append(build_seconds(False, site))
        sizes = site_sizes(site)

    full, cold, plain = (statistics.median(times[k]) for k in ("full", "cold", "plain"))
    print(_line("full build (examples run, graphs drawn)", times["full"]))
    print(_line("full build, empty notebook cache (notebooks run too)", times["cold"]))
    print(_line("plain build (BOOK_EXECUTE=false)", times["plain"]))
    print(
        f"ratio full/plain: {full / plain:.2f}  (target <= {MAX_RATIO:.0f}: "
        f"{_verdict(full / plain <= MAX_RATIO)}); "
        f"with an empty notebook cache: {cold / plain:.2f}"
    )
    print(
        f"full build: {full:.2f} s, with an empty notebook cache {cold:.2f} s  "
        f"(target < {MAX_SECONDS:.0f} s: {_verdict(max(full, cold) < MAX_SECONDS)})"
    )
    print(
        f"site: {sizes['site'] / 1e6:.2f} MB in all; a first Run in a page loads "
        f"{sizes['first_run'] / 1e6:.2f} MB, a first graph "
        f"{sizes['drawing'] / 1e6:.2f} MB more"
    )
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if args.json:
        figures = {
            "seconds": times,
            "medians": {"full": full, "cold": cold, "plain": plain},
            "ratio": full / plain,
            "ratio_cold": cold / plain,
            "bytes": sizes,
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
