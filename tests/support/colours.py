"""WCAG contrast arithmetic on the colours a browser computes."""

from __future__ import annotations

import re

RGBA = tuple[float, float, float, float]

_COLOUR = re.compile(
    r"^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$"
)


def parse_colour(text: str) -> RGBA | None:
    """A computed CSS colour as (r, g, b, alpha); None for no paint at all."""
    text = text.strip()
    if text in {"none", "transparent", ""}:
        return None
    match = _COLOUR.match(text)
    if match is None:
        raise ValueError(f"unexpected computed colour {text!r}")
    r, g, b = (float(match[i]) for i in (1, 2, 3))
    alpha_text = match[4]
    if alpha_text is None:
        alpha = 1.0
    elif alpha_text.endswith("%"):
        alpha = float(alpha_text[:-1]) / 100
    else:
        alpha = float(alpha_text)
    if alpha == 0:
        return None
    return (r, g, b, alpha)


def over(
    top: RGBA | None, below: tuple[float, float, float]
) -> tuple[float, float, float]:
    """`top` painted over the opaque colour `below`."""
    if top is None:
        return below
    r, g, b, alpha = top
    return tuple(
        alpha * c + (1 - alpha) * d for c, d in zip((r, g, b), below, strict=True)
    )


def flatten(layers: list[str]) -> tuple[float, float, float]:
    """Colours painted bottom first over a white canvas, as one opaque colour."""
    colour: tuple[float, float, float] = (255.0, 255.0, 255.0)
    for layer in layers:
        colour = over(parse_colour(layer), colour)
    return colour


def luminance(colour: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour with 0..255 channels."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(
    first: tuple[float, float, float], second: tuple[float, float, float]
) -> float:
    """WCAG 2 contrast ratio, from 1 (none) to 21 (black on white)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
