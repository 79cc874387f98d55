"""Community buzz in Chromium: a shopper's mall home recommends what the writers they follow wrote about
(on a desktop and on a phone); an operator opens the demand view in admin, sees products ranked by buzz
with hints and the "not sold here yet" topics, switches the period and follows a flash-sale link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from community.models import Follow, Like, Note, NoteProduct
from community.services.buzz import product_buzz_recompute
from community.tests.factories import CommentFactory, NoteFactory, TopicFactory
from mall.models import StockRecord
from mall.tests.factories import BrandFactory, shop_product
from tests.browser.helpers import assert_clean, scroll_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def community_talks():
    """Two writers the shopper follows wrote about a serum; strangers praise a cream with plenty of stock;
    readers of a note about a hair oil the mall does not sell ask where to buy it."""
    sakura = BrandFactory(name="Sakura Lab", slug="sakura-lab")
    serum, serum_skus = shop_product(name="Sakura Glow Serum", slug="glow-serum", brand=sakura, stock=4)
    cream, _ = shop_product(name="Sakura Rich Cream", slug="rich-cream", brand=sakura, stock=300)
    shop_product(name="Plain Toner", slug="plain-toner", stock=10)
    shopper = UserFactory(nickname="Mia")
    writers = [UserFactory(nickname="Ann"), UserFactory(nickname="Bo")]
    for writer in writers:
        Follow.objects.create(follower=shopper, followee=writer)
        note = NoteFactory(author=writer, title=f"{writer.nickname} loves it", images=0)
        NoteProduct.objects.create(note=note, product=serum)
    for n in range(3):
        note = NoteFactory(title=f"Cream diary {n}", images=0)
        NoteProduct.objects.create(note=note, product=cream)
        for _ in range(4):
            Like.objects.create(user=UserFactory(), note=note)
    hair = NoteFactory(title="My hair oil", images=0)
    hair.topics.add(TopicFactory(name="hairoil"))
    CommentFactory(note=hair, body="求链接！")
    CommentFactory(note=hair, body="Where to buy this?")
    Note.objects.filter(pk=hair.pk).update(comment_count=2)
    product_buzz_recompute()
    return {"shopper": shopper, "serum": serum, "serum_sku": serum_skus[0], "cream": cream}


def test_a_shopper_sees_what_the_writers_they_follow_wrote_about_on_the_mall_home(page, login_as):
    world = community_talks()
    login_as(page, world["shopper"])

    page.goto(page.base_url + "/mall/")

    section = page.get_by_test_id("recommended")
    expect(section.get_by_role("heading", name="Recommended for you")).to_be_visible()
    first = section.get_by_test_id("recommended-card").first
    expect(first).to_have_attribute("data-product", "glow-serum")
    expect(first.get_by_test_id("recommended-why")).to_have_text("2 people you follow wrote about it")
    expect(section.locator('[data-product="rich-cream"]')).to_be_visible()  # filled from global buzz
    assert_clean(page)

    first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/mall/products/glow-serum/$"))
    expect(page.get_by_role("heading", name="Sakura Glow Serum")).to_be_visible()


def test_on_a_phone_the_recommendations_scroll_sideways_without_widening_the_page(phone_page, login_as):
    page = phone_page
    world = community_talks()
    login_as(page, world["shopper"])

    page.goto(page.base_url + "/mall/")

    strip = page.get_by_test_id("recommended-products")
    expect(strip.get_by_test_id("recommended-card").first).to_be_visible()
    assert scroll_width(page) <= 390
    assert_clean(page)


def test_an_operator_reads_the_demand_view_and_opens_a_flash_sale_for_a_product(page):
    world = community_talks()
    StockRecord.objects.filter(sku=world["serum_sku"]).update(allocated=2)
    operator = UserFactory(username="ops-mei", is_staff=True, is_superuser=True)

    page.goto(page.base_url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(operator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Demand: buzz, sales and stock").click()

    view = page.get_by_test_id("demand-view")
    expect(view.get_by_role("heading", name="Products by community buzz")).to_be_visible()
    rows = page.get_by_test_id("demand-product")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Sakura Rich Cream")
    expect(rows.nth(0)).to_contain_text("High buzz, good stock: flash sale candidate")
    expect(rows.nth(1)).to_contain_text("Sakura Glow Serum")
    expect(rows.nth(1)).to_contain_text("Talked about, low stock: restock")
    expect(page.get_by_test_id("demand-brand")).to_have_count(1)

    unsold = page.get_by_test_id("demand-unsold")
    expect(unsold.get_by_role("heading", name="Not sold here yet")).to_be_visible()
    topic = unsold.get_by_test_id("unsold-topic")
    expect(topic).to_have_count(1)
    expect(topic).to_contain_text("#hairoil")
    expect(topic.get_by_role("link", name="My hair oil")).to_be_visible()

    page.get_by_test_id("period-7").click()
    expect(page).to_have_url(re.compile(r"\?period=7$"))
    expect(page.get_by_test_id("period-7")).to_have_attribute("aria-current", "true")

    rows.nth(0).get_by_test_id("create-flash-sale").click()
    expect(page).to_have_url(re.compile(r"/admin/flashsale/flashsale/add/\?sku="))
    expect(page.locator("#id_title")).to_have_value("Sakura Rich Cream")
    assert_clean(page)
