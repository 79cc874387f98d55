"""Drafts and the "Me" hub in real Chromium, on a phone: save a note as a draft, find it from the tab
bar's last tab, publish it with its photos; the hub fits the screen."""

from __future__ import annotations

import os
import re

import pytest

from accounts.tests.factories import UserFactory
from community.models import Note
from tests.browser.helpers import assert_clean, scroll_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_writer_saves_a_draft_finds_it_under_me_and_publishes_it(phone_page, login_as, jpeg_file, dialogs):
    page = phone_page
    writer = login_as(page, UserFactory(nickname="小美"))

    # when the writer composes a note and saves it as a draft
    page.goto(page.base_url + "/notes/new/")
    page.locator("input[name=images]").set_input_files([jpeg_file])
    page.locator("input[name=title]").fill("Not ready yet")
    page.get_by_test_id("save-draft").click()

    # then they land on "Me" (the tab bar's last tab, lit) with the draft among their drafts
    page.wait_for_url(re.compile(r"/accounts/me/"))
    tabs = page.locator(".tabbar [data-testid^=tab-]")
    assert tabs.last.get_attribute("data-testid") == "tab-me"
    assert tabs.last.get_attribute("aria-current") == "page"
    draft = page.get_by_test_id("me-draft")
    assert draft.count() == 1
    assert "Not ready yet" in draft.inner_text()
    for testid in ("me-notes", "me-collects", "me-likes", "me-orders", "me-cart", "me-stats", "logout-me"):
        assert page.get_by_test_id(testid).count() == 1, testid
    assert scroll_width(page) <= page.viewport_size["width"]
    if os.environ.get("HONGSHU_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["HONGSHU_SCREENSHOTS"], "me-phone.png"), full_page=True)
    note = Note.objects.get(author=writer)
    assert note.status == Note.Status.DRAFT

    # when they open it and publish
    draft.click()
    page.wait_for_url(re.compile(rf"/notes/{note.pk}/edit/$"))
    page.get_by_test_id("publish").click()
    page.wait_for_url(re.compile(rf"/notes/{note.pk}/$"))

    # then the note is out, with its photo, and no longer among the drafts
    note.refresh_from_db()
    assert note.status == Note.Status.PUBLISHED
    assert note.images.count() == 1
    page.goto(page.base_url + "/accounts/me/")
    assert page.get_by_test_id("me-draft").count() == 0
    assert dialogs == []
    assert_clean(page)
