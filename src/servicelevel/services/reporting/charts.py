"""Charts as inline SVG, drawn here so that pages and PDFs need no script and nothing from the
network: a line chart of shares per period (compliance, availability, satisfaction) with an
optional objective line and a marker for the period something changed (an improvement plan's
start), and a bar chart of counts.

Each series has a colour, a dash pattern and a marker shape of its own (it still reads in
grey); markers of series at the same value are set side by side so none hides another; the
objective is named in the legend, never beside a line it could collide with; a single period is
drawn as bars against the objective, not as lone dots. The pieces a chart is drawn with (the
frame, the axes, the legend, the markers, print sizes) are in
:mod:`servicelevel.services.reporting.drawing`; like them, a chart is built from numbers and
escaped text only, so it is safe to put in a page as is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from servicelevel.services.reporting.drawing import (
    BAR_HEIGHT,
    COLOURS,
    DASHES,
    LEFT,
    RIGHT,
    SHAPES,
    SMALL,
    TOP,
    WIDTH,
    Frame,
    LegendEntry,
    axes,
    bar_mark,
    centred_label,
    chart_height,
    legend,
    objective_legend,
    objective_line,
    scale_floor,
    shape_mark,
    svg_opening,
    text_element,
    text_width,
)

DODGE = 5.0  # points between markers of series at the same value


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per label; None: nothing to show for that period


def _dodged(series: Sequence[Series], frame: Frame) -> list[list[float]]:
    """Each series' marker x per period, moved aside where several series have the same value
    there (within a point on paper), so every marker stays visible."""
    offsets = [[0.0] * len(frame.labels) for _ in series]
    for i in range(len(frame.labels)):
        groups: dict[int, list[int]] = {}
        for n, s in enumerate(series):
            v = s.values[i] if i < len(s.values) else None
            if v is not None:
                groups.setdefault(round(frame.y(v)), []).append(n)
        for members in groups.values():
            for k, n in enumerate(members):
                offsets[n][i] = (k - (len(members) - 1) / 2) * DODGE
    return [
        [frame.x(i) + offsets[n][i] for i in range(len(frame.labels))] for n in range(len(series))
    ]


def _series_marks(
    s: Series, n: int, xs: list[float], frame: Frame, share: Callable[[float], str]
) -> list[str]:
    """The series as lines broken where a value is missing, in its colour and dash, with a
    marker of its shape on every value."""
    colour, dash, shape = COLOURS[n % 6], DASHES[n % 6], SHAPES[n % 6]
    pattern = f' stroke-dasharray="{dash}"' if dash else ""
    out, run, marks = [], [], []
    for i, v in enumerate([*s.values, None]):
        if v is not None and i < len(xs):
            run.append(f"{frame.x(i):.1f},{frame.y(v):.1f}")
            marks.append(shape_mark(shape, xs[i], frame.y(v), colour, f"{s.name}: {share(v)}"))
        elif run:
            out.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                f'stroke-width="2"{pattern} class="series"/>'
            )
            run = []
    return out + marks


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
    font: str | None = None,
) -> str:
    """Shares (0–1) per period as lines; ``marker`` names the label where a dashed vertical
    line is drawn, ``objective`` a dashed horizontal one (named in the legend with its value).
    Only one period with values: :func:`period_bars` instead. ``font``: a CSS font-family list
    for documents (a page's own font applies when none is given)."""
    known = [i for i in range(len(labels)) if any(_at(s, i) is not None for s in series)]
    if len(known) == 1:
        return period_bars(
            labels[known[0]],
            [Series(s.name, [_at(s, known[0])]) for s in series],
            title=title,
            share=share,
            objective=objective,
            objective_label=objective_label,
            font=font,
        )
    entries = _series_legend(series) + objective_legend(objective, objective_label, share)
    values = [v for s in series for v in s.values if v is not None]
    frame = Frame(
        labels,
        scale_floor(values + ([objective] if objective is not None else [])),
        chart_height(entries),
    )
    parts = svg_opening(title, frame.height, font) + axes(frame, share)
    if objective is not None:
        parts.append(objective_line(frame, objective))
    if marker is not None and marker in labels:
        parts.extend(_change_marker(frame, list(labels).index(marker), marker_label))
    xs = _dodged(series, frame)
    for n, s in enumerate(series):
        parts.extend(_series_marks(s, n, xs[n], frame, share))
    parts.extend(legend(entries, frame.plot_bottom + 34))
    parts.append("</svg>")
    return "".join(parts)


def _at(s: Series, i: int) -> float | None:
    return s.values[i] if i < len(s.values) else None


def _series_legend(series: Sequence[Series]) -> list[LegendEntry]:
    return [
        LegendEntry(s.name, COLOURS[n % 6], DASHES[n % 6], SHAPES[n % 6])
        for n, s in enumerate(series)
    ]


def _change_marker(frame: Frame, index: int, label: str) -> list[str]:
    """A dashed vertical line at the period something changed, its label on the side of the
    line where it fits, just above the plot (clear of the title and the lines)."""
    mx = frame.x(index)
    width = text_width(label, SMALL)
    fits_right = mx + 4 + width <= WIDTH
    x, anchor = (mx + 4, "start") if fits_right else (mx - 4, "end")
    return [
        f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{TOP}" y2="{frame.plot_bottom}" '
        'stroke="#5b6575" stroke-dasharray="3 3" class="marker"/>',
        text_element(x, TOP - 3, label, extra=f' text-anchor="{anchor}" fill="#5b6575"'),
    ]


def period_bars(
    label: str,
    series: Sequence[Series],
    *,
    title: str,
    share: Callable[[float], str],
    objective: float | None = None,
    objective_label: str = "",
    font: str | None = None,
) -> str:
    """One period's shares as bars side by side, each with its value above it, against the
    objective's line: what a trend of one period can say."""
    entries = [LegendEntry(s.name, COLOURS[n % 6], swatch=True) for n, s in enumerate(series)]
    entries += objective_legend(objective, objective_label, share)
    values = [v for s in series for v in s.values if v is not None]
    frame = Frame(
        [label],
        scale_floor(values + ([objective] if objective is not None else [])),
        chart_height(entries),
    )
    parts = svg_opening(title, frame.height, font) + axes(frame, share)
    width = min(48.0, (WIDTH - LEFT - RIGHT) * 0.6 / max(1, len(series)))
    start = frame.x(0) - width * len(series) / 2
    for n, s in enumerate(series):
        v = s.values[0] if s.values else None
        if v is not None:
            parts.append(
                bar_mark(
                    start + n * width + 2,
                    width - 4,
                    frame.y(v),
                    frame.plot_bottom,
                    COLOURS[n % 6],
                    f"{s.name}: {share(v)}",
                    share(v),
                )
            )
    if objective is not None:
        parts.append(objective_line(frame, objective))
    parts.extend(legend(entries, frame.plot_bottom + 34))
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[int],
    *,
    title: str,
    colour: str = COLOURS[0],
    font: str | None = None,
    links: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
) -> str:
    """Counts per category as bars, each with its count written above it; category labels
    thinned (from the last backwards) where they would overlap. ``names`` say in full what
    each bar counts, for its tooltip (default: its label, which may be blank). With ``links``
    (one address per bar) every bar that counts something is a link to the list it counts."""
    inner_h = BAR_HEIGHT
    height = TOP + BAR_HEIGHT + 24
    top = max([*values, 1]) * 1.18  # room for the count above the highest bar
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    width = min(48.0, slot * 0.7)
    parts = svg_opening(title, height, font)
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + inner_h}" '
        f'y2="{TOP + inner_h}" stroke="#5b6575"/>'
    )
    every = max(1, math.ceil((max((text_width(x, SMALL) for x in labels), default=0) + 6) / slot))
    named = set(range(len(labels) - 1, -1, -every))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + slot * i + (slot - width) / 2
        y = TOP + inner_h - inner_h * value / top
        tip = f"{names[i] if names is not None else label}: {value}"
        bar = bar_mark(x, width, y, TOP + inner_h, colour, tip, str(value))
        if links is not None and value:
            bar = f'<a href="{escape(links[i])}" aria-label="{escape(tip)}">{bar}</a>'
        parts.append(bar)
        if i in named:
            parts.append(centred_label(x + width / 2, TOP + inner_h + 14, label))
    parts.append("</svg>")
    return "".join(parts)
