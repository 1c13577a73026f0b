"""Chapters 9 to 12 and their appendix: exercises, length, one home per topic.

The chapters' own code runs as doctests under pytest; these tests check what
a doctest cannot see: how a page is put together.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bookbuild import content

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "docs" / "chapters"
LATER = ["09-pytorch", "10-neural-net", "11-training", "12-complete-library"]
APPENDIX = CHAPTERS / "fast-library.md"


@pytest.mark.parametrize("stem", LATER)
def test_each_chapter_ends_with_three_checked_exercises(stem: str) -> None:
    chapter = content.read(CHAPTERS / f"{stem}.md")
    count = len(chapter.exercises)
    assert count >= 3, f"{stem} has {count} exercises"
    for exercise in chapter.exercises:
        name = exercise.name
        assert exercise.checks.strip(), f"{stem}: exercise {name} checks nothing"
        assert exercise.mistakes, f"{stem}: exercise {name} has no mistake"
        assert exercise.solution is not None, f"{stem}: {name} has no solution"
    exercises_heading = chapter.text.index("## Exercises")
    first = chapter.text.index(f"<!-- exercise: {chapter.exercises[0].name} -->")
    assert first > exercises_heading, f"{stem}: an exercise comes before its section"


@pytest.mark.parametrize("stem", ["11-training", "12-complete-library"])
def test_the_training_and_library_chapters_stay_short(stem: str) -> None:
    lines = (CHAPTERS / f"{stem}.md").read_text(encoding="utf-8").count("\n")
    assert lines < 500, (
        f"{stem} has {lines} lines; what is not its idea belongs elsewhere")


def test_what_makes_the_library_fast_has_one_home() -> None:
    """The speed material lives on the appendix, which the chapter and the
    Performance page link to, and the site's navigation lists."""
    chapter = (CHAPTERS / "12-complete-library.md").read_text(encoding="utf-8")
    appendix = APPENDIX.read_text(encoding="utf-8")
    for topic in ("__slots__", "no_cycle_collection()", "gc.collect()", "filterfalse"):
        assert topic in appendix, f"the appendix lacks {topic}"
        assert topic not in chapter, f"chapter 12 still explains {topic}"
    assert "(fast-library.md)" in chapter
    performance = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    assert "(chapters/fast-library.md)" in performance

    class Loader(yaml.SafeLoader):
        pass

    # mkdocs.yml reads an environment variable with a tag of its own.
    Loader.add_constructor("!ENV", lambda loader, node: None)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = yaml.load(config, Loader=Loader)["nav"]
    assert "chapters/fast-library.md" in str(nav)
