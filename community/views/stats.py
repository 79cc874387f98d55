"""The creator statistics page: the signed-in writer's own figures over the last 7 or 30 days."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from community import charts
from community.selectors.creator_stats import WINDOW_DAYS, creator_stats, stats_note_id, stats_window_days

# (metric, label on the total, title of its chart)
METRIC_LABELS = {
    "views": (_("Views"), _("Views per day")),
    "likes": (_("Likes"), _("Likes per day")),
    "collects": (_("Collects"), _("Collects per day")),
    "comments": (_("Comments"), _("Comments per day")),
    "followers": (_("New followers"), _("New followers per day")),
    "card_clicks": (_("Product clicks"), _("Product card clicks per day")),
    "orders": (_("Orders"), _("Orders per day")),
    "revenue": (_("Revenue"), _("Revenue per day")),
}


def figure(value) -> str:
    """A total as the page shows it: money with ¥ and cents, counts with thousands separators."""
    if isinstance(value, Decimal):
        return charts.money(value)
    return f"{value:,}"


@login_required
def creator_stats_page(request):
    days = stats_window_days(request.GET.get("days"))
    note_id = stats_note_id(request.GET.get("note"))
    stats = creator_stats(user=request.user, days=days, note_id=note_id)
    metrics = []
    for metric in stats.metrics:
        label, chart_title = METRIC_LABELS[metric]
        is_money = metric == "revenue"
        chart = None
        if stats.has_notes:
            chart = charts.daily_bar_chart(
                chart_id=f"stats-{metric}",
                title=str(chart_title),
                points=stats.series[metric],
                format_value=charts.money if is_money else charts.compact_number,
                format_tick=charts.money_compact if is_money else charts.compact_number,
                integers=not is_money,
            )
        metrics.append({"key": metric, "label": label, "total": figure(stats.totals[metric]), "chart": chart})
    note_query = f"&note={note_id}" if note_id is not None else ""
    windows = [{"days": d, "active": d == days, "query": f"?days={d}{note_query}"} for d in WINDOW_DAYS]
    return render(
        request,
        "community/creator_stats.html",
        {
            "stats": stats,
            "metrics": metrics,
            "windows": windows,
            "days": days,
            "first_day": charts.day_long(stats.window.first_day),
            "last_day": charts.day_long(stats.window.last_day),
            "note_rows": [{"row": row, "revenue": charts.money(row.revenue)} for row in stats.notes],
        },
    )
