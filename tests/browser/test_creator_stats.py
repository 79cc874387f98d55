"""A writer opens their statistics from their profile, reads the totals and charts, switches between 7 and
30 days; on a phone the page fits the screen."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.tests.factories import NoteFactory
from community.tests.support.stats import click, comment, follow, like, local_day, order, ref, views
from tests.browser.helpers import assert_clean, low_contrast, scroll_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("HONGSHU_SCREENSHOTS", "")
METRICS = ("views", "likes", "collects", "comments", "followers", "card_clicks", "orders", "revenue")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def writer_with_activity():
    """Two notes with activity this week and some from two weeks ago (30 days only)."""
    now = timezone.now()
    today = local_day(now)
    earlier = now - dt.timedelta(days=12)
    writer = UserFactory(nickname="Writer Wen")
    readers = UserFactory.create_batch(3)
    toner = NoteFactory(author=writer, title="Best toner 2024")
    serum = NoteFactory(author=writer, title="Serum, honestly")
    views(toner, today, 120)
    views(toner, today - dt.timedelta(days=2), 30)
    views(serum, today - dt.timedelta(days=1), 40)
    views(serum, today - dt.timedelta(days=12), 300)
    for reader in readers:
        like(reader, toner, now - dt.timedelta(hours=1))
        like(reader, serum, earlier)
    comment(readers[0], toner, now - dt.timedelta(hours=2))
    comment(writer, toner, now - dt.timedelta(hours=1))  # the writer's own reply: not counted
    follow(readers[0], writer, now - dt.timedelta(days=1))
    follow(readers[1], writer, earlier)
    click(toner, now - dt.timedelta(hours=3), user=readers[1])
    click(toner, now - dt.timedelta(hours=3), user=readers[2])
    order(readers[1], paid_at=now - dt.timedelta(hours=2), lines=[(ref(toner), "1299.00"), ("", "20.00")])
    order(readers[2], paid_at=earlier, lines=[(ref(serum), "350.50")])
    return writer, toner, serum


def _totals(page) -> dict[str, str]:
    return {m: page.get_by_test_id(f"total-{m}-value").inner_text() for m in METRICS}


def test_a_writer_reads_their_statistics_and_switches_to_30_days(page, login_as, writer_with_activity):
    writer, toner, serum = writer_with_activity
    login_as(page, writer)
    page.goto(page.base_url + f"/users/{writer.pk}/")

    page.get_by_test_id("profile-stats-link").click()
    page.wait_for_url("**/me/stats/")

    assert page.get_by_role("heading", name="Creator statistics").is_visible()
    assert page.get_by_test_id("window-7").get_attribute("aria-current") == "page"
    assert _totals(page) == {
        "views": "190",
        "likes": "3",
        "collects": "0",
        "comments": "1",
        "followers": "1",
        "card_clicks": "2",
        "orders": "1",
        "revenue": "¥1,299.00",
    }
    # Eight charts, drawn as images people and screen readers can read.
    charts = page.locator("svg.stats-chart-svg[role=img]")
    assert charts.count() == 8
    views_chart = page.get_by_test_id("chart-stats-views")
    assert views_chart.is_visible()
    assert views_chart.locator("title").first.text_content() == "Views per day"
    assert views_chart.locator("rect").count() == 7
    assert views_chart.locator("rect").last.get_attribute("data-value") == "120"  # today, on the right
    assert views_chart.bounding_box()["height"] > 100
    # The top notes, most viewed first.
    rows = page.get_by_test_id("stats-note")
    assert rows.count() == 2
    assert rows.first.get_attribute("data-note-id") == str(toner.pk)
    assert rows.first.locator("[data-metric=revenue]").inner_text() == "¥1,299.00"
    text = ".stats-window, .stats-period, .stats-total dt, .stats-total dd, .stats-chart-head span, .stats-table th, .stats-table td, .stats-hint"
    assert low_contrast(page, text) == []
    _shot(page, "desktop-stats-7")

    page.get_by_test_id("window-30").click()
    page.wait_for_url("**days=30")

    assert page.get_by_test_id("window-30").get_attribute("aria-current") == "page"
    totals = _totals(page)
    assert totals["views"] == "490"
    assert totals["likes"] == "6"
    assert totals["followers"] == "2"
    assert totals["orders"] == "2"
    assert totals["revenue"] == "¥1,649.50"
    assert page.get_by_test_id("chart-stats-views").locator("rect").count() == 30
    assert page.get_by_test_id("stats-note").first.get_attribute("data-note-id") == str(serum.pk)
    _shot(page, "desktop-stats-30")

    # One note, day by day: its own totals and charts, no followers (people follow writers).
    page.get_by_test_id("stats-note").first.get_by_test_id("stats-note-link").click()
    page.wait_for_url(f"**note={serum.pk}")
    assert serum.title in page.get_by_test_id("stats-scope").inner_text()
    assert page.get_by_test_id("window-30").get_attribute("aria-current") == "page"
    assert page.get_by_test_id("total-views-value").inner_text() == "340"
    assert page.get_by_test_id("total-revenue-value").inner_text() == "¥350.50"
    assert page.get_by_test_id("total-followers").count() == 0
    assert page.locator("svg.stats-chart-svg").count() == 7
    _shot(page, "desktop-stats-note")
    page.get_by_test_id("window-7").click()
    page.wait_for_url(f"**days=7&note={serum.pk}")
    assert page.get_by_test_id("total-views-value").inner_text() == "40"
    page.get_by_test_id("stats-all-notes").click()
    page.wait_for_url("**/me/stats/?days=7")
    assert page.get_by_test_id("stats-note").count() == 2
    assert_clean(page)


def test_on_a_phone_the_statistics_fit_the_screen(phone_page, login_as, writer_with_activity):
    writer, _toner, _serum = writer_with_activity
    page = phone_page
    login_as(page, writer)
    page.goto(page.base_url + "/me/stats/?days=30")

    assert page.locator("svg.stats-chart-svg").count() == 8
    assert scroll_width(page) <= 390
    for metric in METRICS:
        box = page.get_by_test_id(f"chart-stats-{metric}").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, metric
    # Totals two by two; the per-note table scrolls inside its own box, not the page.
    first, second = (page.get_by_test_id(f"total-{m}").bounding_box() for m in ("views", "likes"))
    assert round(first["y"]) == round(second["y"])
    wrap = page.locator(".stats-table-wrap").bounding_box()
    assert wrap["x"] + wrap["width"] <= 390
    _shot(page, "phone-stats-30")
    assert_clean(page)


def test_a_new_writer_is_told_how_to_start(page, login_as):
    login_as(page, UserFactory())
    page.goto(page.base_url + "/me/stats/")

    empty = page.get_by_test_id("empty")
    assert "Post your first note" in empty.inner_text()
    assert page.locator("svg.stats-chart-svg").count() == 0
    empty.get_by_role("link").click()
    page.wait_for_url("**/notes/new/")
    assert_clean(page)
