"""Product cards come from a per-process cache keyed by what they show (mall/cards.py): the markup is
the same as a fresh render, and changes as soon as the price, the stock state, the name or the language
change, so a cached card never shows a sold-out product as on sale."""

from __future__ import annotations

import re

import pytest
from django.db.models import F
from django.template.loader import get_template
from django.urls import reverse

from mall import cards
from mall.models import Product, StockRecord
from mall.selectors.catalog import _with_cards, product_card_qs
from mall.tests.factories import shop_product

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def empty_cache():
    cards.product_cards_clear()
    yield
    cards.product_cards_clear()


def card_of(client, slug: str, **headers) -> str:
    html = client.get(reverse("mall:products"), **headers).content.decode()
    found = re.search(
        rf'<article class="product-card[^"]*"[^>]*data-product="{slug}".*?</article>', html, re.S
    )
    assert found, f"no card for {slug}"
    return found.group(0)


def test_a_cached_card_is_the_markup_a_fresh_render_gives():
    product, _skus = shop_product(name="Rose cream", prices=("88.00",), stock=3)
    (loaded,) = _with_cards(list(product_card_qs().filter(pk=product.pk)), offers=True)
    fresh = get_template("mall/partials/product_card.html").render({"p": loaded})

    assert cards.product_card_html(loaded) == fresh  # rendered
    assert cards.product_card_html(loaded) == fresh  # from the cache
    assert len(cards._cards) == 1


def test_the_card_changes_with_the_price_the_stock_the_name_and_the_language(client):
    product, (sku,) = shop_product(name="Rose cream", prices=("88.00",), stock=20)
    first = card_of(client, product.slug)
    assert "Rose cream" in first and "88.00" in first and "is-sold-out" not in first

    Product.objects.filter(pk=product.pk).update(min_price="77.00", name_en="Rose cream II")
    changed = card_of(client, product.slug)
    assert "Rose cream II" in changed and "77.00" in changed and "88.00" not in changed

    StockRecord.objects.filter(sku=sku).update(allocated=F("on_hand"))  # every unit sold meanwhile
    sold_out = card_of(client, product.slug)
    assert "is-sold-out" in sold_out and 'data-testid="card-sold-out"' in sold_out

    assert card_of(client, product.slug, **ZH) != sold_out  # the same card, in Chinese
