"""A writer hears about a reader's like and comment: the badge on Messages, the inboxes, the badge clears.

The reader acts through the services; the notifications are made by the real Celery worker after commit.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from accounts.tests.factories import UserFactory
from community.models import Notification
from community.services.comments import comment_create
from community.services.interactions import note_like, user_follow
from community.tests.factories import NoteFactory
from tests.browser.helpers import assert_clean, scroll_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("HONGSHU_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _wait_for_rows(recipient, count: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while Notification.objects.filter(recipient=recipient).count() < count:
        assert time.monotonic() < deadline, "the worker did not make the notifications"
        time.sleep(0.05)


@pytest.fixture
def liked_and_commented(celery_worker):
    writer = UserFactory(nickname="Writer Wen")
    reader = UserFactory(nickname="Reader Rui")
    note = NoteFactory(author=writer, title="Best toner 2024")
    note_like(user=reader, note=note)
    comment_create(author=reader, note=note, body="Does it sting on sensitive skin?")
    _wait_for_rows(writer, 2)
    return writer, reader, note


def _journey(page, login_as, writer, reader, name: str) -> None:
    login_as(page, writer)
    page.goto(page.base_url + "/")

    badge = page.get_by_test_id("tab-messages").get_by_test_id("unread-badge")
    assert badge.inner_text() == "2"

    page.get_by_test_id("tab-messages").click()
    page.wait_for_url("**/notifications/**")
    # The first inbox with news opens: likes & collects, with the comments inbox still counting one.
    assert page.get_by_test_id("inbox-likes").get_attribute("aria-current") == "page"
    entries = page.get_by_test_id("notification")
    assert entries.count() == 1
    assert entries.first.get_by_test_id("notification-actor").inner_text() == "Reader Rui"
    assert "liked your note" in entries.first.get_by_test_id("notification-what").inner_text()
    assert entries.first.locator(".notif-thumb img").get_attribute("alt") == "Best toner 2024"
    assert page.get_by_test_id("inbox-unread-comments").inner_text().endswith("1")
    assert page.get_by_test_id("tab-messages").get_by_test_id("unread-badge").inner_text() == "1"
    _shot(page, f"{name}-likes")

    page.get_by_test_id("inbox-comments").click()
    page.wait_for_url("**inbox=comments**")
    entry = page.get_by_test_id("notification").first
    assert "commented on your note" in entry.get_by_test_id("notification-what").inner_text()
    assert entry.get_by_test_id("notification-quote").inner_text() == "Does it sting on sensitive skin?"
    assert page.get_by_test_id("tab-messages").get_by_test_id("unread-badge").count() == 0
    assert page.get_by_test_id("inbox-unread-comments").count() == 0
    _shot(page, f"{name}-comments")

    # Later the reader follows: the badge comes back with one, and that inbox opens by itself.
    user_follow(follower=reader, followee=writer)
    _wait_for_rows(writer, 3)
    page.goto(page.base_url + "/")
    assert page.get_by_test_id("tab-messages").get_by_test_id("unread-badge").inner_text() == "1"
    page.get_by_test_id("tab-messages").click()
    assert page.get_by_test_id("inbox-follows").get_attribute("aria-current") == "page"
    assert "started following you" in page.get_by_test_id("notification").first.inner_text()
    assert page.get_by_test_id("tab-messages").get_by_test_id("unread-badge").count() == 0
    _shot(page, f"{name}-follows")
    assert_clean(page)


def test_writer_sees_the_badge_opens_the_inboxes_and_the_badge_clears(page, login_as, liked_and_commented):
    writer, reader, _note = liked_and_commented
    _journey(page, login_as, writer, reader, "desktop-notifications")


def test_the_same_on_a_phone_fits_the_screen(phone_page, login_as, liked_and_commented):
    writer, reader, _note = liked_and_commented
    page = phone_page
    login_as(page, writer)
    page.goto(page.base_url + "/notifications/?inbox=comments")
    assert page.get_by_test_id("notification").count() == 1
    assert scroll_width(page) <= 390
    # The four inbox tabs sit side by side in one row.
    ys = {
        round(page.get_by_test_id(f"inbox-{k}").bounding_box()["y"])
        for k in ("likes", "follows", "comments", "notices")
    }
    assert len(ys) == 1
    _shot(page, "phone-notifications")
    assert_clean(page)


def test_scrolling_loads_older_entries(page, login_as):
    writer = UserFactory()
    note = NoteFactory(author=writer)
    actors = UserFactory.create_batch(3)
    Notification.objects.bulk_create(
        Notification(
            recipient=writer,
            actor=actors[i % 3],
            kind=Notification.Kind.LIKE_NOTE,
            inbox=Notification.Inbox.LIKES,
            note=note,
            dedupe_key=f"scroll:{i}",
        )
        for i in range(25)
    )
    login_as(page, writer)
    page.goto(page.base_url + "/notifications/?inbox=likes&size=10")
    entries = page.get_by_test_id("notification")
    assert entries.count() == 10
    page.get_by_test_id("notification-more").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=notification]').length === 20")
    page.get_by_test_id("notification-more").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=notification]').length === 25")
    assert page.get_by_test_id("notification-more").count() == 0
    assert_clean(page)


def test_a_reader_reports_a_note_an_operator_hides_it_and_only_its_writer_still_sees_it(
    page, login_as, browser
):
    writer = UserFactory(nickname="Writer Wen")
    note = NoteFactory(author=writer, title="Too good to be true")
    reader = UserFactory()
    login_as(page, reader)

    page.goto(page.base_url + f"/notes/{note.pk}/report/")
    page.get_by_text("Fake review or undisclosed promotion").click()
    page.get_by_label("Anything our team should know?").fill("The brand paid for this, not disclosed")
    page.get_by_test_id("report-submit").click()
    page.wait_for_url(f"**/notes/{note.pk}/")
    assert "Thanks" in page.locator(".flash-stack").inner_text()
    _shot(page, "report-sent")
    assert_clean(page)

    operator_context = browser.new_context(viewport={"width": 1280, "height": 860})
    try:
        admin = operator_context.new_page()
        admin.base_url = page.base_url
        login_as(admin, UserFactory(is_staff=True, is_superuser=True))
        admin.goto(page.base_url + "/admin/community/report/")
        row = admin.locator("#result_list tbody tr", has_text="Too good to be true")
        assert "The brand paid for this" in row.inner_text()
        row.locator("input.action-select").check()
        admin.select_option("select[name=action]", "hide_content")
        admin.get_by_role("button", name="Go").click()
        assert "Hid the content of 1 report" in admin.locator(".messagelist").inner_text()
    finally:
        operator_context.close()

    # The reader (and everyone else) no longer finds it; its writer still does, marked as hidden.
    response = page.goto(page.base_url + f"/notes/{note.pk}/")
    assert response.status == 404
    login_as(page, writer)
    response = page.goto(page.base_url + f"/notes/{note.pk}/")
    assert response.status == 200
    assert "Hidden by moderation" in page.inner_text("main")
    assert_clean(page)
