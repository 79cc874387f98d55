"""The personal feed in real Chromium: "not interested" takes the note away and the writer or topic with
it on the very next page; a new reader picks interests, the first page reflects them, collecting two notes
of another topic tilts the next page to it; a note page ends with related notes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from community.selectors import feeds as feed_selectors
from community.tests.factories import FeedNoteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = 8
OLD = timedelta(days=4)  # past the exploration window, so the order is the sources' alone


def _ids(page) -> list[int]:
    return [
        int(x)
        for x in page.locator('[data-testid="note-card"]').evaluate_all("cs => cs.map(c => c.dataset.noteId)")
    ]


def _topic_notes(topic: str, count: int, *, hot: float, writer=None):
    return [
        FeedNoteFactory(
            author=writer or UserFactory(),
            title=f"{topic}{i}",
            topics=[topic],
            hot_score=hot - i / 100,
            age=OLD,
        )
        for i in range(count)
    ]


def test_not_interested_removes_the_note_and_the_writer_on_the_next_page(page, login_as, monkeypatch):
    monkeypatch.setattr(feed_selectors, "FEED_PAGE_SIZE", PAGE)
    writer = UserFactory(nickname="刷屏的人")
    theirs = _topic_notes("猫", 2, hot=9.0, writer=writer)
    others = _topic_notes("猫", 10, hot=5.0)
    _topic_notes("狗", 20, hot=1.0)
    reader = UserFactory()
    reader.date_joined -= timedelta(days=30)
    reader.save(update_fields=["date_joined"])
    login_as(page, reader)
    page.goto(page.base_url + "/")
    first = _ids(page)
    assert theirs[0].pk in first
    # the reader says "less from this writer" on the writer's first card
    card = page.locator(f'[data-note-id="{theirs[0].pk}"]')
    card.locator('[data-testid="note-card-menu"] summary').click()
    card.get_by_test_id("hide-writer").click()
    expect(card.get_by_test_id("note-hidden")).to_be_visible()
    # and "not interested" in another note
    card = page.locator(f'[data-note-id="{others[0].pk}"]')
    if card.count():
        card.locator('[data-testid="note-card-menu"] summary').click()
        card.get_by_test_id("hide-note").click()
        expect(card.get_by_test_id("note-hidden")).to_be_visible()
    # the next page (scrolling on) has neither, and a fresh visit neither
    page.locator('[data-testid="feed-more"]').scroll_into_view_if_needed()
    expect(page.locator('[data-testid="note-card"]')).to_have_count(2 * PAGE, timeout=10_000)
    later = _ids(page)[PAGE:]
    assert theirs[1].pk not in later and others[0].pk not in later
    page.goto(page.base_url + "/")
    again = _ids(page)
    assert not {theirs[0].pk, theirs[1].pk, others[0].pk} & set(again)


def test_new_reader_picks_interests_then_collects_and_the_feed_follows(page, login_as, monkeypatch):
    monkeypatch.setattr(feed_selectors, "FEED_PAGE_SIZE", PAGE)
    travel = _topic_notes("旅行", 12, hot=9.0)
    cats = _topic_notes("猫", 12, hot=5.0)
    coffee = _topic_notes("咖啡", 12, hot=1.0)
    login_as(page, UserFactory())  # a day-one account
    page.goto(page.base_url + "/")
    picker = page.get_by_test_id("interests")
    expect(picker).to_be_visible()
    picker.get_by_test_id("interest-猫").check()
    picker.get_by_test_id("interests-save").click()
    expect(page.get_by_test_id("interests")).to_have_count(0)
    first = _ids(page)
    cat_ids, coffee_ids = {n.pk for n in cats}, {n.pk for n in coffee}
    assert first[0] in cat_ids
    assert sum(n in cat_ids for n in first) >= 3
    # the reader opens and collects two coffee notes
    for note in coffee[:2]:
        page.goto(page.base_url + f"/notes/{note.pk}/")
        bar = page.get_by_test_id("note-bar")
        bar.get_by_test_id("collect-button").click()
        page.get_by_test_id("collect-picker").get_by_test_id("board-choice").first.click()
        expect(bar.get_by_test_id("collect-button")).to_have_attribute("aria-pressed", "true")
    page.goto(page.base_url + "/")
    after = _ids(page)
    assert sum(n in coffee_ids for n in after) >= 2
    assert sum(n in coffee_ids for n in after) > sum(n in coffee_ids for n in first)
    assert not {coffee[0].pk, coffee[1].pk} & set(after)  # collected notes are not offered again
    assert travel  # the hottest topic is still there to fill, not gone


def test_a_note_page_ends_with_related_notes(page):
    note = FeedNoteFactory(title="防晒霜测评", topics=["防晒"])
    related = _topic_notes("防晒", 3, hot=2.0)
    page.goto(page.base_url + f"/notes/{note.pk}/")
    section = page.get_by_test_id("note-related")
    expect(section.locator('[data-testid="note-card"]')).to_have_count(3)
    shown = {
        int(x)
        for x in section.locator('[data-testid="note-card"]').evaluate_all(
            "cs => cs.map(c => c.dataset.noteId)"
        )
    }
    assert shown == {n.pk for n in related}
