"""Server-rendered SVG charts: no JavaScript, nothing from a CDN, readable by screen readers.

A chart is an inline ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that says what it shows in
words (total, highest day); every bar carries its own ``<title>`` for a pointer hovering it, and the page
puts the same figures in a visually hidden table (``Chart.rows``). The SVG scales with its container
through its ``viewBox``: drawn for a phone-width card, it stays crisp and legible on a desktop.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.templatetags.ui import abbrev
from mall.templatetags.mall import yuan

Number = int | float | Decimal

WIDTH = 360
HEIGHT = 190
MARGIN_TOP = 12
MARGIN_RIGHT = 8
MARGIN_BOTTOM = 26
FONT_SIZE = 11
# Width of one character of an axis label, roughly, at FONT_SIZE: enough to keep labels inside the box.
CHAR_WIDTH = 6.4
MAX_X_LABELS = 7
BAR_FILL = "#FF2442"
GRID = "#eeeeee"
AXIS = "#cccccc"
LABEL = "#767676"  # the lightest grey that stays AA on white


def compact_number(value: Number) -> str:
    """1234 -> 1.2k (1.2万 in Chinese); fractions keep up to two decimals."""
    number = float(value)
    if number.is_integer():
        return abbrev(int(number))
    return f"{number:.2f}".rstrip("0").rstrip(".")


def money(value: Number) -> str:
    """¥ and two decimals, as prices show everywhere on the site (the mall's one money filter)."""
    return yuan(value)


def money_compact(value: Number) -> str:
    return f"¥{compact_number(value)}"


def nice_ticks(maximum: Number, *, count: int = 4, integers: bool = True) -> list[Number]:
    """Round tick values from 0 up to at least ``maximum``: 0, 5, 10, 15 rather than 0, 4.25, 8.5 ..."""
    top = float(maximum)
    if top <= 0:
        return [0, 1]
    raw_step = top / count
    magnitude = 10 ** math.floor(math.log10(raw_step))
    fraction = raw_step / magnitude
    # Counts step by whole numbers: 2.5 would round to an uneven 3.
    multipliers = (1, 2, 5, 10) if integers else (1, 2, 2.5, 5, 10)
    step = next(m for m in multipliers if fraction <= m + 1e-9) * magnitude
    if integers:
        step = max(1, round(step))
    steps = math.ceil(top / step - 1e-9)
    ticks = [round(step * i, 10) for i in range(steps + 1)]
    return [int(t) if float(t).is_integer() else t for t in ticks]


def day_short(day: dt.date) -> str:
    return f"{day.month}/{day.day}"


def day_long(day: dt.date) -> str:
    return date_format(day, "MONTH_DAY_FORMAT")


@dataclass(frozen=True)
class Bar:
    day: dt.date
    value: Number
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    summary: str
    bars: tuple[Bar, ...]
    y_ticks: tuple[tuple[float, str], ...]  # (y position, label)
    x_labels: tuple[tuple[float, str], ...]  # (x position, label)
    rows: tuple[tuple[str, str], ...]  # (day, value) for the visually hidden table
    total: str
    svg: SafeString


def daily_bar_chart(
    *,
    chart_id: str,
    title: str,
    points: Sequence[tuple[dt.date, Number]],
    format_value: Callable[[Number], str] = compact_number,
    format_tick: Callable[[Number], str] | None = None,
    integers: bool = True,
) -> Chart:
    """One bar per day, oldest on the left, with a y axis of round values and a few day labels below."""
    format_tick = format_tick or format_value
    values = [value for _day, value in points]
    total = sum(values, Decimal("0.00") if values and isinstance(values[0], Decimal) else 0)
    ticks = nice_ticks(max(values, default=0), integers=integers)
    top = float(ticks[-1])
    tick_labels = [format_tick(t) for t in ticks]
    margin_left = max(28.0, max(len(label) for label in tick_labels) * CHAR_WIDTH + 10)
    plot_w = WIDTH - margin_left - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    baseline = MARGIN_TOP + plot_h

    count = max(len(points), 1)
    slot = plot_w / count
    bar_w = max(slot * 0.62, 1.0)
    bars = []
    for index, (day, value) in enumerate(points):
        height = float(value) / top * plot_h if top else 0.0
        if value and height < 1.5:
            height = 1.5  # a small but real value stays visible
        x = margin_left + index * slot + (slot - bar_w) / 2
        bars.append(Bar(day=day, value=value, x=x, y=baseline - height, width=bar_w, height=height))

    y_ticks = tuple(
        (baseline - float(t) / top * plot_h, label) for t, label in zip(ticks, tick_labels, strict=True)
    )
    # Label today and every few days back from it, so the last bar is always named.
    every = max(1, math.ceil(len(points) / MAX_X_LABELS))
    x_labels = tuple(
        (margin_left + index * slot + slot / 2, day_short(day))
        for index, (day, _value) in enumerate(points)
        if (len(points) - 1 - index) % every == 0
    )
    rows = tuple((day_long(day), format_value(value)) for day, value in points)
    summary = _summary(points, total=total, format_value=format_value)

    svg = _render(
        chart_id=chart_id,
        title=title,
        summary=summary,
        bars=bars,
        y_ticks=y_ticks,
        x_labels=x_labels,
        margin_left=margin_left,
        baseline=baseline,
        format_value=format_value,
    )
    return Chart(
        chart_id=chart_id,
        title=title,
        summary=summary,
        bars=tuple(bars),
        y_ticks=y_ticks,
        x_labels=x_labels,
        rows=rows,
        total=format_value(total),
        svg=svg,
    )


def _summary(points, *, total, format_value) -> str:
    if not points:
        return _("No days to show.")
    first, last = points[0][0], points[-1][0]
    text = _("Total %(total)s from %(first)s to %(last)s.") % {
        "total": format_value(total),
        "first": day_long(first),
        "last": day_long(last),
    }
    best_day, best = max(points, key=lambda point: (point[1], point[0]))
    if best:
        text += " " + _("Highest: %(value)s on %(day)s.") % {
            "value": format_value(best),
            "day": day_long(best_day),
        }
    return text


def _f(number: float) -> str:
    return f"{number:.1f}".removesuffix(".0")


def _render(
    *, chart_id, title, summary, bars, y_ticks, x_labels, margin_left, baseline, format_value
) -> SafeString:
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
        '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
        (
            (_f(margin_left), WIDTH - MARGIN_RIGHT, _f(y), _f(y), GRID, _f(margin_left - 6), _f(y), label)
            for y, label in y_ticks
        ),
    )
    columns = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" rx="2" data-value="{}"><title>{}</title></rect>',
        (
            (
                _f(bar.x),
                _f(bar.y),
                _f(bar.width),
                _f(bar.height),
                bar.value,
                f"{day_long(bar.day)}: {format_value(bar.value)}",
            )
            for bar in bars
        ),
    )
    days = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle">{}</text>',
        ((_f(x), _f(baseline + 17), label) for x, label in x_labels),
    )
    return format_html(
        '<svg class="stats-chart-svg" viewBox="0 0 {w} {h}" width="100%" role="img" focusable="false" '
        'aria-labelledby="{id}-title {id}-desc" data-testid="chart-{id}" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{summary}</desc>'
        '<g class="stats-chart-axis" fill="{label}" font-size="{font}">{grid}{days}</g>'
        '<line x1="{left}" x2="{right}" y1="{base}" y2="{base}" stroke="{axis}" stroke-width="1"/>'
        '<g class="stats-chart-bars" fill="{fill}">{columns}</g>'
        "</svg>",
        w=WIDTH,
        h=HEIGHT,
        id=chart_id,
        title=title,
        summary=summary,
        label=LABEL,
        font=FONT_SIZE,
        grid=grid,
        days=days,
        left=_f(margin_left),
        right=WIDTH - MARGIN_RIGHT,
        base=_f(baseline),
        axis=AXIS,
        fill=BAR_FILL,
        columns=columns,
    )
