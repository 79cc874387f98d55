"""The operators' demand view: products and brands ranked by buzz against period sales and stock, with
hints; topics asking for what the mall does not sell; staff only; a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import Comment, Note, NoteProduct, ProductBuzz
from community.selectors.demand import Hint, demand_overview, period_parse
from community.tests.support.demand import asking_note, demand_rows
from core.errors import DomainError
from mall.models import Order
from mall.tests.factories import (
    ProductFactory,
)

pytestmark = pytest.mark.django_db

S = Order.State


# --- products and brands -------------------------------------------------------------------------------


@pytest.mark.clocks
def test_products_are_ranked_by_buzz_with_period_sales_clicks_stock_and_hints(shelves):
    week = demand_overview(period=7)
    month = demand_overview(period=30)

    assert [r.name for r in week.products] == ["Glow serum", "Rich cream", "Clear toner"]
    serum, cream, toner = week.products
    assert (serum.mentions, serum.engagement, serum.score) == (8, 60, 120)
    assert (serum.card_clicks, serum.units_sold, serum.available) == (2, 4, 3)
    assert (month.products[0].card_clicks, month.products[0].units_sold) == (5, 6)
    assert cream.available == 200 and cream.units_sold == 0
    assert serum.hint == Hint.RESTOCK
    assert cream.hint == Hint.FLASH_SALE
    assert toner.hint == ""  # little buzz, 40 units: nothing to do
    assert serum.sku_code == "GLOW-30"


@pytest.mark.clocks
def test_brands_are_ranked_the_same_way_over_their_products(shelves):
    brands = demand_overview(period=30).brands

    assert [b.name for b in brands] == ["Lumi", "Hana"]
    lumi, hana = brands
    assert (lumi.products, lumi.mentions, lumi.engagement, lumi.score) == (2, 9, 62, 130)
    assert (lumi.card_clicks, lumi.units_sold, lumi.available) == (5, 6, 43)
    assert (hana.products, hana.available, hana.hint) == (1, 200, Hint.FLASH_SALE)


def test_an_inactive_product_is_still_shown_to_operators_but_never_offered_for_a_flash_sale(
    shelves, admin_client
):
    type(shelves["toner"].product).objects.filter(pk=shelves["toner"].product.pk).update(is_active=False)
    html = admin_client.get(reverse("admin:community_productbuzz_changelist")).content.decode()

    assert "Clear toner" in html and "not on sale" in html
    assert html.count('data-testid="create-flash-sale"') == 2


def test_the_period_is_7_or_30_days_and_anything_else_is_refused():
    assert period_parse(None) == 30 and period_parse("7") == 7 and period_parse(" 30 ") == 30
    for bad in ["14", "abc", "-7", "7.5", "1e3"]:
        with pytest.raises(DomainError):
            period_parse(bad)
    with pytest.raises(DomainError):
        demand_overview(period=14)


# --- not sold here yet ---------------------------------------------------------------------------------


def test_topics_asking_where_to_buy_what_the_mall_does_not_sell_are_ranked_with_samples(shelves):
    asking_note(["sunscreen"], asks=2, likes=5, title="Best sunscreen")
    asking_note(["sunscreen", "travel"], asks=1, body="求链接！", title="Beach day")
    asking_note(["sunscreen"], asks=1, body="哪里买的？", title="My pick")
    asking_note(["sunscreen"], asks=1, body="Link please", title="Fourth note")
    asking_note(["hairoil"], asks=1, body="在哪买呀", title="Hair oil")
    asking_note(["lumi"], asks=5, title="Brand topic")  # a mall brand (case-insensitive): excluded
    asking_note(["glow serum"], asks=5, title="Product topic")  # a mall product name: excluded
    retired = ProductFactory(name="Old balm", is_active=False)
    asking_note([retired.name.lower()], asks=1, title="Bring it back")  # off sale: not sold here
    tagged = asking_note(["tagged"], asks=5, title="Has a card")  # tags a mall product: excluded
    NoteProduct.objects.create(note=tagged, product=shelves["serum"].product)
    asking_note(["private"], asks=5, visibility=Note.Visibility.PRIVATE)
    hidden = asking_note(["hidden"], asks=3)
    Comment.objects.filter(note=hidden).update(status=Comment.Status.HIDDEN)
    asking_note(["chatter"], asks=3, body="So pretty!")  # nobody asks where to buy
    old = asking_note(["oldtopic"], asks=2)
    Comment.objects.filter(note=old).update(created_at=timezone.now() - timedelta(days=10))

    week = demand_overview(period=7).unsold_topics
    month = demand_overview(period=30).unsold_topics

    assert [t.name for t in week] == ["sunscreen", "hairoil", "old balm", "travel"]
    sunscreen = week[0]
    assert (sunscreen.asks, sunscreen.notes, sunscreen.engagement) == (5, 4, 5 + 5)
    assert [s.title for s in sunscreen.samples] == ["Best sunscreen", "Fourth note", "My pick"]
    assert sunscreen.samples[0].asks == 2
    assert "oldtopic" in [t.name for t in month]


# --- the admin page ------------------------------------------------------------------------------------


def test_the_demand_view_is_listed_on_the_admin_index_and_shows_the_three_tables(shelves, admin_client):
    asking_note(["sunscreen"], asks=2, title="Best sunscreen")
    index = admin_client.get(reverse("admin:index")).content.decode()
    url = reverse("admin:community_productbuzz_changelist")
    assert url in index and "Demand: buzz, sales and stock" in index

    response = admin_client.get(url + "?period=7")
    html = response.content.decode()

    assert response.status_code == 200
    assert html.index("Glow serum") < html.index("Rich cream") < html.index("Clear toner")
    assert "Talked about, low stock: restock" in html
    assert "High buzz, good stock: flash sale candidate" in html
    assert reverse("admin:mall_product_change", args=[shelves["serum"].product.pk]) in html
    assert reverse("admin:mall_brand_change", args=[shelves["lumi"].pk]) in html
    assert reverse("admin:flashsale_flashsale_add") + "?sku=GLOW-30&amp;title=Glow+serum" in html
    assert 'data-testid="unsold-topic" data-topic="sunscreen"' in html and "Best sunscreen" in html
    assert 'aria-current="true" data-testid="period-7"' in html


def test_a_flash_sale_link_prefills_the_sku_in_the_flash_sale_form(shelves, admin_client):
    url = reverse("admin:flashsale_flashsale_add") + "?sku=GLOW-30&title=Glow+serum"
    html = admin_client.get(url).content.decode()
    assert 'value="GLOW-30"' in html


def test_a_bad_period_is_a_clear_400(admin_client):
    response = admin_client.get(reverse("admin:community_productbuzz_changelist") + "?period=99")
    assert response.status_code == 400
    assert "7 or 30 days" in response.content.decode()


def test_only_staff_see_the_demand_view_and_nobody_edits_buzz_rows(client, shelves):
    url = reverse("admin:community_productbuzz_changelist")
    assert client.get(url).status_code == 302  # to the admin login
    client.force_login(UserFactory())
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code == 200

    before = list(ProductBuzz.objects.order_by("pk").values_list("pk", "score"))
    pk = shelves["serum"].product.pk
    for path in [f"{url}add/", f"{url}{pk}/change/", f"{url}{pk}/delete/"]:
        # The demand view is the buzz table's only admin URL: there is no page to add, edit or delete a row.
        assert client.post(path, {"score": 1}).status_code == 404, path
    assert list(ProductBuzz.objects.order_by("pk").values_list("pk", "score")) == before


# --- queries -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 10])
def test_the_overview_costs_four_queries_whatever_the_number_of_rows(count, django_assert_num_queries):
    demand_rows(count)
    with django_assert_num_queries(4):  # products, brands, topics, sample notes
        demand = demand_overview(period=30)
    assert len(demand.products) == len(demand.brands) == len(demand.unsold_topics) == count
    assert all(t.samples for t in demand.unsold_topics)


@pytest.mark.parametrize("count", [2, 10])
def test_the_admin_page_costs_the_same_queries_whatever_the_number_of_rows(
    count, admin_client, django_assert_num_queries
):
    demand_rows(count)
    url = reverse("admin:community_productbuzz_changelist")
    admin_client.get(url)  # warm the per-process caches (content types, ...)
    with django_assert_num_queries(6):  # session, user, and the overview's four
        response = admin_client.get(url)
    assert response.content.decode().count('data-testid="demand-product"') == count
