"""Trust in real Chromium: a sponsored note carries its brand label in the feed, on its page and in
search; the reader hides sponsored notes with one tap and the choice holds; a product's page lists the
notes about it with the writer who really bought it first."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from community.models import Note
from community.tests.factories import FeedNoteFactory
from community.tests.support.trust import (
    order_delivered,
    product,
    sponsored_note,
    tagged_note,
    writer_shopper,
)
from tests.browser.helpers import assert_clean, scroll_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("HONGSHU_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"trust-{name}.png"), full_page=False)


@pytest.fixture
def notes():
    sponsored = sponsored_note(brand_name="Glossier", title="面霜 spring glow", hot_score=50)
    plain = tagged_note(author=UserFactory(nickname="Lily"), title="面霜 honest take", hot_score=40)
    return sponsored, plain


def card(page, note):
    return page.locator(f'[data-testid="note-card"][data-note-id="{note.pk}"]')


def test_a_sponsored_note_is_labelled_everywhere_and_the_reader_can_hide_it(page, notes):
    sponsored, plain = notes

    # the feed labels the paid note with its brand, and only that one
    page.goto(page.base_url + "/")
    expect(card(page, sponsored).get_by_text("Sponsored · Glossier")).to_be_visible()
    expect(card(page, plain)).to_be_visible()
    expect(card(page, plain).locator('[data-testid="chip-sponsored"]')).to_have_count(0)
    _shot(page, "feed")

    # one tap hides sponsored notes; the switch says so
    toggle = page.get_by_test_id("sponsored-toggle")
    expect(toggle).to_have_text(re.compile("Hide sponsored"))
    toggle.click()
    expect(page).to_have_url(re.compile(r"sponsored=hide"))
    expect(card(page, sponsored)).to_have_count(0)
    expect(card(page, plain)).to_be_visible()
    expect(page.get_by_test_id("sponsored-toggle")).to_have_text(re.compile("Sponsored hidden"))

    # the Following tab keeps the choice
    expect(page.get_by_test_id("feed-tab-following")).to_have_attribute("href", re.compile("sponsored=hide"))

    # tapping again brings it back
    page.get_by_test_id("sponsored-toggle").click()
    expect(card(page, sponsored)).to_be_visible()

    # the note page says who paid, under the title
    card(page, sponsored).get_by_test_id("note-card-link").click()
    expect(page.get_by_test_id("note-sponsored")).to_have_text("Sponsored · Glossier")
    _shot(page, "note")

    # search labels it too, and the same switch hides it there
    page.goto(page.base_url + "/search/?q=面霜")
    expect(card(page, sponsored).get_by_text("Sponsored · Glossier")).to_be_visible()
    _shot(page, "search")
    page.get_by_test_id("sponsored-toggle").click()
    expect(page).to_have_url(re.compile(r"sponsored=hide"))
    expect(card(page, sponsored)).to_have_count(0)
    expect(card(page, plain)).to_be_visible()
    assert_clean(page)


def test_on_a_phone_the_switch_fits_beside_the_tabs(phone_page, notes):
    sponsored, _plain = notes
    phone_page.goto(phone_page.base_url + "/")
    toggle = phone_page.get_by_test_id("sponsored-toggle")
    expect(toggle).to_be_visible()
    expect(card(phone_page, sponsored).get_by_test_id("chip-sponsored")).to_be_visible()
    assert scroll_width(phone_page) <= 390
    _shot(phone_page, "phone-feed")
    toggle.tap()
    expect(card(phone_page, sponsored)).to_have_count(0)

    # a product's notes scroll sideways inside their own row, never the page
    item, _sku = product(name="Barrier cream")
    for i in range(5):
        tagged_note(author=UserFactory(), products=[item], title=f"第{i}篇 面霜笔记")
    phone_page.goto(phone_page.base_url + f"/mall/products/{item.slug}/")
    expect(phone_page.get_by_test_id("product-note")).to_have_count(5)
    phone_page.locator("#product-notes").scroll_into_view_if_needed()
    _shot(phone_page, "phone-product")
    assert scroll_width(phone_page) <= 390
    assert_clean(phone_page)


def test_a_product_page_shows_its_notes_with_the_verified_buyer_first(page):
    item, sku = product(name="Barrier cream")
    popular = tagged_note(author=UserFactory(nickname="Popular"), products=[item], title="Everyone loves it")
    Note.objects.filter(pk=popular.pk).update(like_count=900)
    buyer = writer_shopper()
    verified = tagged_note(author=buyer[0], products=[item], title="Bought it myself")
    order_delivered(buyer, sku)
    FeedNoteFactory(title="Not about it")

    page.goto(page.base_url + f"/mall/products/{item.slug}/")

    section = page.locator("#product-notes")
    expect(section.get_by_role("heading", name="Notes about this product")).to_be_visible()
    cards = section.get_by_test_id("product-note")
    expect(cards).to_have_count(2)
    expect(cards.first).to_have_attribute("data-note-id", str(verified.pk))
    expect(cards.first.get_by_test_id("chip-bought-here")).to_be_visible()
    expect(cards.nth(1)).to_have_attribute("data-note-id", str(popular.pk))
    expect(cards.nth(1).get_by_test_id("chip-bought-here")).to_have_count(0)
    section.scroll_into_view_if_needed()
    _shot(page, "product")

    # "See all" opens the full list, in the same order
    section.get_by_test_id("product-notes-all").click()
    expect(page.get_by_test_id("product-notes-page")).to_be_visible()
    expect(page.get_by_test_id("product-note").first).to_have_attribute("data-note-id", str(verified.pk))
    _shot(page, "product-notes-page")

    # a card opens its note, which names what the writer bought here
    page.get_by_test_id("product-note").first.get_by_role("link").click()
    expect(page.get_by_test_id("note-bought-here")).to_contain_text("Barrier cream")
    _shot(page, "note-bought")
    assert_clean(page)
