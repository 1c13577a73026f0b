"""The lock decides every version: it covers pyproject.toml, and the
environment the tests run in is exactly what it pins."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "lock" / "requirements.txt"
TORCH_LOCK = ROOT / "lock" / "torch.txt"
PROJECT = "micrograd-book"


def pins(lock: Path) -> dict[str, Requirement]:
    """Each `name==version ; marker` line of a lock, by canonical name.

    A package may be pinned twice under exclusive markers (one version per
    Python); only the pin whose marker holds here is kept.
    """
    found: dict[str, Requirement] = {}
    for line in lock.read_text().splitlines():
        if not line or line[0] in "# -" or line.startswith(" "):
            continue
        requirement = Requirement(line.rstrip(" \\"))
        if requirement.marker is None or requirement.marker.evaluate():
            found[canonicalize_name(requirement.name)] = requirement
    return found


def pinned_version(requirement: Requirement) -> str:
    (specifier,) = requirement.specifier
    assert specifier.operator == "==", f"{requirement} is not an exact pin"
    return specifier.version


def declared() -> list[Requirement]:
    """Everything pyproject.toml asks for, in every extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        lines.extend(extra)
    return [r for r in map(Requirement, lines) if canonicalize_name(r.name) != PROJECT]


def test_every_declared_dependency_is_locked_within_its_range() -> None:
    locked = pins(LOCK)
    problems = []
    for requirement in declared():
        pin = locked.get(canonicalize_name(requirement.name))
        if pin is None:
            problems.append(f"{requirement.name} is not in the lock")
        elif not requirement.specifier.contains(pinned_version(pin), prereleases=True):
            problems.append(f"{pin} is outside {requirement}")
    assert not problems, "run `make lock`: " + "; ".join(problems)


def test_the_build_tools_are_locked_too() -> None:
    locked = pins(LOCK)
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]
    for line in build["requires"]:
        requirement = Requirement(line)
        pin = locked[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(pinned_version(pin)), pin
    assert "pip" in locked


def test_every_pin_carries_hashes() -> None:
    for lock in (LOCK, TORCH_LOCK):
        entries = re.split(r"\n(?=\S)", lock.read_text())
        for entry in entries:
            if entry.startswith("#") or not entry.strip():
                continue
            assert "--hash=sha256:" in entry, f"{lock.name}: no hash for {entry}"


def installed() -> dict[str, str]:
    return {
        canonicalize_name(d.metadata["Name"]): d.version
        for d in metadata.distributions()
    }


def test_the_environment_is_exactly_the_lock() -> None:
    """What runs the tests is what the lock pins: no more, no less.

    PyTorch and what only it needs come from lock/torch.txt (`make torch`).
    """
    have = installed()
    have.pop(canonicalize_name(PROJECT), None)
    want = {name: pinned_version(r) for name, r in pins(LOCK).items()}
    if "torch" in have:
        want |= {name: pinned_version(r) for name, r in pins(TORCH_LOCK).items()}
    missing = sorted(set(want) - set(have))
    extra = sorted(f"{n} {have[n]}" for n in set(have) - set(want))
    wrong = sorted(
        f"{n} {have[n]} (lock: {want[n]})"
        for n in set(have) & set(want)
        if have[n] != want[n]
    )
    assert (missing, extra, wrong) == ([], [], []), (
        "the environment differs from the lock; `make` rebuilds it when the "
        f"lock changes. Missing: {missing}; not locked: {extra}; other "
        f"version: {wrong}"
    )


def test_torch_is_locked_at_the_version_ci_installs() -> None:
    torch = pins(TORCH_LOCK)["torch"]
    assert pinned_version(torch).split("+")[0] == "2.13.0"
    main = pins(LOCK)
    for name, requirement in pins(TORCH_LOCK).items():
        if name in main:
            assert pinned_version(main[name]) == pinned_version(requirement), name


@pytest.mark.parametrize("lock", [LOCK, TORCH_LOCK], ids=lambda p: p.name)
def test_the_lock_says_how_to_update_it(lock: Path) -> None:
    assert "make lock" in lock.read_text().splitlines()[1]
