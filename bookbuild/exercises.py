"""How pytest and the build check an exercise (CONTRIBUTING.md, "Exercises").

An exercise is checked where its ``<!-- check: NAME -->`` comment stands, in
a copy of the chapter's namespace as it stood at the exercise's starter: its
solution must pass the checks, its starter must fail them, and each typical
mistake must fail them with its ``says:`` text in the message. The reader's
page runs the same checks on the reader's code with the same function,
`bookbuild.blockrun.check_exercise`.
"""

from __future__ import annotations

import unittest
from typing import Any

from sybil import Document, Example

from bookbuild import blockrun, content

#: Attribute of a Sybil document holding the namespace as it stood at each
#: exercise's starter.
_NAMESPACES = "book_exercise_namespaces"


class ExerciseError(AssertionError):
    """An exercise whose checks do not tell right from wrong."""


def _namespaces(document: Document) -> dict[str, dict[str, Any]]:
    found = getattr(document, _NAMESPACES, None)
    if found is None:
        found = {}
        setattr(document, _NAMESPACES, found)
    return found


def keep_namespace(example: Example) -> None:
    """The evaluator of a starter block: it does not run; the namespace as
    it stands is kept for the exercise's checks."""
    exercise: content.Exercise = example.parsed
    _namespaces(example.document)[exercise.name] = dict(example.namespace)


def check_at_its_comment(example: Example) -> None:
    """The evaluator of a ``<!-- check: -->`` comment."""
    __tracebackhide__ = True
    exercise: content.Exercise = example.parsed
    namespace = _namespaces(example.document).get(exercise.name)
    if namespace is None:
        raise unittest.SkipTest(
            f"the starter of exercise {exercise.name!r} was skipped"
        )
    problems = problems_with(exercise, namespace)
    if problems:
        raise ExerciseError(
            f"exercise {exercise.name!r} (checks at {example.path}:"
            f"{exercise.checks_line}):\n" + "\n".join(f"  {p}" for p in problems)
        )


def problems_with(exercise: content.Exercise, namespace: dict[str, Any]) -> list[str]:
    """What is wrong with an exercise's checks, [] when they tell its
    solution from its starter and from every mistake."""
    problems = []
    if exercise.solution is None:
        problems.append("it has no <!-- solution: NAME --> block")
    else:
        verdict = blockrun.check_exercise(
            exercise.solution.code, exercise.checks, namespace
        )
        if not verdict.passed:
            problems.append(
                f"the solution (line {exercise.solution.line}) fails the checks: "
                f"{verdict.message}"
            )
    verdict = blockrun.check_exercise(
        exercise.starter.source, exercise.checks, namespace
    )
    if verdict.passed:
        problems.append(
            f"the starter (line {exercise.starter.line}) passes the checks: a check "
            "that passes before the reader writes anything cannot fail"
        )
    for mistake in exercise.mistakes:
        verdict = blockrun.check_exercise(mistake.code, exercise.checks, namespace)
        if verdict.passed:
            problems.append(f"the mistake at line {mistake.line} passes the checks")
        elif mistake.says not in verdict.message:
            problems.append(
                f"the mistake at line {mistake.line} fails with {verdict.message!r}, "
                f"which does not say {mistake.says!r}"
            )
    return problems
