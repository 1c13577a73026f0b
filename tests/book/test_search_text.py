"""The search index holds what a reader sees of a formula, not its LaTeX."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bookbuild import search_text


@pytest.mark.parametrize(
    ("tex", "shown"),
    [
        (r"\frac{\partial L}{\partial a}", "∂L/∂a"),
        (r"\frac{d}{dx} x^k = k\,x^{k-1}", "d/dx x^k = k x^(k-1)"),
        (r"1.8 \times 10^{308}", "1.8 × 10^308"),
        (
            r"\tanh(n) = \frac{e^{2n} - 1}{e^{2n} + 1}",
            "tanh(n) = (e^(2n) - 1)/(e^(2n) + 1)",
        ),
        (r"\text{loss} = \sum_i (y_i - p_i)^2", "loss = ∑_i (y_i - p_i)^2"),
        (r"\sigma(1 - \sigma)", "σ(1 - σ)"),
    ],
)
def test_a_formula_reads_as_the_page_shows_it(tex: str, shown: str) -> None:
    assert search_text.plain(tex) == shown


def test_only_the_formulas_of_a_text_change() -> None:
    text = r"<p>The slope \(\frac{dy}{dx}\) of \(y\), and a \ backslash.</p>"
    expected = r"<p>The slope dy/dx of y, and a \ backslash.</p>"
    assert search_text.plain_text(text) == expected


def test_the_index_of_a_site_is_rewritten(tmp_path: Path) -> None:
    index = tmp_path / "search" / "search_index.json"
    index.parent.mkdir()
    docs = [{"location": "", "title": "T", "text": r"see \[ a \times b \]"}]
    index.write_text(json.dumps({"config": {}, "docs": docs}), encoding="utf-8")
    assert search_text.clean_index(tmp_path) == 1
    (document,) = json.loads(index.read_text(encoding="utf-8"))["docs"]
    assert document["text"] == "see a × b"


def test_a_notebooks_dollar_formulas_read_as_text_and_prices_stay() -> None:
    text = r"$$ \eta_k = 0.9 \, \frac{k}{100} $$ from $1.0$, for $5 or $6, at $x_i$"
    expected = "η_k = 0.9 k/100 from 1.0, for $5 or $6, at x_i"
    assert search_text.plain_text(text) == expected
