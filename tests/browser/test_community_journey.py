"""Issue 3's whole journey in one run of real Chromium, two people at once:

a writer publishes a note with three photos and a topic, edits it, finds it in the feed and on the topic
page; a reader scrolls the waterfall past the first page, opens the note, likes it, collects it into a new
board, comments, replies to the writer and follows them; the writer sees the notifications and the badge;
search finds the note by a two-character Chinese word and by an English word.
"""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import pytest
from PIL import Image
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from community.models import Board, Collect, Comment, Follow, Like, Note, Notification
from community.selectors import feeds as feed_selectors
from community.services.comments import comment_create
from community.tests.factories import FeedNoteFactory
from tests.browser.helpers import assert_clean
from tests.support.tasks import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAGE = 8


def _photo(tmp_path, name: str, size: tuple[int, int], color) -> str:
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return str(path)


def _scroll_until(page, locator, tries: int = 20) -> None:
    """Scroll the waterfall (infinite scroll) until ``locator`` is on the page."""
    for _ in range(tries):
        if locator.count():
            return
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
    expect(locator).to_have_count(1)


def _search(page, text: str) -> None:
    box = page.get_by_role("combobox", name="Search")
    box.fill(text)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))


def test_writer_and_reader_journey(
    page, browser, live_server, login_as, tmp_path, celery_worker, monkeypatch
):
    monkeypatch.setattr(feed_selectors, "FEED_PAGE_SIZE", PAGE)
    # A busy feed: a dozen hotter notes by others.
    for i in range(12):
        FeedNoteFactory(title=f"Hot note {i}", hot_score=1000 - i)
    writer = login_as(page, UserFactory(nickname="小美"))

    # --- the writer publishes a note with three photos and a #topic ---
    page.goto(page.base_url + "/notes/new/")
    page.locator("input[name=images]").set_input_files(
        [
            _photo(tmp_path, "a.jpg", (700, 700), (255, 36, 66)),
            _photo(tmp_path, "b.jpg", (600, 900), (30, 120, 200)),
            _photo(tmp_path, "c.jpg", (900, 600), (40, 180, 90)),
        ]
    )
    expect(page.locator("[data-photo-grid] .photo-tile")).to_have_count(3)
    page.get_by_label("Title").fill("冬天的面霜")
    page.get_by_label("Text").fill("A rich moisturiser for winter nights, 敏感肌也能用 #冬季护肤 ")
    page.get_by_test_id("publish").click()
    page.wait_for_url(re.compile(r"/notes/\d+/$"))
    note = Note.objects.get(author=writer)
    assert note.images.count() == 3
    assert list(note.topics.values_list("name", flat=True)) == ["冬季护肤"]

    # --- edits it ---
    page.get_by_test_id("edit-note").click()
    page.wait_for_url(re.compile(r"/notes/\d+/edit/$"))
    page.get_by_label("Title").fill("冬天的面霜 Winter")
    page.get_by_test_id("publish").click()
    page.wait_for_url(re.compile(rf"/notes/{note.pk}/$"))
    expect(page.get_by_test_id("note-title")).to_have_text("冬天的面霜 Winter")

    # --- sees it in the hot feed (below the hotter notes) and on the topic page ---
    Note.objects.filter(pk=note.pk).update(hot_score=1)
    page.goto(page.base_url + "/hot/")
    card = page.locator(f'[data-testid="note-card"][data-note-id="{note.pk}"]')
    _scroll_until(page, card)
    expect(card).to_contain_text("冬天的面霜 Winter")
    page.goto(page.base_url + f"/topics/{quote('冬季护肤')}/")
    expect(page.locator(f'[data-testid="note-card"][data-note-id="{note.pk}"]')).to_have_count(1)
    assert_clean(page)

    # The writer asks a question under their own note; the reader will answer it.
    question = comment_create(author=writer, note=note, body="Which cream do you use at night?")

    # --- a reader scrolls the waterfall past the first page and opens the note ---
    reader = UserFactory(nickname="Reader Rui")
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
    other = context.new_page()
    other.base_url = live_server.url
    errors: list[str] = []
    other.on("pageerror", lambda exc: errors.append(str(exc)))
    login_as(other, reader)
    other.goto(other.base_url + "/hot/")
    expect(other.get_by_test_id("note-card")).to_have_count(PAGE)
    reader_card = other.locator(f'[data-testid="note-card"][data-note-id="{note.pk}"]')
    _scroll_until(other, reader_card)
    assert other.get_by_test_id("note-card").count() > PAGE
    reader_card.locator("a").first.click()
    other.wait_for_url(re.compile(rf"/notes/{note.pk}/"))
    bar = other.get_by_test_id("action-bar")

    # likes, collects into a new board, comments, replies to the writer, follows them
    bar.get_by_test_id("like-button").click()
    expect(bar.get_by_test_id("like-count")).to_have_text("1")
    bar.get_by_test_id("collect-button").click()
    picker = other.get_by_test_id("collect-picker")
    picker.get_by_test_id("board-new-name").fill("Winter skincare")
    picker.get_by_test_id("board-new-submit").click()
    expect(bar.get_by_test_id("collect-count")).to_have_text("1")
    box = other.get_by_test_id("comment-input")
    box.fill("Looks great, where can I buy it?")
    other.get_by_test_id("comment-submit").click()
    expect(other.get_by_test_id("comment").first.get_by_test_id("comment-body").first).to_have_text(
        "Looks great, where can I buy it?"
    )
    asked = other.get_by_test_id("comment").filter(has_text="Which cream do you use at night?")
    asked.get_by_test_id("reply-link").first.click()
    box.fill("The same one, every night")
    other.get_by_test_id("comment-submit").click()
    expect(asked.get_by_test_id("reply")).to_have_text(re.compile("The same one, every night"))
    other.get_by_test_id("follow-button").click()
    expect(other.get_by_test_id("follow-button")).to_have_text("Following")
    assert errors == []

    assert Like.objects.filter(user=reader, note=note).exists()
    assert Collect.objects.get(user=reader, note=note).board == Board.objects.get(
        owner=reader, name="Winter skincare"
    )
    assert Comment.objects.get(body="The same one, every night").parent == question
    assert Follow.objects.filter(follower=reader, followee=writer).exists()

    # --- the writer sees the notifications and the badge ---
    # like, collect, comment, reply to their question, new follower: five, made by the worker after commit.
    assert wait_until(lambda: Notification.objects.filter(recipient=writer).count() == 5)
    page.goto(page.base_url + "/")
    badge = page.get_by_test_id("tab-messages").get_by_test_id("unread-badge")
    expect(badge).to_have_text("5")
    page.get_by_test_id("tab-messages").click()
    expect(page.get_by_test_id("notification").first).to_contain_text("Reader Rui")
    page.get_by_test_id("inbox-comments").click()
    page.wait_for_url("**inbox=comments**")
    expect(page.get_by_test_id("notification")).to_have_count(2)
    page.get_by_test_id("inbox-follows").click()
    page.wait_for_url("**inbox=follows**")
    expect(page.get_by_test_id("notification").first).to_contain_text("started following you")
    page.goto(page.base_url + "/")
    expect(page.get_by_test_id("tab-messages").get_by_test_id("unread-badge")).to_have_count(0)

    # --- search finds the note by a two-character Chinese word and by an English word ---
    for query in ("面霜", "moisturiser"):
        _search(other, query)
        expect(other.locator(f'[data-testid="note-card"][data-note-id="{note.pk}"]')).to_have_count(1)
    assert errors == []
    assert_clean(page)
    context.close()
