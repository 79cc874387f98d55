"""A reader on a note page: likes, collects into a new board, comments, replies and follows the writer,
all without a reload; reloading shows the same state. The same actions work with JavaScript off."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from community.models import Board, Collect, Comment, Follow, Like
from community.services.comments import comment_create
from community.tests.factories import NoteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, user) -> None:
    """Hand the page a real session cookie (the login form has tests of its own)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base_url}]
    )


@pytest.fixture
def writer():
    return UserFactory(nickname="Lin the writer")


@pytest.fixture
def note(writer):
    note = NoteFactory(author=writer, title="敏感肌面霜测评", body="Gentle and light. #护肤", images=2)
    comment_create(author=UserFactory(nickname="Early bird"), note=note, body="Is it good for dry skin?")
    return note


def test_a_reader_likes_collects_comments_replies_and_follows_without_a_reload(page, note, writer):
    reader = UserFactory(nickname="Reader")
    sign_in(page, reader)
    page.goto(f"{page.base_url}/notes/{note.pk}/")
    page.evaluate("window.__sameDocument = true")
    bar = page.get_by_test_id("action-bar")

    # Like: the heart fills and the count comes from the server.
    bar.get_by_test_id("like-button").click()
    expect(bar.get_by_test_id("like-button")).to_have_attribute("aria-pressed", "true")
    expect(bar.get_by_test_id("like-count")).to_have_text("1")

    # Collect: the star opens the board picker; a new private board takes the note.
    bar.get_by_test_id("collect-button").click()
    picker = page.get_by_test_id("collect-picker")
    expect(picker).to_be_visible()
    expect(picker.get_by_test_id("board-choice")).to_contain_text("Default board")
    picker.get_by_test_id("board-new-name").fill("Skincare to try")
    picker.get_by_test_id("board-new-private").check()
    picker.get_by_test_id("board-new-submit").click()
    expect(picker).to_have_count(0)
    expect(bar.get_by_test_id("collect-button")).to_have_attribute("aria-pressed", "true")
    expect(bar.get_by_test_id("collect-count")).to_have_text("1")

    # Comment: the comment button focuses the box; the comment lands at the top of the list.
    bar.get_by_test_id("comment-button").click()
    box = page.get_by_test_id("comment-input")
    expect(box).to_be_focused()
    box.fill("Bought it after reading this <b>really</b>")
    page.get_by_test_id("comment-submit").click()
    first = page.get_by_test_id("comment").first
    expect(first.get_by_test_id("comment-body").first).to_have_text(
        "Bought it after reading this <b>really</b>"
    )
    expect(box).to_have_value("")
    expect(bar.get_by_test_id("comment-count")).to_have_text("2")
    expect(page.get_by_test_id("comments-total")).to_have_text("2")

    # Reply to the early bird's comment: the box says whom, the reply goes under that comment.
    early = page.get_by_test_id("comment").filter(has_text="Is it good for dry skin?")
    early.get_by_test_id("reply-link").first.click()
    expect(box).to_have_attribute("placeholder", re.compile("Early bird"))
    expect(box).to_be_focused()
    box.fill("Yes, it is fine for dry skin")
    page.get_by_test_id("comment-submit").click()
    expect(early.get_by_test_id("reply")).to_have_text(re.compile("Yes, it is fine for dry skin"))
    expect(box).to_have_attribute("placeholder", re.compile("Say something"))

    # Follow the writer from the note's header.
    follow = page.get_by_test_id("follow-button")
    follow.click()
    expect(follow).to_have_text("Following")

    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    assert page.js_errors == []

    # Reloading shows the same state, from the database.
    page.reload()
    bar = page.get_by_test_id("action-bar")
    expect(bar.get_by_test_id("like-button")).to_have_attribute("aria-pressed", "true")
    expect(bar.get_by_test_id("like-count")).to_have_text("1")
    expect(bar.get_by_test_id("collect-button")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("follow-button")).to_have_text("Following")
    expect(page.get_by_test_id("comment")).to_have_count(2)
    expect(page.get_by_test_id("reply")).to_have_text(re.compile("Yes, it is fine for dry skin"))
    assert page.js_errors == []

    assert Like.objects.filter(user=reader, note=note).count() == 1
    board = Board.objects.get(owner=reader, name="Skincare to try")
    assert board.is_private and Collect.objects.get(user=reader, note=note).board == board
    assert Follow.objects.filter(follower=reader, followee=writer).exists()
    reply = Comment.objects.get(body="Yes, it is fine for dry skin")
    assert reply.parent.body == "Is it good for dry skin?"


