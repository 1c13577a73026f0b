"""KaTeX is fetched once, checked against its pinned integrity, and a fetch
that cannot work says why within seconds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bookbuild import katex


def test_an_unreachable_registry_fails_fast_with_npms_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing listens on port 9 of this machine; npm's own cache is empty.
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))
    start = time.monotonic()
    with pytest.raises(katex.FetchError) as error:
        katex.archive(tmp_path / "katex")
    assert time.monotonic() - start < 30
    message = str(error.value)
    assert "could not fetch katex" in message
    assert "ECONNREFUSED" in message, message
    assert not (tmp_path / "katex" / f"katex-{katex.VERSION}.tgz").exists()


def test_a_cached_archive_that_is_not_katex_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / f"katex-{katex.VERSION}.tgz"
    fake.write_bytes(b"not the package")
    with pytest.raises(katex.FetchError, match="is not katex 0.16.47: its integrity"):
        katex.archive(tmp_path)

