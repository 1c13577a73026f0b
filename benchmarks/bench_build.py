"""How much running the book costs the site build.

Times `mkdocs build --strict` as it really runs (every example executed,
every graph and plot rendered, the notebooks executed) against the same build
with execution switched off (`BOOK_EXECUTE=false`), alternating the two so
both see the same machine, and prints the ratio of the medians.

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
MAX_RATIO = 2.0
MAX_SECONDS = 30.0


def build_seconds(execute: bool, site_dir: Path) -> float:
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "BOOK_EXECUTE": "true" if execute else "false",
    }
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        str(site_dir),
    ]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(
            f"build failed (execute={execute}):\n{result.stdout}\n{result.stderr}"
        )
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeats", type=int, default=3, help="builds of each kind (default 3)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")

    full: list[float] = []
    plain: list[float] = []
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        # One warm-up build of each kind, so both kinds find caches equally warm.
        build_seconds(True, site)
        build_seconds(False, site)
        for _ in range(args.repeats):
            full.append(build_seconds(True, site))
            plain.append(build_seconds(False, site))

    full_median, plain_median = statistics.median(full), statistics.median(plain)
    ratio = full_median / plain_median
    print(
        f"full build  (examples run, graphs drawn, notebooks executed): "
        f"median {full_median:6.2f} s  over {args.repeats}: "
        + ", ".join(f"{t:.2f}" for t in full)
    )
    print(
        f"plain build (BOOK_EXECUTE=false):                              "
        f"median {plain_median:6.2f} s  over {args.repeats}: "
        + ", ".join(f"{t:.2f}" for t in plain)
    )
    print(
        f"ratio full/plain: {ratio:.2f}  (target <= {MAX_RATIO:.0f}: "
        f"{'met' if ratio <= MAX_RATIO else 'NOT met'})"
    )
    print(
        f"full build: {full_median:.2f} s  (target < {MAX_SECONDS:.0f} s: "
        f"{'met' if full_median < MAX_SECONDS else 'NOT met'})"
    )
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "full_seconds": full,
                    "plain_seconds": plain,
                    "full_median": full_median,
                    "plain_median": plain_median,
                    "ratio": ratio,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
