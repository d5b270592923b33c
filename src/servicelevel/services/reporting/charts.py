"""Charts as inline SVG, drawn here so that pages and PDFs need no script and nothing from the
network: a line chart of shares per period (compliance, availability, satisfaction) with an
optional objective line and a marker for the period something changed (an improvement plan's
start), and a bar chart of counts.

Drawn for print: one unit of the drawing is one point at its own size (``width="480pt"``, which
fits A4 portrait between 18 mm margins), so no text is smaller than :data:`SMALL` points on
paper. Each series has a colour, a dash pattern and a marker shape of its own (it still reads in
grey); markers of series at the same value are set side by side so none hides another; the
objective is named in the legend, never beside a line it could collide with; labels on the
period axis are thinned from the reported period backwards so they never overlap; a single
period is drawn as bars against the objective, not as lone dots.

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
DODGE = 5.0  # points between markers of series at the same value


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per label; None: nothing to show for that period


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


def _floor(values: list[float]) -> float:
    """The bottom of the scale: the highest of :data:`FLOORS` that leaves the lowest value at
    least 15 % of the plot above it (availability near 99.9 % gets a scale from 99.5 %, where
    a scale from 90 % drew 99.9 % and 100 % as one line)."""
    lowest = min(values, default=1.0)
    if lowest >= 1.0:
        return 0.9  # all perfect: no finer scale to show
    return next((f for f in FLOORS if f <= lowest - (1 - f) * 0.15), 0.0)


def _text(x: float, y: float, text: str, *, size: int = SMALL, extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}"{extra}>{escape(text)}</text>'


def _centred(x: float, y: float, text: str) -> str:
    """A label centred under ``x``, moved in where it would run off the drawing's edge."""
    half = text_width(text, SMALL) / 2
    middle = min(max(x, half + 1), WIDTH - half - 1)
    return _text(middle, y, text, extra=' text-anchor="middle"')


def _open(title: str, height: float, font: str | None) -> list[str]:
    family = f' font-family="{escape(font)}"' if font else ""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}pt" height="{height:.0f}pt" role="img" aria-label="{escape(title)}" '
        f'class="chart"{family}>',
        f"<title>{escape(title)}</title>",
        _text(0, 15, title, size=TITLE, extra=' font-weight="600"'),
    ]


@dataclass(frozen=True)
class LegendEntry:
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


def _legend(entries: Sequence[LegendEntry], top: float) -> list[str]:
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
                    parts.append(_shape(e.shape, x + 12, y - 4, e.colour, kind="key"))
            parts.append(_text(x + 30, y, e.name, extra=' class="legend"'))
    return parts


def _shape(shape: str, x: float, y: float, colour: str, tip: str = "", kind: str = "point") -> str:
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


def _axes(frame: Frame, share: Callable[[float], str]) -> list[str]:
    parts = []
    ticks = [frame.bottom, (frame.bottom + 1) / 2, 1.0]
    if len({share(t) for t in ticks}) < 3:
        ticks.pop(1)  # the middle would read as one of the ends
    for tick in ticks:
        y = frame.y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d9dee7"/>'
            + _text(LEFT - 5, y + 3.5, share(tick), extra=' text-anchor="end"')
        )
    for i in shown_labels(frame.labels, frame):
        parts.append(_centred(frame.x(i), frame.plot_bottom + 14, frame.labels[i]))
    return parts


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
            marks.append(_shape(shape, xs[i], frame.y(v), colour, f"{s.name}: {share(v)}"))
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
    entries = _series_legend(series) + _objective_legend(objective, objective_label, share)
    values = [v for s in series for v in s.values if v is not None]
    frame = Frame(
        labels, _floor(values + ([objective] if objective is not None else [])), _height(entries)
    )
    parts = _open(title, frame.height, font) + _axes(frame, share)
    if objective is not None:
        parts.append(_objective_line(frame, objective))
    if marker is not None and marker in labels:
        parts.extend(_change_marker(frame, list(labels).index(marker), marker_label))
    xs = _dodged(series, frame)
    for n, s in enumerate(series):
        parts.extend(_series_marks(s, n, xs[n], frame, share))
    parts.extend(_legend(entries, frame.plot_bottom + 34))
    parts.append("</svg>")
    return "".join(parts)


def _at(s: Series, i: int) -> float | None:
    return s.values[i] if i < len(s.values) else None


def _height(entries: Sequence[LegendEntry]) -> float:
    """The drawing's height: title, plot, period labels and as many legend rows as needed."""
    return TOP + PLOT_HEIGHT + 34 + max(1, len(_legend_rows(entries))) * LEGEND_ROW - 8


def _series_legend(series: Sequence[Series]) -> list[LegendEntry]:
    return [
        LegendEntry(s.name, COLOURS[n % 6], DASHES[n % 6], SHAPES[n % 6])
        for n, s in enumerate(series)
    ]


def _objective_legend(
    objective: float | None, label: str, share: Callable[[float], str]
) -> list[LegendEntry]:
    if objective is None:
        return []
    return [LegendEntry(f"{label} {share(objective)}".strip(), OBJECTIVE, "5 4")]


def _objective_line(frame: Frame, objective: float) -> str:
    y = frame.y(objective)
    return (
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{OBJECTIVE}" '
        'stroke-width="1.5" stroke-dasharray="5 4" class="objective"/>'
    )


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
        _text(x, TOP - 3, label, extra=f' text-anchor="{anchor}" fill="#5b6575"'),
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
    entries += _objective_legend(objective, objective_label, share)
    values = [v for s in series for v in s.values if v is not None]
    frame = Frame(
        [label], _floor(values + ([objective] if objective is not None else [])), _height(entries)
    )
    parts = _open(title, frame.height, font) + _axes(frame, share)
    width = min(48.0, (WIDTH - LEFT - RIGHT) * 0.6 / max(1, len(series)))
    start = frame.x(0) - width * len(series) / 2
    for n, s in enumerate(series):
        v = s.values[0] if s.values else None
        if v is not None:
            parts.append(
                _bar(
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
        parts.append(_objective_line(frame, objective))
    parts.extend(_legend(entries, frame.plot_bottom + 34))
    parts.append("</svg>")
    return "".join(parts)


def _bar(
    x: float, width: float, top: float, bottom: float, colour: str, tip: str, shown: str
) -> str:
    return (
        f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{bottom - top:.1f}" '
        f'fill="{colour}" class="bar"><title>{escape(tip)}</title></rect>'
        + _text(x + width / 2, top - 4, shown, extra=' text-anchor="middle" class="value"')
    )


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
    parts = _open(title, height, font)
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
        bar = _bar(x, width, y, TOP + inner_h, colour, tip, str(value))
        if links is not None and value:
            bar = f'<a href="{escape(links[i])}" aria-label="{escape(tip)}">{bar}</a>'
        parts.append(bar)
        if i in named:
            parts.append(_centred(x + width / 2, TOP + inner_h + 14, label))
    parts.append("</svg>")
    return "".join(parts)
