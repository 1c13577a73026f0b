"""Every test file is one pytest collects.

pytest does not look inside folders whose names match `norecursedirs`
(`build` among its defaults), so a test folder with such a name would
silently never run."""

from __future__ import annotations

from fnmatch import fnmatch

import pytest
from support import ROOT


def test_no_test_folder_is_one_pytest_skips(pytestconfig: pytest.Config) -> None:
    skipped = pytestconfig.getini("norecursedirs")
    tests = ROOT / "tests"
    files = sorted(tests.rglob("test_*.py"))
    assert len(files) > 40
    for path in files:
        for folder in path.relative_to(tests).parts[:-1]:
            assert not any(fnmatch(folder, pattern) for pattern in skipped), (
                f"{path.relative_to(ROOT)} is in a folder pytest does not collect"
            )
