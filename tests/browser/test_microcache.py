"""A page served from the micro-cache (core/microcache.py) in real Chromium: a second visitor without a
session gets the cached page, and its forms work for them (their own CSRF token, not the first visitor's)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from community.tests.factories import FeedNoteFactory
from core import microcache

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_second_visitor_gets_the_cached_page_and_its_forms_accept_their_post(page, browser, settings):
    settings.MICROCACHE_SECONDS = 60
    microcache.microcache_clear()
    FeedNoteFactory(title="Cached for everyone")
    # given a first visitor who read the hot feed (the page is now in the cache)
    page.goto(page.base_url + "/hot/")
    expect(page.get_by_text("Cached for everyone")).to_be_visible()
    # when a second visitor, in their own browser, opens it and switches the language (a CSRF-checked POST)
    other = browser.new_context(locale="en-US")
    try:
        second = other.new_page()
        response = second.goto(page.base_url + "/hot/")
        assert response.ok
        expect(second.get_by_text("Cached for everyone")).to_be_visible()
        second.get_by_test_id("lang-switch").click()
        # then the POST is accepted (no 403) and the site answers in Chinese
        expect(second.locator("html")).to_have_attribute("lang", "zh-CN")
        cookies = {c["name"]: c["value"] for c in other.cookies()}
        first_cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        assert cookies["csrftoken"] != first_cookies["csrftoken"]
        assert cookies["hs_vid"] != first_cookies["hs_vid"]
    finally:
        other.close()
    assert any(len(part) for part in microcache._parts.values())
    microcache.microcache_clear()
