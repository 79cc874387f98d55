"""Catalog pages: the mall's first screen, listings with filters, sorts and keyset pages, the product page
with its stock states, tax estimate and provenance; fixed query counts whatever the page holds."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core import keyset
from core.keyset import BadCursor
from mall.models import Brand, Reservation, StockRecord
from mall.selectors import catalog
from mall.selectors.catalog import ListingQuery
from mall.templatetags.mall import yuan
from mall.tests.factories import (
    BrandFactory,
    CategoryFactory,
    buyer,
    category_pair,
    cosmetics_tax,
    shop_product,
)

pytestmark = pytest.mark.django_db


def slugs(products) -> list[str]:
    return [p.slug for p in products]


def listing(**params):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in params.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    return ListingQuery.from_params(query)


# --- money ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("12.3"), "¥12.30"), (Decimal("0"), "¥0.00"), (Decimal("12345.678"), "¥12,345.68"), ("x", "")],
)
def test_yuan_shows_money_as_people_read_it(value, shown):
    assert yuan(value) == shown


# --- listing filters and sorts --------------------------------------------------------------------------------


def test_a_category_lists_its_subcategories_products_too():
    parent, child = category_pair()
    other = CategoryFactory(name="Snacks", slug="snacks")
    in_parent, _ = shop_product(slug="cream", category=parent)
    in_child, _ = shop_product(slug="serum", category=child)
    shop_product(slug="crisps", category=other)

    found = catalog.product_list(query=listing(category="beauty")).products
    assert set(slugs(found)) == {"cream", "serum"}
    assert slugs(catalog.product_list(query=listing(category="skincare")).products) == ["serum"]


def test_filters_by_brand_origin_and_price_range():
    japan = BrandFactory(name="Sakura", slug="sakura", country="Japan")
    korea = BrandFactory(name="Dew", slug="dew", country="South Korea")
    france = BrandFactory(name="Lumière", slug="lumiere", country="France")
    shop_product(slug="jp-cheap", brand=japan, prices=("50.00",))
    shop_product(slug="jp-dear", brand=japan, prices=("500.00",))
    shop_product(slug="kr-mid", brand=korea, prices=("150.00",))
    shop_product(slug="fr-mid", brand=france, prices=("180.00",))

    assert set(slugs(catalog.product_list(query=listing(brand=["sakura"])).products)) == {
        "jp-cheap",
        "jp-dear",
    }
    by_origin = catalog.product_list(query=listing(origin=["South Korea", "France"])).products
    assert set(slugs(by_origin)) == {"kr-mid", "fr-mid"}
    priced = catalog.product_list(query=listing(price_min="100", price_max="200")).products
    assert set(slugs(priced)) == {"kr-mid", "fr-mid"}
    both = catalog.product_list(query=listing(brand=["sakura"], price_max="100")).products
    assert slugs(both) == ["jp-cheap"]
    # Nonsense is ignored rather than refused.
    assert len(catalog.product_list(query=listing(price_min="lots", sort="random")).products) == 4


def test_sorts_newest_cheapest_dearest_and_best_selling():
    a, _ = shop_product(slug="a", prices=("30.00",), sales_count=5)
    b, _ = shop_product(slug="b", prices=("10.00",), sales_count=50)
    c, _ = shop_product(slug="c", prices=("20.00",), sales_count=0)

    def order(sort):
        return slugs(catalog.product_list(query=listing(sort=sort)).products)

    assert order("new") == ["c", "b", "a"]
    assert order("price_asc") == ["b", "c", "a"]
    assert order("price_desc") == ["a", "c", "b"]
    assert order("sales") == ["b", "a", "c"]


@pytest.mark.parametrize("sort", list(catalog.SORTS))
def test_keyset_pages_neither_repeat_nor_skip_products_even_with_ties(sort):
    # Seven products share a price and a sales count: only the id breaks the ties.
    for i in range(7):
        shop_product(slug=f"tie-{i}", prices=("99.00",), sales_count=3, images=0)
    for i in range(4):
        shop_product(slug=f"other-{i}", prices=(f"{10 + i * 40}.00",), sales_count=i, images=0)
    query = listing(sort=sort)
    seen, cursor, pages = [], None, 0
    while True:
        page = catalog.product_list(query=query, cursor=cursor, size=3).page
        seen += slugs(page.items)
        pages += 1
        cursor = page.next_cursor
        if not cursor:
            break
    assert pages == 4
    assert len(seen) == len(set(seen)) == 11
    assert seen == slugs(catalog.product_list(query=query, size=50).products)


def test_a_cursor_only_works_for_the_list_it_came_from():
    for i in range(3):
        shop_product(slug=f"p{i}", images=0)
    cursor = catalog.product_list(query=listing(sort="new"), size=1).page.next_cursor
    with pytest.raises(BadCursor):
        catalog.product_list(query=listing(sort="price_asc"), cursor=cursor, size=1)
    with pytest.raises(BadCursor):
        catalog.product_list(query=listing(sort="new"), cursor=cursor + "x", size=1)


def test_the_malls_cursors_are_signed_in_its_own_namespace():
    # given a product list's cursor, and the same key values signed for another app's list of that name
    for i in range(2):
        shop_product(slug=f"n{i}", images=0)
    query = listing(sort="new")
    cursor = catalog.product_list(query=query, size=1).page.next_cursor
    values = keyset.cursor_decode(cursor, salt=query.salt(), size=1)
    foreign = keyset.cursor_encode(values, salt=query.salt().removeprefix("mall.paging."))

    # then only the mall's own cursor is taken
    assert query.salt().startswith("mall.paging.products:")
    assert catalog.product_list(query=query, cursor=cursor, size=1).products
    with pytest.raises(BadCursor):
        catalog.product_list(query=query, cursor=foreign, size=1)


def test_the_listing_page_pages_on_and_refuses_a_forged_cursor(client):
    for i in range(5):
        shop_product(slug=f"p{i}", images=0)
    first = client.get(reverse("mall:products"), {"size": 2, "sort": "price_asc"})
    assert first.status_code == 200
    cursor = first.context["listing"].page.next_cursor
    assert first.context["next_url"].endswith(f"cursor={cursor.replace(':', '%3A')}")
    more = client.get(
        reverse("mall:products"), {"size": 2, "sort": "price_asc", "cursor": cursor}, HTTP_HX_REQUEST="true"
    )
    assert more.status_code == 200
    assert b"<html" not in more.content and b'data-testid="product-card"' in more.content
    assert client.get(reverse("mall:products"), {"cursor": "forged"}).status_code == 400


def test_an_unknown_category_is_a_404(client):
    assert client.get(reverse("mall:category", args=["nope"])).status_code == 404


def test_the_brand_filter_offers_the_brands_of_the_category():
    parent, _child = category_pair()
    shop_product(brand=BrandFactory(name="In", slug="in"), category=parent)
    shop_product(brand=BrandFactory(name="Out", slug="out"))
    brands = catalog.product_list(query=listing(category="beauty")).brands
    assert [b.slug for b in brands] == ["in"]


# --- the pages and their query counts ----------------------------------------------------------------------


def _products(n):
    parent, child = category_pair()
    for i in range(n):
        shop_product(
            slug=f"item-{i}", category=child if i % 2 else parent, prices=("10.00", "20.00"), images=2
        )


# Session-free anonymous visits: categories, brands in scope, products with covers, stock.
LISTING_QUERIES = 4


@pytest.mark.parametrize("count", [3, 12])
def test_the_listing_page_costs_the_same_queries_for_3_or_12_products(
    client, count, django_assert_num_queries
):
    _products(count)
    with django_assert_num_queries(LISTING_QUERIES):
        response = client.get(reverse("mall:category", args=["beauty"]), {"sort": "price_asc"})
    assert response.status_code == 200
    assert len(response.context["listing"].products) == count


@pytest.mark.parametrize("count", [3, 12])
def test_the_home_page_costs_the_same_queries_whatever_it_shows(
    client, count, django_assert_num_queries, monkeypatch
):
    # The flash-sale strip and the community's recommendations are those apps' to count (their tests
    # do); here only the mall's own reads.
    monkeypatch.setattr("mall.views.slots.FLASH_STRIP_TEMPLATE", "flashsale/absent-in-this-test.html")
    monkeypatch.setattr("mall.views.catalog.RECOMMENDED_TEMPLATE", "community/absent-in-this-test.html")
    _products(count)
    with django_assert_num_queries(3):  # categories, products with covers, stock
        response = client.get(reverse("mall:home"))
    assert response.status_code == 200
    assert response.content.count(b'data-testid="product-card"') == count


@pytest.mark.parametrize(("skus", "images"), [(1, 1), (3, 4)])
def test_the_product_page_costs_the_same_queries_for_1_or_3_skus(
    client, skus, images, django_assert_num_queries
):
    parent, child = category_pair()
    product, _ = shop_product(
        prices=tuple(f"{10 * (i + 1)}.00" for i in range(skus)), images=images, category=child
    )
    with django_assert_num_queries(5):  # product, images, SKUs, stock, categories
        response = client.get(reverse("mall:product", args=[product.slug]))
    assert response.status_code == 200
    assert response.content.count(b'data-testid="sku-chip"') == skus


def test_the_home_page_shows_round_categories_and_cards_with_the_bonded_badge(client):
    parent, _child = category_pair()
    product, _ = shop_product(name="Rose cream", prices=("88.00",), category=parent)
    html = client.get(reverse("mall:home")).content.decode()
    assert 'data-testid="category-beauty"' in html and "💄" in html
    assert "Rose cream" in html and "¥88.00" in html and "Bonded" in html
    assert product.brand.name in html
    assert 'id="flash-strip"' in html


def test_without_the_flash_sale_template_the_slot_stays_empty(client, monkeypatch):
    monkeypatch.setattr("mall.views.slots.FLASH_STRIP_TEMPLATE", "flashsale/absent-in-this-test.html")
    response = client.get(reverse("mall:home"))
    assert response.status_code == 200 and response.context["flash_strip_template"] is None


def test_the_flash_sale_strip_is_included_when_its_template_exists(client, settings, tmp_path, monkeypatch):
    folder = tmp_path / "flashsale"
    folder.mkdir()
    (folder / "probe-strip.html").write_text('<div data-testid="flash-strip-probe">sale!</div>')
    monkeypatch.setattr("mall.views.slots.FLASH_STRIP_TEMPLATE", "flashsale/probe-strip.html")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    html = client.get(reverse("mall:home")).content.decode()
    assert 'data-testid="flash-strip-probe"' in html


# --- product page ---------------------------------------------------------------------------------------------


def test_the_product_page_shows_price_tax_provenance_and_the_notes_slot(client):
    brand = BrandFactory(
        name="Maison",
        slug="maison",
        country="France",
        authorization=Brand.Authorization.DISTRIBUTOR,
        authorization_ref="FR-DIST-1",
    )
    product, (small, large) = shop_product(
        name="Rose cream", prices=("100.00", "180.00"), brand=brand, tax_category=cosmetics_tax()
    )
    html = client.get(reverse("mall:product", args=[product.slug])).content.decode()
    assert "¥100.00" in html
    # Cosmetics: (0.15 + 0.13) / 0.85 x 0.7 = 23.06% of ¥100.00
    assert "¥23.06" in html and "23.1%" in html
    assert "Ships from a bonded warehouse" in html
    assert "Authorized distributor" in html and "FR-DIST-1" in html and "France" in html
    assert 'id="product-notes"' in html
    # Each chip carries its own price, tax and stock for the picker.
    assert 'data-price="¥180.00"' in html and 'data-tax="¥41.51"' in html


def test_the_sku_in_the_address_is_the_one_chosen(client):
    product, (small, large) = shop_product(prices=("100.00", "180.00"))
    response = client.get(reverse("mall:product", args=[product.slug]), {"sku": large.pk})
    assert response.context["data"].chosen.sku == large
    assert response.content.decode().count("¥180.00") >= 2


@pytest.mark.clocks
def test_stock_state_counts_allocations_and_live_reservations_but_not_expired_ones(client):
    product, (sku,) = shop_product(stock=8)
    url = reverse("mall:product", args=[product.slug])

    def state():
        return client.get(url).context["data"].chosen

    assert (state().available, state().state) == (8, "in_stock")
    record = StockRecord.objects.get(sku=sku)
    user, _address, _identity = buyer()
    live = Reservation.objects.create(
        stock_record=record,
        user=user,
        checkout_token="t1",
        quantity=4,
        reserved_until=timezone.now() + timedelta(minutes=5),
    )
    Reservation.objects.create(
        stock_record=record,
        user=user,
        checkout_token="t2",
        quantity=3,
        reserved_until=timezone.now() - timedelta(seconds=1),
    )
    chosen = state()
    assert (chosen.available, chosen.state) == (4, "low")
    assert "Only 4 left" in client.get(url).content.decode()
    live.quantity = 8
    live.save(update_fields=["quantity"])
    html = client.get(url).content.decode()
    assert 'data-testid="stock-state"' in html and ">Sold out<" in html
    assert 'data-testid="add-to-cart" data-needs-stock disabled' in html


def test_a_sku_with_no_stock_record_is_sold_out_and_another_is_preselected(client):
    product, (empty, stocked) = shop_product(prices=("10.00", "20.00"), stock=[0, 5])
    data = client.get(reverse("mall:product", args=[product.slug])).context["data"]
    assert data.chosen.sku == stocked
    assert [o.state for o in data.options] == ["sold_out", "low"]


def test_a_product_off_sale_is_a_404(client):
    product, _ = shop_product(is_active=False)
    assert client.get(reverse("mall:product", args=[product.slug])).status_code == 404


def test_a_referral_in_the_address_goes_into_the_add_to_cart_form_only_when_well_formed(client):
    product, _ = shop_product()
    url = reverse("mall:product", args=[product.slug])
    assert 'name="ref" value="note:42"' in client.get(url, {"ref": "note:42"}).content.decode()
    assert 'name="ref" value=""' in client.get(url, {"ref": "<script>"}).content.decode()


def test_search_finds_products_by_name_or_brand(client):
    shop_product(name="Matcha wafers", slug="matcha", images=0)
    shop_product(name="Rose cream", slug="rose", brand=BrandFactory(name="Tokyo Crunch", slug="tc"), images=0)
    shop_product(name="Hand cream", slug="hand", images=0)
    found = client.get(reverse("mall:search"), {"q": "matcha"}).context["listing"].products
    assert slugs(found) == ["matcha"]
    assert slugs(client.get(reverse("mall:search"), {"q": "tokyo"}).context["listing"].products) == ["rose"]
