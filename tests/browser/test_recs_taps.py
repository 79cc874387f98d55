"""Card taps in real Chromium: tapping a card on the for-you feed or in search results opens the note with
the surface it came from, and the note page's "more like this" records the tap (static/js/recs.js)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_redis import get_redis_connection
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from community.services.search import notes_search_reindex
from community.tests.factories import FeedNoteFactory
from recs import keys

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _taps() -> dict[str, int]:
    pending = get_redis_connection("default").hgetall(keys.impressions_pending())
    return {k.decode(): int(v) for k, v in pending.items() if k.startswith(b"t:")}


def test_a_tapped_card_says_where_it_came_from(page, login_as):
    notes = [
        FeedNoteFactory(title=f"露营{i}", topics=["露营"], hot_score=5 - i / 10, age=timedelta(days=4))
        for i in range(6)
    ]
    notes_search_reindex()
    reader = UserFactory()
    reader.date_joined -= timedelta(days=30)
    reader.save(update_fields=["date_joined"])
    login_as(page, reader)
    page.goto(page.base_url + "/")
    card = page.get_by_test_id("note-card").first
    tapped = int(card.get_attribute("data-note-id"))
    card.get_by_test_id("note-card-link").click()
    page.wait_for_url(f"**/notes/{tapped}/?from=foryou")
    expect(page.get_by_test_id("note-related").get_by_test_id("note-card").first).to_be_visible()
    source = get_redis_connection("default").hget(keys.shown_source(f"u:{reader.pk}"), str(tapped))
    assert _taps() == {f"t:foryou:{source.decode()}": 1}
    # a card in the search results is a tap from search
    page.goto(page.base_url + "/search/?q=露营")
    result = (
        page.get_by_test_id("search-results")
        .locator(f'[data-testid=note-card]:not([data-note-id="{tapped}"])')
        .first
    )
    other = int(result.get_attribute("data-note-id"))
    assert other in {n.pk for n in notes}
    result.get_by_test_id("note-card-link").click()
    page.wait_for_url(f"**/notes/{other}/?from=search")
    expect(page.get_by_test_id("note-related").get_by_test_id("note-card").first).to_be_visible()
    assert _taps()["t:search:-"] == 1
