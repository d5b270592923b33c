"""Charts read at print size: no text under 10 pt on paper, a marker and a dash of its own for
each series, markers of equal values side by side, a single period as bars against the
objective, and no label drawn over another."""

from __future__ import annotations

import itertools
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from servicelevel.services.reporting import charts

NS = "{http://www.w3.org/2000/svg}"
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def pct(v: float) -> str:
    return f"{v * 100:.1f}%"


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float
    text: str

    def overlaps(self, other: Box) -> bool:
        return not (
            self.right <= other.left
            or other.right <= self.left
            or self.bottom <= other.top
            or other.bottom <= self.top
        )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def scale(root: ET.Element) -> float:
    """Points on paper per unit of the drawing."""
    width_pt = float(root.attrib["width"].removesuffix("pt"))
    return width_pt / float(root.attrib["viewBox"].split()[2])


def boxes(root: ET.Element) -> list[Box]:
    """Each text's box: a CJK character one em wide, anything else 0.62 em (Noto Sans' widest
    digits and capitals are narrower), from 0.8 em above the baseline to 0.2 em below."""
    out = []
    for t in root.iter(f"{NS}text"):
        size = float(t.attrib["font-size"])
        text = t.text or ""
        width = sum(size if unicodedata.east_asian_width(c) in "WF" else 0.62 * size for c in text)
        x, y = float(t.attrib["x"]), float(t.attrib["y"])
        anchor = t.attrib.get("text-anchor", "start")
        left = x - {"start": 0, "middle": width / 2, "end": width}[anchor]
        out.append(Box(left, y - 0.8 * size, left + width, y + 0.2 * size, text))
    return out


def assert_no_overlap_and_inside(svg: str) -> None:
    root = parse(svg)
    found = boxes(root)
    width, height = (float(v) for v in root.attrib["viewBox"].split()[2:])
    for a, b in itertools.combinations(found, 2):
        assert not a.overlaps(b), (a, b)
    for b in found:
        assert b.left >= 0
        assert b.right <= width
        assert b.top >= 0
        assert b.bottom <= height


def trend(**kwargs: object) -> str:
    series = [
        charts.Series("P1-response", [0.5, 0.8, None, 0.5, 0.5, 1, 1, 1, 1, 0.6, 0, 1]),
        charts.Series("P1-resolution", [1, 0.6, None, 0.5, 0.75, 0, 1, 1, 0, 0.8, 1, 0.999]),
        charts.Series("P2-resolution", [1, 0.95, 0.85, 0.66, 1, 1, 0.75, 1, 1, 1, 1, 0.999]),
    ]
    options: dict[str, object] = {"title": "Compliance over the last 12 periods", "share": pct}
    options.update(kwargs)
    return charts.line_chart(MONTHS, series, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "svg",
    [
        trend(objective=0.999, objective_label="Objective"),
        charts.bar_chart(["P1", "P2", "P3"], [4, 0, 17], title="Breaches by priority"),
        charts.line_chart(["2026-11"], [charts.Series("A", [0.9])], title="t", share=pct),
    ],
)
def test_no_text_is_smaller_than_10_points_on_paper(svg: str) -> None:
    root = parse(svg)
    sizes = [float(t.attrib["font-size"]) * scale(root) for t in root.iter(f"{NS}text")]
    assert sizes
    assert min(sizes) >= 10


def test_each_series_has_its_own_colour_dash_and_marker_on_every_value() -> None:
    root = parse(trend())
    lines = [p for p in root.iter(f"{NS}polyline") if p.attrib.get("class") == "series"]
    styles = {(p.attrib["stroke"], p.attrib.get("stroke-dasharray", "")) for p in lines}
    assert len({s[0] for s in styles}) == 3
    assert len({s[1] for s in styles}) == 3
    points = [e for e in root.iter() if e.attrib.get("class") == "point"]
    assert len(points) == 11 + 11 + 12
    kinds = {(e.tag, e.attrib.get("fill")) for e in points}
    assert len({k[0] for k in kinds}) == 2  # a circle, and polygons (square, triangle)
    assert len(kinds) == 3


def centre(e: ET.Element) -> tuple[float, float]:
    if e.tag == f"{NS}circle":
        return float(e.attrib["cx"]), float(e.attrib["cy"])
    xy = [tuple(map(float, p.split(","))) for p in e.attrib["points"].split()]
    return (min(p[0] for p in xy) + max(p[0] for p in xy)) / 2, sum(p[1] for p in xy) / len(xy)


