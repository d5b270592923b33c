"""Charts as inline SVG, drawn here so that pages and PDFs need no script and nothing from the
network: a line chart of shares per period (compliance, satisfaction) with an optional
objective line and a marker for the period something changed (an improvement plan's start).

The markup is built from numbers and escaped text only, so it is safe to put in a page as is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

COLOURS = ("#0b5cad", "#c25e00", "#1b6e20", "#8e24aa", "#b3261e", "#00838f")
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 36, 28, 40


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per label; None: nothing to show for that period


def _floor(values: list[float]) -> float:
    """The bottom of the scale: a tenth below the lowest value, never above 0.9."""
    lowest = min(values, default=1.0)
    return max(0.0, min(0.9, math.floor((lowest - 0.05) * 10) / 10))


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    share: Callable[[float], str],
    objective: float | None = None,
    objective_label: str = "",
    marker: str | None = None,
    marker_label: str = "",
) -> str:
    """Shares (0–1) per period as lines; ``marker`` names the label where a dashed vertical
    line is drawn, ``objective`` a dashed horizontal one."""
    known = [v for s in series for v in s.values if v is not None]
    bottom = _floor(known + ([objective] if objective is not None else []))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(1, len(labels) - 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(labels) > 1 else inner_w / 2)

    def y(v: float) -> float:
        return TOP + inner_h * (1 - (v - bottom) / (1 - bottom or 1))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="16" font-size="13" font-weight="600">{escape(title)}</text>',
    ]
    for tick in (bottom, (bottom + 1) / 2, 1.0):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#d9dee7"/>'
            f'<text x="{LEFT - 4}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end">'
            f"{escape(share(tick))}</text>"
        )
    every = max(1, math.ceil(len(labels) / 12))
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="10" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    if objective is not None:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(objective):.1f}" '
            f'y2="{y(objective):.1f}" stroke="#b3261e" stroke-dasharray="5 4" class="objective"/>'
            f'<text x="{WIDTH - RIGHT}" y="{y(objective) + 12:.1f}" font-size="10" '
            f'text-anchor="end" fill="#b3261e">{escape(objective_label)}</text>'
        )
    if marker is not None and marker in labels:
        mx = x(list(labels).index(marker))
        parts.append(
            f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" '
            'stroke="#5b6575" stroke-dasharray="3 3" class="marker"/>'
            f'<text x="{mx + 4:.1f}" y="{TOP + 10}" font-size="10" fill="#5b6575">'
            f"{escape(marker_label)}</text>"
        )
    for n, s in enumerate(series):
        parts.extend(_line(s, COLOURS[n % len(COLOURS)], x, y, share))
        parts.append(
            f'<text x="{LEFT + 150 * n}" y="{HEIGHT - 6}" font-size="11" '
            f'fill="{COLOURS[n % len(COLOURS)]}">■ {escape(s.name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _line(
    s: Series,
    colour: str,
    x: Callable[[int], float],
    y: Callable[[float], float],
    share: Callable[[float], str],
) -> list[str]:
    """The series as polylines broken where a value is missing, with a dot per value."""
    out, run = [], []
    for i, v in enumerate([*s.values, None]):
        if v is not None:
            run.append(f"{x(i):.1f},{y(v):.1f}")
            out.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(s.name)}: {escape(share(v))}</title></circle>"
            )
        elif run:
            out.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                'stroke-width="2"/>'
            )
            run = []
    return out


def bar_chart(
    labels: Sequence[str],
    values: Sequence[int],
    *,
    title: str,
    colour: str = COLOURS[0],
) -> str:
    """Counts per category as bars, each with its count written above it."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max([*values, 1]) * 1.15  # room for the count above the highest bar
    slot = inner_w / max(1, len(labels))
    width = min(48.0, slot * 0.7)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="16" font-size="13" font-weight="600">{escape(title)}</text>',
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + inner_h}" y2="{TOP + inner_h}" '
        'stroke="#5b6575"/>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = inner_h * value / top
        x = LEFT + slot * i + (slot - width) / 2
        y = TOP + inner_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" '
            f'fill="{colour}" class="bar"><title>{escape(label)}: {value}</title></rect>'
            f'<text x="{x + width / 2:.1f}" y="{y - 4:.1f}" font-size="10" '
            f'text-anchor="middle">{value}</text>'
            f'<text x="{x + width / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="10" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
