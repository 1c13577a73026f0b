"""pytest collects every chapter under docs/ through the book's one parser."""

from bookbuild.chapters import SYBIL

pytest_collect_file = SYBIL.pytest()
