"""The main search's products: a tab with the mall's cards (price, stock, the flash price while a sale
runs), the strip of the products a query names above the notes about them, and products in the
suggestions dropdown. They use the mall's own search (mall/tests/test_product_search.py has its quality
table)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from community.tests.factories import indexed_note
from flashsale.models import FlashSale
from flashsale.tests.factories import FlashSaleFactory
from mall.tests.factories import BrandFactory, CategoryFactory, shop_product

pytestmark = pytest.mark.django_db

URL = reverse("community:search")
SUGGEST = reverse("community:search_suggest")


@pytest.fixture
def shelf():
    brand = BrandFactory(name_en="Anessa", name_zh_hans="安热沙", slug="anessa")
    sun = CategoryFactory(name_en="Sun care", name_zh_hans="防晒", slug="sun")
    gold, gold_skus = shop_product(
        name_en="Anessa Perfect UV Sunscreen Milk",
        name_zh_hans="安热沙金瓶防晒乳",
        slug="anessa-gold",
        brand=brand,
        category=sun,
        prices=("198.00", "298.00"),
        stock=(50, 50),
        sales_count=900,
    )
    gel, _ = shop_product(
        name_en="Anessa Whitening UV Gel",
        name_zh_hans="安热沙美白防晒啫喱",
        slug="anessa-gel",
        brand=brand,
        category=sun,
        prices=("158.00",),
        stock=0,
        sales_count=100,
    )
    cream, _ = shop_product(
        name_en="Rose Face Cream",
        name_zh_hans="玫瑰面霜",
        slug="rose-cream",
        prices=("88.00",),
        stock=3,
    )
    return {"gold": gold, "gold_skus": gold_skus, "gel": gel, "cream": cream}  # fmt: skip


def test_the_products_tab_shows_cards_with_price_and_stock_in_the_readers_language(client, shelf):
    response = client.get(URL, {"q": "防晒", "type": "products"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()

    assert response.status_code == 200
    assert [p.slug for p in response.context["products"]] == ["anessa-gold", "anessa-gel"]
    assert 'data-testid="search-tab-products"' in html and "安热沙金瓶防晒乳" in html
    assert "¥198.00" in html
    assert html.count('data-testid="card-sold-out"') == 1  # the gel has no stock


def test_the_products_tab_shows_the_flash_price_while_a_sale_runs(client, shelf):
    now = timezone.now()
    FlashSaleFactory(
        sku=shelf["gold_skus"][0], price=Decimal("99.00"), starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1), state=FlashSale.State.PUBLISHED,
    )  # fmt: skip
    html = client.get(URL, {"q": "sunscreen", "type": "products"}).content.decode()

    assert 'data-testid="card-flash-price"' in html and "¥99.00" in html
    assert html.count('data-testid="card-flash"') == 1


def test_a_query_that_names_a_product_shows_the_strip_above_the_notes(client, shelf):
    indexed_note(title="安热沙金瓶防晒乳 一夏天的测评", images=1)

    named = client.get(URL, {"q": "安热沙"}).content.decode()
    unnamed = client.get(URL, {"q": "测评"}).content.decode()

    assert 'data-testid="search-product-strip"' in named
    assert named.index('data-testid="search-product-strip"') < named.index('data-testid="note-card"')
    assert 'data-product="anessa-gold"' in named
    assert 'data-testid="search-product-strip"' not in unnamed


def test_the_products_tab_pages_without_repeats(client, shelf, monkeypatch):
    from community.selectors import search as selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 1)
    first = client.get(URL, {"q": "anessa", "type": "products"})
    second = client.get(first.context["next_url"], HTTP_HX_REQUEST="true")

    assert [p.slug for p in first.context["products"]] == ["anessa-gold"]
    assert [p.slug for p in second.context["products"]] == ["anessa-gel"]
    assert not second.context["next_url"]


def test_a_misspelt_brand_in_the_products_tab_is_put_right(client, shelf):
    response = client.get(URL, {"q": "anesa", "type": "products"})

    assert [p.slug for p in response.context["products"]][:1] == ["anessa-gold"]
    assert 'data-testid="search-corrected"' in response.content.decode()


def test_suggestions_offer_the_products_the_words_name(client, shelf, django_assert_num_queries):
    # topics, the newest id, note titles, products
    with django_assert_num_queries(4):
        html = client.get(SUGGEST, {"q": "anes"}).content.decode()

    assert html.count('data-testid="suggest-product"') == 2
    assert reverse("mall:product", args=["anessa-gold"]) in html


def test_the_products_tab_costs_the_same_queries_for_two_page_sizes(client, shelf, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from community.selectors import search as selectors

    counts = []
    for size in (1, 3):
        monkeypatch.setattr(selectors, "PAGE_SIZE", size)
        with CaptureQueriesContext(connection) as captured:
            client.get(URL, {"q": "a", "type": "products"})
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_hostile_queries_on_the_products_tab_are_escaped(client, shelf):
    response = client.get(URL, {"q": "<script>alert(1)</script>", "type": "products"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
