"""The list of versions: one place that names every snapshot."""

import dataclasses
from pathlib import Path

import pytest

import micrograd.versions as versions
from micrograd.versions import VERSIONS, diff, get_version, load, source


def test_eight_versions_in_order() -> None:
    assert [v.number for v in VERSIONS] == list(range(1, 9))
    assert isinstance(VERSIONS, tuple)


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: f"v{v.number}")
def test_each_entry_points_at_its_file_and_module(version: versions.Version) -> None:
    n = version.number
    assert version.module == f"micrograd.versions.v{n}"
    assert version.path.is_absolute() and version.path.is_file()
    assert version.path == Path(versions.__file__).resolve().parent / f"v{n}.py"
    module = load(n)
    assert module.__name__ == version.module
    assert Path(module.__file__).resolve() == version.path
    assert hasattr(module, "Value")
    assert get_version(n) is version


def test_titles_and_summaries_are_short_single_lines() -> None:
    titles = [v.title for v in VERSIONS]
    assert len(set(titles)) == len(titles)
    for v in VERSIONS:
        for text in (v.title, v.summary):
            assert text and text == text.strip() and "\n" not in text
            assert len(text) <= 80, text
    assert VERSIONS[0].title == "A number that knows how it was made? Not yet"
    assert VERSIONS[1].title == "Remembering the graph"


def test_version_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        VERSIONS[0].number = 2  # type: ignore[misc]


@pytest.mark.parametrize("bad", [0, 9, -1, 100])
def test_out_of_range_numbers_say_what_exists(bad: int) -> None:
    expected = f"no snapshot v{bad}: versions are 1 to 8"
    with pytest.raises(LookupError, match=expected):
        get_version(bad)
    with pytest.raises(LookupError, match=expected):
        load(bad)
    with pytest.raises(LookupError, match=expected):
        source(bad)
    with pytest.raises(LookupError):
        diff(1, bad)


@pytest.mark.parametrize("bad", ["x", "5", 5.0, None, True])
def test_non_integers_are_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="version number must be an int, got"):
        get_version(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: f"v{v.number}")
def test_source_is_the_file_exactly(version: versions.Version) -> None:
    assert source(version.number).encode("utf-8") == version.path.read_bytes()


def test_diff_4_5_shows_the_backward_closures_arriving() -> None:
    text = diff(4, 5)
    lines = text.splitlines()
    assert lines[:2] == ["--- v4.py", "+++ v5.py"]
    assert "+        self._backward = lambda: None" in lines
    assert "+        def _backward():" in lines
    assert "+            self.grad = 1.0 * out.grad" in lines
    assert "+            self.grad = (1 - t**2) * out.grad" in lines
    # Nothing v4 had in its code is removed; only the docstring is rewritten.
    removed = [ln for ln in lines[2:] if ln.startswith("-")]
    assert all(not ln.startswith("-    ") for ln in removed), removed


def test_diff_6_7_turns_every_assignment_into_accumulation() -> None:
    lines = diff(6, 7).splitlines()
    for rule in [
        "self.grad {} 1.0 * out.grad",
        "other.grad {} 1.0 * out.grad",
        "self.grad {} other.data * out.grad",
        "other.grad {} self.data * out.grad",
        "self.grad {} (1 - t**2) * out.grad",
    ]:
        assert "-            " + rule.format("=") in lines
        assert "+            " + rule.format("+=") in lines


def apply_patch(old: str, patch: str) -> str:
    """Apply a unified diff to ``old``; enough of patch(1) for these tests."""
    old_lines = old.splitlines(keepends=True)
    new: list[str] = []
    i = 0
    for line in patch.splitlines(keepends=True)[2:]:
        if line.startswith("@@"):
            start = int(line.split()[1].lstrip("-").split(",")[0]) - 1
            new += old_lines[i:start]
            i = start
        elif line.startswith("+"):
            new.append(line[1:])
        else:
            # Context and removed lines must match the old file exactly,
            # line endings included.
            assert line[1:] == old_lines[i], (line, old_lines[i])
            if line.startswith(" "):
                new.append(old_lines[i])
            i += 1
    return "".join(new + old_lines[i:])


@pytest.mark.parametrize("old", range(1, 9))
def test_diff_applied_to_old_gives_new(old: int) -> None:
    for new in range(1, 9):
        assert apply_patch(source(old), diff(old, new)) == source(new), (old, new)


def test_diff_of_a_version_with_itself_is_empty() -> None:
    assert diff(3, 3) == ""
