"""Tooling that turns the chapters under docs/ into tests and into the site.

Nothing in `micrograd` imports this package; it imports `micrograd`.
"""
