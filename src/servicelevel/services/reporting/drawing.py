"""The pieces the charts (:mod:`servicelevel.services.reporting.charts`) are drawn with: the
frame a value is placed in, the axes, the legend, the markers and bars, and the text.

Drawn for print: one unit of the drawing is one point at its own size (``width="480pt"``, which
fits A4 portrait between 18 mm margins), so no text is smaller than :data:`SMALL` points on
paper; labels on the period axis are thinned from the reported period backwards so they never
overlap.

The markup is built from numbers and escaped text only, so it is safe to put in a page as is.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

COLOURS = ("#0b5cad", "#c25e00", "#1b6e20", "#8e24aa", "#6d4c41", "#00838f")
DASHES = ("", "7 3", "2 3", "9 3 2 3", "4 4", "1 2")
SHAPES = ("circle", "square", "triangle", "diamond", "down", "cross")
OBJECTIVE = "#b3261e"
SHAPE_POINTS: dict[str, tuple[tuple[float, float], ...]] = {  # marker outlines, in points
    "square": ((-3.2, -3.2), (3.2, -3.2), (3.2, 3.2), (-3.2, 3.2)),
    "triangle": ((0, -4.2), (4, 3), (-4, 3)),
    "diamond": ((0, -4.4), (4.4, 0), (0, 4.4), (-4.4, 0)),
    "down": ((0, 4.2), (4, -3), (-4, -3)),
    "cross": (
        (-4, -1.4),
        (-1.4, -1.4),
        (-1.4, -4),
        (1.4, -4),
        (1.4, -1.4),
        (4, -1.4),
        (4, 1.4),
        (1.4, 1.4),
        (1.4, 4),
        (-1.4, 4),
        (-1.4, 1.4),
        (-4, 1.4),
    ),
}
WIDTH, PLOT_HEIGHT, BAR_HEIGHT = 480, 150, 110  # counts need less height than a trend
LEFT, RIGHT, TOP = 46, 14, 34
TITLE, SMALL = 12, 10  # font sizes in points at print size
LEGEND_ROW = 16
FLOORS = (0.999, 0.995, 0.99, 0.98, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1)


@dataclass(frozen=True)
class Frame:
    """Where the plot sits in the drawing and how a value maps onto it."""

    labels: Sequence[str]
    bottom: float  # the share at the bottom of the scale
    height: float  # the drawing's height (the legend below the axis labels)

    @property
    def plot_bottom(self) -> float:
        return TOP + PLOT_HEIGHT

    def x(self, i: int) -> float:
        inner = WIDTH - LEFT - RIGHT
        if len(self.labels) < 2:
            return LEFT + inner / 2
        return LEFT + 8 + i * (inner - 16) / (len(self.labels) - 1)

    def y(self, v: float) -> float:
        return TOP + PLOT_HEIGHT * (1 - (v - self.bottom) / (1 - self.bottom or 1))


def text_width(text: str, size: float) -> float:
    """How wide ``text`` is drawn, estimated: a CJK character is one em, anything else at most
    0.62 em (Noto Sans' digits and letters are narrower) — enough to keep labels apart."""
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.62 for c in text)
    return ems * size


def scale_floor(values: list[float]) -> float:
    """The bottom of the scale: the highest of :data:`FLOORS` that leaves the lowest value at
    least 15 % of the plot above it (availability near 99.9 % gets a scale from 99.5 %, where
    a scale from 90 % drew 99.9 % and 100 % as one line)."""
    lowest = min(values, default=1.0)
    if lowest >= 1.0:
        return 0.9  # all perfect: no finer scale to show
    return next((f for f in FLOORS if f <= lowest - (1 - f) * 0.15), 0.0)


def text_element(x: float, y: float, text: str, *, size: int = SMALL, extra: str = "") -> str:
    """A text element at ``(x, y)``, its text escaped; ``extra``: further attributes."""
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}"{extra}>{escape(text)}</text>'


def centred_label(x: float, y: float, text: str) -> str:
    """A label centred under ``x``, moved in where it would run off the drawing's edge."""
    half = text_width(text, SMALL) / 2
    middle = min(max(x, half + 1), WIDTH - half - 1)
    return text_element(middle, y, text, extra=' text-anchor="middle"')


def svg_opening(title: str, height: float, font: str | None) -> list[str]:
    """The drawing's opening tag, its accessible title and the title written above the plot."""
    family = f' font-family="{escape(font)}"' if font else ""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}pt" height="{height:.0f}pt" role="img" aria-label="{escape(title)}" '
        f'class="chart"{family}>',
        f"<title>{escape(title)}</title>",
        text_element(0, 15, title, size=TITLE, extra=' font-weight="600"'),
    ]


