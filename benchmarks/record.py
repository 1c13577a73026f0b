"""Keep a benchmark run as the one the Performance page shows, stamped with
what it measured.

Each benchmark writes, beside its figures, a ``measured`` stamp (`stamp`):
the commit it ran on and a content hash of the code it measures
(`MEASURED`), taken when it starts.

    python benchmarks/record.py [FROM] [TO]

copies each results file of `make bench` (FROM, build/bench/ by default)
into TO (benchmarks/results/), refusing one whose code has changed since it
was measured. The tests (tests/builds/test_performance_page.py) compare the
stamps with the code as it is: a page that quotes a run of code that has
changed since fails them, naming the file and what to run again.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The code each results file measures: files, or folders of *.py and *.js.
MEASURED: dict[str, tuple[str, ...]] = {
    "engine.json": (
        "micrograd/engine.py",
        "micrograd/nn.py",
        "micrograd/versions/v8.py",
        "benchmarks/bench_engine.py",
    ),
    "readability.json": ("micrograd/engine.py", "benchmarks/bench_readability.py"),
    "build.json": ("bookbuild", "micrograd", "benchmarks/bench_build.py"),
    "browser.json": (
        "docs/javascripts",
        "bookbuild/page_runner.py",
        "bookbuild/blockrun.py",
        "bookbuild/pyodide_assets.py",
        "micrograd",
        "benchmarks/bench_browser.py",
    ),
}


def measured_files(name: str) -> list[Path]:
    """The files whose content the results file `name` depends on."""
    found: list[Path] = []
    for entry in MEASURED[name]:
        path = ROOT / entry
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.suffix in {".py", ".js"} and p.is_file()
            )
        elif path.exists():
            found.append(path)
    return found


def code_hash(name: str) -> str:
    """A hash of the content of what `name` measures, by relative path."""
    digest = hashlib.sha256()
    for path in measured_files(name):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def commit() -> str:
    """The commit checked out, with "+changes" when the tree differs."""

    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short=12", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain") else "")


def stamp(name: str) -> dict[str, str]:
    """What the benchmark writing `name` measures: the commit and the hash of
    its code, taken before it starts."""
    if name not in MEASURED:
        raise KeyError(f"no results file {name!r}; known: {', '.join(MEASURED)}")
    return {"commit": commit(), "code": code_hash(name)}


def record(source: Path, target: Path) -> list[str]:
    """Copy every known results file found in `source` whose stamp matches
    the code as it is now."""
    found = []
    for name in MEASURED:
        path = source / name
        if not path.exists():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a JSON object of figures")
        measured = data.get("measured")
        if not isinstance(measured, dict) or "code" not in measured:
            raise ValueError(f"{path} has no stamp of what it measured: run it again")
        if measured["code"] != code_hash(name):
            raise ValueError(
                f"{path} measured the code of {measured.get('commit')}, and "
                f"{', '.join(MEASURED[name])} changed since: run it again"
            )
        found.append((name, data))
    target.mkdir(parents=True, exist_ok=True)
    for name, data in found:
        (target / name).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return [name for name, _ in found]


def main(arguments: list[str]) -> int:
    source = Path(arguments[0]) if arguments else ROOT / "build" / "bench"
    target = (
        Path(arguments[1]) if len(arguments) > 1 else ROOT / "benchmarks" / "results"
    )
    try:
        kept = record(source, target)
    except ValueError as problem:
        print(problem, file=sys.stderr)
        return 1
    if not kept:
        print(f"no results files in {source}; run `make bench` first", file=sys.stderr)
        return 1
    print(f"recorded {', '.join(kept)} in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
