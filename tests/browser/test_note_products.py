"""Purchase links in real Chromium: a writer tags two products with the compose page's search picker and
publishes; a reader opens the note, sees the two product cards, taps "Buy" and lands on checkout with that
product, the cart line carrying the note's referral. On a desktop and on a phone."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from community.models import Note, ProductCardClick
from community.tests.support.links import product, tagged_note
from mall.models import CartLine
from mall.tests.factories import BrandFactory, buyer
from tests.browser.helpers import assert_clean, scroll_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("HONGSHU_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _catalog():
    sakura = BrandFactory(name="Sakura Lab", slug="sakura-lab")
    serum, serum_skus = product(
        "Sakura Night Serum", slug="night-serum", brand=sakura, prices=("120.00", "200.00")
    )
    cream, _ = product("Sakura Day Cream", slug="day-cream", brand=sakura, prices=("88.00",))
    product("Seoul Dew Masks", slug="masks", prices=("99.00",))
    return serum, serum_skus, cream


def test_a_writer_tags_two_products_and_a_reader_buys_from_the_card(page, phone_page, login_as, jpeg_file):
    serum, (serum_small, serum_large), cream = _catalog()

    # given a writer on the compose page
    writer = login_as(page, UserFactory(nickname="小美"))
    page.goto(page.base_url + "/notes/new/")
    page.locator("input[name=images]").set_input_files([jpeg_file])
    page.get_by_label("Title").fill("My night routine")

    # when they search the mall and tag the serum and the cream
    search = page.get_by_test_id("link-search")
    search.fill("sakura")
    results = page.get_by_test_id("link-result")
    expect(results).to_have_count(2)
    results.filter(has_text="Sakura Night Serum").get_by_test_id("link-add").click()
    results.filter(has_text="Sakura Day Cream").get_by_test_id("link-add").click()
    picked = page.get_by_test_id("picked-product")
    expect(picked).to_have_count(2)
    expect(page.locator("[data-link-count]")).to_have_text("2/5")
    # a tagged result cannot be tagged twice
    expect(results.filter(has_text="Sakura Night Serum").get_by_test_id("link-add")).to_be_disabled()
    # the serum's large bottle, and the cream first
    picked.filter(has_text="Sakura Night Serum").get_by_test_id("picked-variant").select_option(
        f"{serum.pk}:{serum_large.pk}"
    )
    picked.filter(has_text="Sakura Day Cream").get_by_role("button", name="Move earlier").click()
    expect(picked.first).to_contain_text("Sakura Day Cream")
    _shot(page, "links-compose-desktop")
    assert_clean(page)
    page.get_by_test_id("publish").click()

    # then the note is published with both products in that order
    page.wait_for_url(re.compile(r"/notes/\d+/$"))
    note = Note.objects.get(author=writer)
    assert list(note.product_links.values_list("product_id", "sku_id")) == [
        (cream.pk, None),
        (serum.pk, serum_large.pk),
    ]
    expect(page.get_by_test_id("product-card")).to_have_count(2)

    # when a reader opens the note on their phone
    reader, _address, _identity = buyer()
    login_as(phone_page, reader)
    phone_page.goto(f"{phone_page.base_url}/notes/{note.pk}/")
    cards = phone_page.get_by_test_id("product-card")
    expect(cards).to_have_count(2)
    serum_card = cards.filter(has_text="Sakura Night Serum")
    expect(serum_card).to_contain_text("¥200.00")
    expect(serum_card.get_by_test_id("card-stock")).to_have_class(re.compile(r"stock-in_stock"))
    assert scroll_width(phone_page) <= 390
    _shot(phone_page, "links-note-phone")
    assert_clean(phone_page)

    # and taps "Buy" on the serum's card
    serum_card.get_by_test_id("card-buy").click()

    # then they are on checkout with the serum's large bottle, attributed to the note
    expect(phone_page).to_have_url(re.compile(r"/mall/checkout/$"))
    expect(phone_page.get_by_test_id("checkout-line")).to_have_count(1)
    expect(phone_page.get_by_test_id("checkout-line")).to_contain_text("Sakura Night Serum")
    line = CartLine.objects.get(cart__user=reader)
    assert (line.sku_id, line.referral) == (serum_large.pk, f"note:{note.pk}")
    assert list(ProductCardClick.objects.values_list("action", flat=True)) == ["buy"]
    assert_clean(phone_page)


def test_cards_on_a_desktop_add_to_cart_in_place_and_open_the_product(page):
    serum, _skus, cream = _catalog()
    note = tagged_note(products=[serum, cream])

    # an anonymous reader on a desktop
    page.goto(f"{page.base_url}/notes/{note.pk}/")
    cards = page.get_by_test_id("product-card")
    expect(cards).to_have_count(2)
    box = cards.first.bounding_box()
    assert box["width"] > 250 and box["height"] < 200
    _shot(page, "links-note-desktop")

    # "Add to cart" swaps to "Added" without leaving the note
    cards.first.get_by_test_id("card-cart").click()
    expect(cards.first.get_by_test_id("card-added")).to_be_visible()
    expect(page).to_have_url(f"{page.base_url}/notes/{note.pk}/")
    assert CartLine.objects.get().referral == f"note:{note.pk}"

    # and the card body opens the product page with the note's referral
    cards.nth(1).get_by_test_id("card-open").click()
    expect(page).to_have_url(f"{page.base_url}/mall/products/day-cream/?ref=note:{note.pk}")
    assert sorted(ProductCardClick.objects.values_list("action", flat=True)) == ["cart", "open"]
    assert scroll_width(page) <= 1280
    assert_clean(page)


def test_without_javascript_a_writer_tags_from_the_plain_list_and_a_reader_adds_to_cart(
    browser, live_server, login_as, jpeg_file
):
    serum, _skus, cream = _catalog()
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 860}, locale="en-US"
    )
    try:
        page = context.new_page()
        page.base_url = live_server.url
        writer = login_as(page, UserFactory())

        # the writer picks the product from the plain list and publishes
        page.goto(page.base_url + "/notes/new/")
        expect(page.get_by_test_id("link-search")).to_be_hidden()
        page.locator("input[name=images]").set_input_files([jpeg_file])
        page.get_by_label("Title").fill("No script")
        page.get_by_label("Tag products").select_option([str(cream.pk)])
        page.get_by_test_id("publish").click()
        page.wait_for_url(re.compile(r"/notes/\d+/$"))
        note = Note.objects.get(author=writer)
        assert list(note.product_links.values_list("product_id", flat=True)) == [cream.pk]

        # the note page's "Add to cart" is a plain form that comes back to the note
        page.get_by_test_id("product-card").get_by_test_id("card-cart").click()
        expect(page).to_have_url(re.compile(rf"/notes/{note.pk}/"))
        expect(page.get_by_text("Added to your cart.")).to_be_visible()
        assert CartLine.objects.get(cart__user=writer).referral == f"note:{note.pk}"
    finally:
        context.close()


def test_the_picker_stops_at_five_and_removes_with_the_keyboard(page, login_as):
    for i in range(6):
        product(f"Glow serum {i}", slug=f"glow-{i}")
    login_as(page, UserFactory())
    page.goto(page.base_url + "/notes/new/")

    page.get_by_test_id("link-search").fill("glow")
    results = page.get_by_test_id("link-result")
    expect(results).to_have_count(6)
    for i in range(5):
        results.nth(i).get_by_test_id("link-add").click()
    expect(page.locator("[data-link-count]")).to_have_text("5/5")
    results.nth(5).get_by_test_id("link-add").click()
    expect(page.get_by_test_id("link-error")).to_have_text("A note tags at most 5 products.")
    expect(page.get_by_test_id("picked-product")).to_have_count(5)

    page.get_by_test_id("picked-remove").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("picked-product")).to_have_count(4)
    expect(page.locator("[data-link-count]")).to_have_text("4/5")
    expect(page.get_by_test_id("link-error")).to_be_hidden()
    assert_clean(page)


def test_the_picker_fits_a_phone(phone_page, login_as):
    _catalog()
    login_as(phone_page, UserFactory())
    phone_page.goto(phone_page.base_url + "/notes/new/")

    phone_page.get_by_test_id("link-search").fill("sakura")
    results = phone_page.get_by_test_id("link-result")
    expect(results).to_have_count(2)
    results.first.get_by_test_id("link-add").click()
    picked = phone_page.get_by_test_id("picked-product")
    expect(picked).to_have_count(1)

    assert scroll_width(phone_page) <= 390
    select = picked.get_by_test_id("picked-variant").bounding_box()
    assert select["x"] >= 0 and select["x"] + select["width"] <= 390 and select["height"] >= 40
    _shot(phone_page, "links-compose-phone")
    assert_clean(phone_page)
