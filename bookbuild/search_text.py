"""The search index holds the text a reader sees, not LaTeX source.

Material's search indexes a page's HTML before KaTeX typesets it in the
browser, so a formula would be found, and shown in the results, as
``\\frac{\\partial L}{\\partial a}``. After the build, every formula in the
index is rewritten as plain text close to what the page shows
(``∂L/∂a``): symbols become their characters, fractions a slash,
superscripts and subscripts stay attached, and markup disappears.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

#: Commands that stand for one character.
SYMBOLS = {
    "partial": "∂", "times": "×", "cdot": "·", "approx": "≈", "neq": "≠",
    "ne": "≠", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "to": "→",
    "rightarrow": "→", "leftarrow": "←", "infty": "∞", "pm": "±", "sum": "∑",
    "prod": "∏", "int": "∫", "sqrt": "√", "in": "∈", "ldots": "…", "dots": "…",
    "cdots": "⋯", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ",
    "Delta": "Δ", "epsilon": "ε", "varepsilon": "ε", "eta": "η", "theta": "θ",
    "lambda": "λ", "mu": "μ", "pi": "π", "sigma": "σ", "Sigma": "Σ", "tau": "τ",
    "phi": "φ", "varphi": "φ", "omega": "ω", "nabla": "∇", "mid": "|",
    "quad": " ", "qquad": " ", "lvert": "|", "rvert": "|", "vert": "|",
}
#: Function names KaTeX sets upright: shown as the word.
WORDS = {"tanh", "exp", "ln", "log", "max", "min", "sin", "cos", "sigmoid", "lim"}
#: Commands with no text of their own.
DROPPED = {"left", "right", "big", "Big", "bigg", "Bigg", "displaystyle",
           "limits", "nolimits"}

_FORMULA = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
# The notebooks' Markdown keeps its dollars (KaTeX finds them in the page).
# A single dollar pair counts only if it holds TeX, so prices stay prices.
_DOLLARS = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.DOTALL)
_TEX_INSIDE = re.compile(r"[\\^_{}]|^\s*[\w.]+\s*$")
_GROUP = r"\{((?:[^{}]|\{[^{}]*\})*)\}"
_FRAC = re.compile(r"\\[dt]?frac\s*" + _GROUP + r"\s*" + _GROUP)
_WRAPPERS = re.compile(
    r"\\(?:text|mathrm|mathit|mathbf|operatorname|boldsymbol|mathcal|hat|bar|"
    r"vec|tilde|overline)\s*" + _GROUP
)
_COMMAND = re.compile(r"\\([A-Za-z]+)[ \t]*")
_SPACING = re.compile(r"\\[,;:! ]")


def plain(tex: str) -> str:
    """A formula as text close to what the page shows."""
    text = tex
    for _ in range(4):  # nested fractions and wrappers, innermost first
        text = _FRAC.sub(
            lambda m: f"{_part(plain(m[1]))}/{_part(plain(m[2]))}", text
        )
        text = _WRAPPERS.sub(lambda m: m[1], text)
    text = _SPACING.sub(" ", text)
    text = text.replace("\\\\", " ").replace("\\{", "{").replace("\\}", "}")

    def command(match: re.Match[str]) -> str:
        name = match[1]
        if name in SYMBOLS:
            symbol = SYMBOLS[name]
            # A letter binds to what follows (∂L); an operator keeps its space.
            spaced = match[0].endswith((" ", "\t")) and not symbol.isalpha()
            return symbol + " " if spaced and symbol != "∂" else symbol
        if name in WORDS:
            return name + " " if match[0].endswith((" ", "\t")) else name
        if name in DROPPED:
            return ""
        return name

    text = _COMMAND.sub(command, text)
    text = re.sub(r"\^\{([^{}]*)\}", lambda m: "^" + _script(m[1]), text)
    text = re.sub(r"_\{([^{}]*)\}", lambda m: "_" + _script(m[1]), text)
    text = text.replace("{", "").replace("}", "").replace("&", " ")
    return re.sub(r"\s+", " ", text).strip()


def _part(text: str) -> str:
    """A numerator or denominator: bracketed if it holds an operation."""
    text = text.strip()
    return f"({text})" if re.search(r"[\s+\-=]", text) else text


def _script(text: str) -> str:
    """A superscript or subscript: bracketed unless one symbol or a number."""
    text = text.strip()
    return text if len(text) <= 1 or text.isdigit() else f"({text})"


def plain_text(text: str) -> str:
    """`text` with every ``\\(...\\)``, ``\\[...\\]`` and ``$$...$$``
    formula, and every ``$...$`` that holds TeX, made plain."""
    text = _FORMULA.sub(lambda m: plain(m[1] if m[1] is not None else m[2]), text)

    def dollars(match: re.Match[str]) -> str:
        if match[1] is not None:
            return plain(match[1])
        return plain(match[2]) if _TEX_INSIDE.search(match[2]) else match[0]

    return _DOLLARS.sub(dollars, text)


def clean_index(site_dir: Path) -> int:
    """Rewrite the formulas in the site's search index; how many changed."""
    path = Path(site_dir) / "search" / "search_index.json"
    if not path.exists():
        return 0
    index = json.loads(path.read_text(encoding="utf-8"))
    changed = 0
    for document in index.get("docs", []):
        for key in ("text", "title"):
            before = document.get(key)
            if isinstance(before, str) and any(
                mark in before for mark in ("\\(", "\\[", "$")
            ):
                document[key] = plain_text(before)
                changed += document[key] != before
    path.write_text(
        json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    return changed