@dataclass(frozen=True)
class LegendEntry:
    """One entry of a chart's legend: a series (or the objective) with how it is drawn."""

    name: str
    colour: str
    dash: str = ""
    shape: str = ""  # a marker shape; "" for none
    swatch: bool = False  # a filled square (bars) instead of a line sample


def _legend_rows(entries: Sequence[LegendEntry]) -> list[list[tuple[float, LegendEntry]]]:
    """Entries flowed left to right, a new row where the next would not fit."""
    rows: list[list[tuple[float, LegendEntry]]] = [[]]
    x = 0.0
    for entry in entries:
        width = 30 + text_width(entry.name, SMALL)
        if rows[-1] and x + width > WIDTH:
            rows.append([])
            x = 0.0
        rows[-1].append((x, entry))
        x += width + 14
    return rows if rows[0] else []


def legend(entries: Sequence[LegendEntry], top: float) -> list[str]:
    """The legend's entries in rows from ``top`` down, each a sample of its line or bar."""
    parts = []
    for r, row in enumerate(_legend_rows(entries)):
        y = top + r * LEGEND_ROW
        for x, e in row:
            if e.swatch:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="22" height="10" fill="{e.colour}"/>'
                )
            else:
                dash = f' stroke-dasharray="{e.dash}"' if e.dash else ""
                parts.append(
                    f'<line x1="{x:.1f}" x2="{x + 24:.1f}" y1="{y - 4:.1f}" '
                    f'y2="{y - 4:.1f}" stroke="{e.colour}" stroke-width="2"{dash}/>'
                )
                if e.shape:
                    parts.append(shape_mark(e.shape, x + 12, y - 4, e.colour, kind="key"))
            parts.append(text_element(x + 30, y, e.name, extra=' class="legend"'))
    return parts


def shape_mark(
    shape: str, x: float, y: float, colour: str, tip: str = "", kind: str = "point"
) -> str:
    """A marker of ``shape`` centred on ``(x, y)``, with its value as a tooltip."""
    title = f"<title>{escape(tip)}</title>" if tip else ""
    points = SHAPE_POINTS.get(shape)
    if points is None:
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.6" fill="{colour}" class="{kind}">'
            f"{title}</circle>"
        )
    drawn = " ".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in points)
    return f'<polygon points="{drawn}" fill="{colour}" class="{kind}">{title}</polygon>'


def shown_labels(labels: Sequence[str], frame: Frame) -> list[int]:
    """The indexes of the period labels to write: every ``k``-th counted back from the last
    (the reported period is always named), ``k`` the least that keeps them apart."""
    if not labels:
        return []
    widest = max(text_width(label, SMALL) for label in labels) + 6
    step = frame.x(1) - frame.x(0) if len(labels) > 1 else widest
    every = max(1, math.ceil(widest / step))
    return sorted(range(len(labels) - 1, -1, -every))


def axes(frame: Frame, share: Callable[[float], str]) -> list[str]:
    """The scale's gridlines with their shares, and the period labels (thinned) below."""
    parts = []
    ticks = [frame.bottom, (frame.bottom + 1) / 2, 1.0]
    if len({share(t) for t in ticks}) < 3:
        ticks.pop(1)  # the middle would read as one of the ends
    for tick in ticks:
        y = frame.y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d9dee7"/>'
            + text_element(LEFT - 5, y + 3.5, share(tick), extra=' text-anchor="end"')
        )
    for i in shown_labels(frame.labels, frame):
        parts.append(centred_label(frame.x(i), frame.plot_bottom + 14, frame.labels[i]))
    return parts


def chart_height(entries: Sequence[LegendEntry]) -> float:
    """The drawing's height: title, plot, period labels and as many legend rows as needed."""
    return TOP + PLOT_HEIGHT + 34 + max(1, len(_legend_rows(entries))) * LEGEND_ROW - 8


def objective_legend(
    objective: float | None, label: str, share: Callable[[float], str]
) -> list[LegendEntry]:
    """The objective's legend entry, named with its value (none without an objective)."""
    if objective is None:
        return []
    return [LegendEntry(f"{label} {share(objective)}".strip(), OBJECTIVE, "5 4")]


def objective_line(frame: Frame, objective: float) -> str:
    """The objective as a dashed line across the plot."""
    y = frame.y(objective)
    return (
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{OBJECTIVE}" '
        'stroke-width="1.5" stroke-dasharray="5 4" class="objective"/>'
    )


def bar_mark(
    x: float, width: float, top: float, bottom: float, colour: str, tip: str, shown: str
) -> str:
    """A bar from ``top`` to ``bottom`` with ``tip`` as its tooltip and ``shown`` above it."""
    return (
        f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{bottom - top:.1f}" '
        f'fill="{colour}" class="bar"><title>{escape(tip)}</title></rect>'
        + text_element(x + width / 2, top - 4, shown, extra=' text-anchor="middle" class="value"')
    )
