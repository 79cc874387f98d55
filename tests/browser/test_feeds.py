"""The discovery feed in real Chromium: the waterfall loads more cards as the reader scrolls, a card opens
its note, the back button returns to the same cards at the same place; two columns on a phone."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from community.models import Note
from community.selectors import feeds as feed_selectors
from community.tests.factories import FeedNoteFactory, follow, like
from tests.browser.helpers import assert_clean, low_contrast, scroll_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("HONGSHU_SCREENSHOTS", "")
PAGE = 8


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


@pytest.fixture
def feed(monkeypatch):
    """Thirty public notes in three cover shapes, hottest first by id; a small page size."""
    monkeypatch.setattr(feed_selectors, "FEED_PAGE_SIZE", PAGE)
    writers = [UserFactory(nickname=name) for name in ("Lily爱护肤", "Ken on the road", "零食大王")]
    shapes = [(540, 720), (540, 540), (540, 405)]
    notes = []
    for i in range(30):
        width, height = shapes[i % 3]
        notes.append(
            FeedNoteFactory(
                author=writers[i % 3],
                title=f"第{i}篇 种草笔记" if i % 2 else f"Review number {i}",
                hot_score=100 - i,
                cover__width=width,
                cover__height=height,
            )
        )
    return notes


def _cards(page):
    return page.locator('[data-testid="note-card"]')


def test_reader_scrolls_past_the_first_page_opens_a_note_and_comes_back_to_the_same_place(page, feed):
    # given the discovery feed
    page.goto(page.base_url + "/hot/")
    expect(_cards(page)).to_have_count(PAGE)
    assert _cards(page).first.get_attribute("data-note-id") == str(feed[0].pk)

    # when the reader scrolls to the end of the first page, more cards appear, in order
    page.locator('[data-testid="feed-more"]').scroll_into_view_if_needed()
    expect(_cards(page)).to_have_count(2 * PAGE)
    page.locator('[data-testid="feed-more"]').scroll_into_view_if_needed()
    expect(_cards(page)).to_have_count(3 * PAGE)
    ids = _cards(page).evaluate_all("els => els.map(e => Number(e.dataset.noteId))")
    assert ids == [n.pk for n in feed[: 3 * PAGE]]  # no card twice, none skipped
    _shot(page, "feed-desktop-scrolled")

    # and opens a card from the second page
    target = feed[PAGE + 3]
    card = page.locator(f'[data-note-id="{target.pk}"]')
    card.scroll_into_view_if_needed()
    top_before = card.bounding_box()["y"]
    scroll_before = page.evaluate("window.scrollY")
    card.locator('[data-testid="note-card-link"]').click()
    # the card tap carries the surface it came from (recs counts taps by surface, docs/architecture.md)
    expect(page).to_have_url(re.compile(rf"/notes/{target.pk}/\?from=discover$"))
    expect(page.get_by_text(target.title).first).to_be_visible()

    # then the back button shows the same cards with that card where it was
    page.go_back()
    expect(page).to_have_url(page.base_url + "/hot/")
    expect(_cards(page)).to_have_count(3 * PAGE)
    card = page.locator(f'[data-note-id="{target.pk}"]')
    expect(card).to_be_in_viewport()
    assert abs(page.evaluate("window.scrollY") - scroll_before) < 40
    assert abs(card.bounding_box()["y"] - top_before) < 40

    # and scrolling on still loads the rest, to the end
    page.locator('[data-testid="feed-more"]').scroll_into_view_if_needed()
    expect(_cards(page)).to_have_count(len(feed))
    expect(page.locator('[data-testid="feed-end"]')).to_be_visible()
    assert_clean(page)


def test_desktop_waterfall_has_four_or_five_columns_and_cards_keep_their_cover_shape(page, feed):
    page.goto(page.base_url + "/hot/")
    expect(_cards(page)).to_have_count(PAGE)

    boxes = [_cards(page).nth(i).locator(".note-card-cover").bounding_box() for i in range(PAGE)]
    columns = {round(b["x"]) for b in boxes}
    assert 4 <= len(columns) <= 5
    for note, box in zip(feed, boxes, strict=False):
        assert box["height"] / box["width"] == pytest.approx(note.cover.height / note.cover.width, abs=0.02)
    # Cards in a column do not overlap: the grid reserved each one's height before any image loaded.
    by_column: dict[int, list[dict]] = {}
    for i in range(PAGE):
        box = _cards(page).nth(i).bounding_box()
        by_column.setdefault(round(box["x"]), []).append(box)
    for stack in by_column.values():
        for upper, lower in zip(stack, stack[1:], strict=False):
            assert upper["y"] + upper["height"] <= lower["y"] + 1
    assert low_contrast(page, ".note-card-name, .note-card-likes, .note-card-title") == []
    assert_clean(page)


def test_phone_shows_two_columns_with_titles_authors_and_likes(phone_page, feed):
    reader = UserFactory()
    like(reader, feed[1])
    phone_page.goto(phone_page.base_url + "/hot/")
    expect(_cards(phone_page)).to_have_count(PAGE)

    xs = {round(_cards(phone_page).nth(i).bounding_box()["x"]) for i in range(6)}
    assert len(xs) == 2
    first = _cards(phone_page).first
    assert first.bounding_box()["width"] < 200
    expect(first.locator(".note-card-title")).to_have_text(feed[0].title)
    expect(first.locator(".note-card-name")).to_have_text("Lily爱护肤")
    expect(phone_page.locator('[data-testid="feed-tab-discover"]')).to_be_visible()
    assert scroll_width(phone_page) <= 390
    # The bottom tab bar does not cover the last card's text: the page scrolls far enough.
    _shot(phone_page, "feed-phone")
    assert_clean(phone_page)


def test_following_tab_shows_notes_of_followed_writers(page, login_as, feed):
    reader = login_as(page, UserFactory())
    writer = Note.objects.get(pk=feed[2].pk).author
    follow(reader, writer)

    page.goto(page.base_url + "/hot/")
    page.locator('[data-testid="feed-tab-following"]').click()

    expect(page).to_have_url(re.compile(r"/following/$"))
    expect(_cards(page)).to_have_count(10)  # all of the writer's notes: the page fills the screen
    names = _cards(page).locator(".note-card-name").all_inner_texts()
    assert set(names) == {writer.display_name}
    assert_clean(page)