def test_unliking_sharing_deleting_a_comment_and_closing_the_picker(page, note):
    reader = UserFactory(nickname="Reader")
    comment_create(author=reader, note=note, body="Mine, to delete")
    sign_in(page, reader)
    page.goto(f"{page.base_url}/notes/{note.pk}/")
    bar = page.get_by_test_id("action-bar")

    bar.get_by_test_id("like-button").click()
    expect(bar.get_by_test_id("like-count")).to_have_text("1")
    bar.get_by_test_id("like-button").click()
    expect(bar.get_by_test_id("like-button")).to_have_attribute("aria-pressed", "false")
    expect(bar.get_by_test_id("like-count")).to_have_text("0")

    bar.get_by_test_id("collect-button").click()
    expect(page.get_by_test_id("collect-picker")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("collect-picker")).to_have_count(0)

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base_url)
    bar.get_by_test_id("share-button").click()
    expect(page.locator("#toasts")).to_contain_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"{page.base_url}/notes/{note.pk}/"

    mine = page.get_by_test_id("comment").filter(has_text="Mine, to delete")
    mine.get_by_test_id("comment-delete").click()
    mine.get_by_test_id("comment-delete-confirm").click()
    expect(page.get_by_test_id("comment")).to_have_count(1)
    expect(bar.get_by_test_id("comment-count")).to_have_text("1")

    assert page.js_errors == []
    assert not Like.objects.exists() and not Comment.objects.filter(author=reader).exists()


def test_hostile_comments_do_nothing_in_the_browser(page, note):
    reader = UserFactory(nickname="Reader")
    sign_in(page, reader)
    opened: list[str] = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    page.goto(f"{page.base_url}/notes/{note.pk}/")

    box = page.get_by_test_id("comment-input")
    box.fill('<img src=x onerror=alert(1)><button hx-post="/accounts/logout/" hx-trigger="load">x</button>')
    page.get_by_test_id("comment-submit").click()
    expect(page.get_by_test_id("comment")).to_have_count(2)
    page.reload()
    expect(page.get_by_test_id("comment").filter(has_text="<img src=x onerror=alert(1)>")).to_have_count(1)

    assert opened == []
    assert page.get_by_test_id("comment-body").locator("img, button").count() == 0
    page.goto(f"{page.base_url}/notes/{note.pk}/")
    expect(page.get_by_test_id("comment-input")).to_be_visible()  # still signed in: the hx-post never ran
    assert page.js_errors == []


def test_an_anonymous_like_goes_to_the_login_page(page, note):
    page.goto(f"{page.base_url}/notes/{note.pk}/")

    page.get_by_test_id("like-button").click()

    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    assert not Like.objects.exists()


def test_the_same_actions_work_with_javascript_off(browser, live_server, note, writer):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}, locale="en-US"
    )
    page = context.new_page()
    page.base_url = live_server.url
    try:
        reader = UserFactory(nickname="Reader")
        sign_in(page, reader)
        page.goto(f"{page.base_url}/notes/{note.pk}/")

        page.get_by_test_id("like-button").click()
        expect(page.get_by_test_id("like-count")).to_have_text("1")

        page.get_by_test_id("collect-button").click()  # the picker on a page of its own
        page.get_by_test_id("board-new-name").fill("Later")
        page.get_by_test_id("board-new-submit").click()
        expect(page.get_by_test_id("collect-button")).to_have_attribute("aria-pressed", "true")

        page.get_by_test_id("comment-input").fill("Plain form comment")
        page.get_by_test_id("comment-submit").click()
        expect(page.get_by_test_id("comment-body").filter(has_text="Plain form comment")).to_be_visible()

        early = page.get_by_test_id("comment").filter(has_text="Is it good for dry skin?")
        early.get_by_test_id("reply-link").click()  # the reply form on a page of its own
        page.get_by_test_id("comment-input").fill("Plain form reply")
        page.get_by_test_id("comment-submit").click()
        early = page.get_by_test_id("comment").filter(has_text="Is it good for dry skin?")
        expect(early.get_by_test_id("reply")).to_contain_text("Plain form reply")

        page.get_by_test_id("follow-button").click()
        expect(page.get_by_test_id("follow-button")).to_have_text("Following")
    finally:
        context.close()

    assert Collect.objects.get(user=reader).board.name == "Later"
    assert Comment.objects.get(body="Plain form reply").parent.body == "Is it good for dry skin?"