def test_two_series_at_the_same_value_both_show_their_markers() -> None:
    same = [0.9, 0.95, 1.0]
    svg = charts.line_chart(
        MONTHS[:3], [charts.Series("A", same), charts.Series("B", same)], title="t", share=pct
    )
    points = [e for e in parse(svg).iter() if e.attrib.get("class") == "point"]
    xs = [round(centre(e)[0], 1) for e in points]
    assert len(points) == 6
    assert len(set(xs)) == 6  # each marker beside the other, none hidden


def test_a_single_period_is_drawn_as_bars_against_the_objective() -> None:
    series = [charts.Series("Response", [0.9]), charts.Series("Resolution", [0.75])]
    svg = charts.line_chart(
        ["2026-11"], series, title="t", share=pct, objective=0.95, objective_label="Objective"
    )
    root = parse(svg)
    bars = [r for r in root.iter(f"{NS}rect") if r.attrib.get("class") == "bar"]
    assert len(bars) == 2
    assert list(root.iter(f"{NS}polyline")) == []
    assert len([e for e in root.iter(f"{NS}line") if e.attrib.get("class") == "objective"]) == 1
    values = [t.text for t in root.iter(f"{NS}text") if t.attrib.get("class") == "value"]
    assert values == ["90.0%", "75.0%"]
    assert_no_overlap_and_inside(svg)


def test_a_trend_with_one_period_of_values_is_drawn_as_that_period_s_bars() -> None:
    svg = charts.line_chart(
        MONTHS, [charts.Series("A", [None] * 11 + [0.97])], title="t", share=pct, objective=0.95
    )
    root = parse(svg)
    assert len([r for r in root.iter(f"{NS}rect") if r.attrib.get("class") == "bar"]) == 1
    assert "2026-12" in [t.text for t in root.iter(f"{NS}text")]


def test_the_objective_is_named_in_the_legend_not_on_the_line_it_could_collide_with() -> None:
    svg = trend(objective=0.999, objective_label="目标值")
    legend = [t.text for t in parse(svg).iter(f"{NS}text") if t.attrib.get("class") == "legend"]
    assert legend == ["P1-response", "P1-resolution", "P2-resolution", "目标值 99.9%"]
    assert_no_overlap_and_inside(svg)


@pytest.mark.parametrize(
    "svg",
    [
        trend(objective=0.999, objective_label="Objective", marker="2026-12", marker_label="Plan"),
        trend(marker="2026-01", marker_label="改进计划开始 improvement plan starts"),
        charts.line_chart(
            [f"{y}-Q{q}" for y in (2023, 2024, 2025, 2026) for q in (1, 2, 3, 4)],
            [charts.Series(f"目标 {n} 的达成率（长名称）", [0.9] * 16) for n in range(6)],
            title="最近 16 个周期的达标率",
            share=pct,
            objective=0.95,
            objective_label="目标值",
        ),
        charts.bar_chart([f"类别 {n} 名称" for n in range(14)], list(range(14)), title="t"),
    ],
)
def test_no_label_is_drawn_over_another_or_off_the_drawing(svg: str) -> None:
    assert_no_overlap_and_inside(svg)


def test_the_reported_period_is_always_named_on_the_axis() -> None:
    labels = [t.text for t in parse(trend()).iter(f"{NS}text")]
    assert "2026-12" in labels
    assert "2026-11" not in labels  # thinned: 12 labels of 7 characters do not fit at 10 pt


def test_a_document_names_its_font_and_a_page_keeps_its_own() -> None:
    assert 'font-family="&quot;Noto Sans CJK TC&quot;, sans-serif"' in trend(
        font='"Noto Sans CJK TC", sans-serif'
    )
    assert "font-family" not in trend()


def test_availability_near_its_objective_gets_a_scale_that_sets_them_apart() -> None:
    svg = charts.line_chart(
        MONTHS[:3],
        [charts.Series("email", [1.0, 0.999, 0.9995])],
        title="t",
        share=pct,
        objective=0.999,
    )
    ys = sorted(centre(e)[1] for e in parse(svg).iter() if e.attrib.get("class") == "point")
    assert ys[-1] - ys[0] >= 20  # 100 % and 99.9 % at least 20 pt apart on paper
    assert_no_overlap_and_inside(svg)


def test_a_bar_with_a_count_is_a_link_named_in_full_and_an_empty_bar_is_not() -> None:
    drawn = charts.bar_chart(
        ["Nov 2", ""],
        [3, 0],
        title="Breaches by week",
        names=["Week from Nov 2, 2026", "Week from Nov 9, 2026"],
        links=["/breaches?week=2026-11-02", "/breaches?week=2026-11-09"],
    )
    assert '<a href="/breaches?week=2026-11-02" aria-label="Week from Nov 2, 2026: 3">' in drawn
    assert "2026-11-09" not in drawn
    assert "<title>Week from Nov 9, 2026: 0</title>" in drawn
