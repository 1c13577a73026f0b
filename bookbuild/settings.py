"""The book's build settings, read from the environment in this one place.

pytest and `mkdocs build` both read them here, so a chapter that passes
under one passes under the other with the same limits.

``BOOK_EXECUTE``
    ``0``/``false``/``no``/``off`` builds the site without running any
    example or notebook (the baseline of the build benchmark).
``BOOK_BLOCK_TIMEOUT``
    Seconds one example (a script block, or one ``>>>`` statement) may run
    before it fails, naming its page and line. Default 30 (the slowest
    example, importing PyTorch or matplotlib, takes about 8 s on a loaded
    2-core machine).
``BOOK_OUTPUT_LIMIT``
    Characters one example may print (stdout and stderr together) before it
    fails. Default 100000.
``BOOK_NOTEBOOK_CACHE``
    Folder for the cache of executed notebooks, instead of build/notebooks
    (the build benchmark times builds that start from an empty one).
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_BLOCK_TIMEOUT = 30.0
DEFAULT_OUTPUT_LIMIT = 100_000

_OFF = {"0", "false", "no", "off"}
_ON = {"1", "true", "yes", "on"}


def execute() -> bool:
    """Whether the build runs the examples and notebooks."""
    value = os.environ.get("BOOK_EXECUTE", "true").strip().lower()
    if value in _OFF:
        return False
    if value in _ON or value == "":
        return True
    raise ValueError(f"BOOK_EXECUTE must be true or false (1/0, yes/no), not {value!r}")


def block_timeout() -> float:
    """Seconds one example may run."""
    return _positive("BOOK_BLOCK_TIMEOUT", DEFAULT_BLOCK_TIMEOUT, float)


def output_limit() -> int:
    """Characters one example may print."""
    return int(_positive("BOOK_OUTPUT_LIMIT", DEFAULT_OUTPUT_LIMIT, int))


def notebook_cache() -> Path | None:
    """Where executed notebooks are cached, if not in the default place."""
    value = os.environ.get("BOOK_NOTEBOOK_CACHE", "").strip()
    return Path(value) if value else None


def _positive(name: str, default: float, kind: type) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name} must be a positive number, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be a positive number, not {raw!r}")
    return value
