"""The SVG chart builder: well-formed, accessible, proportional, and labelled on both axes."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils import translation

from community.charts import compact_number, daily_bar_chart, money, money_compact, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"
FIRST = dt.date(2026, 11, 21)


def _points(values):
    return [(FIRST + dt.timedelta(days=i), v) for i, v in enumerate(values)]


def _tree(chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))  # noqa: S314 - our own markup, built in this test


@pytest.mark.parametrize(
    ("maximum", "integers", "expected"),
    [
        (0, True, [0, 1]),
        (1, True, [0, 1]),
        (3, True, [0, 1, 2, 3]),
        (7, True, [0, 2, 4, 6, 8]),
        (10, True, [0, 5, 10]),
        (37, True, [0, 10, 20, 30, 40]),
        (1234, True, [0, 500, 1000, 1500]),
        (Decimal("1.20"), False, [0, 0.5, 1, 1.5]),
        (Decimal("1234.50"), False, [0, 500, 1000, 1500]),
        (Decimal("9.99"), False, [0, 2.5, 5, 7.5, 10]),
    ],
)
def test_ticks_are_round_and_cover_the_highest_value(maximum, integers, expected):
    assert nice_ticks(maximum, integers=integers) == expected


def test_numbers_and_money_read_like_the_rest_of_the_site():
    assert compact_number(950) == "950"
    assert compact_number(1234) == "1.2k"
    assert compact_number(2.5) == "2.5"
    assert money(Decimal("12345.5")) == "¥12,345.50"
    assert money_compact(Decimal("1500.00")) == "¥1.5k"
    with translation.override("zh-hans"):
        assert compact_number(12345) == "1.2万"


def test_a_chart_is_an_accessible_image_with_a_title_and_a_description():
    with translation.override("en"):
        chart = daily_bar_chart(chart_id="likes", title="Likes", points=_points([0, 3, 1, 0, 8, 2, 4]))
    svg = _tree(chart)

    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "likes-title likes-desc"
    assert svg.find(f"{SVG}title").get("id") == "likes-title"
    assert svg.find(f"{SVG}title").text == "Likes"
    desc = svg.find(f"{SVG}desc").text
    assert desc == "Total 18 from November 21 to November 27. Highest: 8 on November 25."
    assert svg.get("viewBox") == "0 0 360 190"
    assert svg.get("width") == "100%" and svg.get("height") is None  # scales with its card
    assert chart.total == "18"
    assert chart.rows[4] == ("November 25", "8")


def test_bars_are_proportional_to_their_values_and_carry_them():
    chart = daily_bar_chart(chart_id="views", title="Views", points=_points([10, 20, 40, 0, 5, 40, 30]))
    rects = _tree(chart).findall(f".//{SVG}rect")

    assert [int(r.get("data-value")) for r in rects] == [10, 20, 40, 0, 5, 40, 30]
    heights = [float(r.get("height")) for r in rects]
    assert heights[3] == 0
    assert heights[2] == heights[5] == pytest.approx(4 * heights[0], abs=0.2)
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.2)
    # Every bar stands on the same baseline, oldest on the left.
    bottoms = {round(float(r.get("y")) + float(r.get("height")), 1) for r in rects}
    assert len(bottoms) == 1
    xs = [float(r.get("x")) for r in rects]
    assert xs == sorted(xs)
    assert rects[2].find(f"{SVG}title").text.endswith(": 40")


def test_a_tiny_value_stays_visible_next_to_a_huge_one():
    chart = daily_bar_chart(chart_id="v", title="Views", points=_points([100_000, 1]))
    rects = _tree(chart).findall(f".//{SVG}rect")
    assert float(rects[1].get("height")) >= 1.5


def test_both_axes_are_labelled():
    week = daily_bar_chart(chart_id="w", title="Likes", points=_points([1, 2, 3, 4, 5, 6, 7]))
    texts = [t.text for t in _tree(week).iter(f"{SVG}text")]
    assert texts[:5] == ["0", "2", "4", "6", "8"]  # y axis, bottom up
    assert texts[5:] == ["11/21", "11/22", "11/23", "11/24", "11/25", "11/26", "11/27"]

    month = daily_bar_chart(chart_id="m", title="Likes", points=_points(list(range(30))))
    days = [label for _x, label in month.x_labels]
    assert len(days) <= 7
    assert days[-1] == "12/20"  # the last day is always named


def test_money_ticks_and_the_empty_chart():
    chart = daily_bar_chart(
        chart_id="revenue",
        title="Revenue",
        points=_points([Decimal("0.00"), Decimal("120.50"), Decimal("80.00")]),
        format_value=money,
        format_tick=money_compact,
        integers=False,
    )
    assert [label for _y, label in chart.y_ticks] == ["¥0", "¥50", "¥100", "¥150"]
    assert chart.total == "¥200.50"
    assert chart.rows[1][1] == "¥120.50"

    empty = daily_bar_chart(chart_id="e", title="Orders", points=_points([0] * 7))
    assert all(float(r.get("height")) == 0 for r in _tree(empty).findall(f".//{SVG}rect"))
    with translation.override("en"):
        assert "Highest" not in empty.summary


def test_labels_and_titles_are_escaped():
    chart = daily_bar_chart(chart_id="x", title='<script>"&', points=_points([1]))
    assert "<script>" not in str(chart.svg)
    assert _tree(chart).find(f"{SVG}title").text == '<script>"&'


def test_every_label_fits_inside_the_drawing():
    chart = daily_bar_chart(
        chart_id="r",
        title="Revenue",
        points=_points([Decimal("123456.78")] * 30),
        format_value=money,
        format_tick=money_compact,
        integers=False,
    )
    for x, _label in chart.x_labels:
        assert 0 < x < 360
    widest = max(len(label) for _y, label in chart.y_ticks)
    left_edge_of_labels = chart.bars[0].x - widest * 6.4
    assert left_edge_of_labels > 0
