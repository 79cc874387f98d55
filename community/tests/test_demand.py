"""The operators' demand view: products and brands ranked by buzz against period sales and stock, with
hints; topics asking for what the mall does not sell; staff only; a fixed number of queries."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import Comment, Note, NoteProduct, ProductBuzz, ProductCardClick
from community.selectors.demand import Hint, demand_overview, period_parse
from community.tests.factories import CommentFactory, NoteFactory, TopicFactory
from core.errors import DomainError
from mall.models import Order, OrderLine, StockRecord
from mall.tests.factories import (
    BrandFactory,
    ProductFactory,
    SkuFactory,
    WarehouseFactory,
    stock_give,
)

pytestmark = pytest.mark.django_db

S = Order.State


# --- helpers -------------------------------------------------------------------------------------------


def buzz(product, *, score: float, mentions: int = 1, engagement: int = 0, card_clicks: int = 0):
    return ProductBuzz.objects.create(
        product=product, score=score, mentions=mentions, engagement=engagement, card_clicks=card_clicks
    )


def sell(sku, *, quantity: int, state=S.PAID, days_ago: float = 1, paid: bool = True) -> OrderLine:
    """An order line as the checkout leaves it, in ``state``, paid ``days_ago``."""
    paid_at = timezone.now() - timedelta(days=days_ago)
    order = Order.objects.create(
        number=secrets.token_hex(8),
        user=UserFactory(),
        state=state,
        idempotency_key=secrets.token_hex(8),
        subtotal=Decimal("100.00"),
        tax_total=Decimal("9.10"),
        total=Decimal("109.10"),
        payment_deadline=paid_at + timedelta(minutes=30),
        paid_at=paid_at if paid else None,
    )
    return OrderLine.objects.create(
        order=order,
        sku=sku,
        warehouse=WarehouseFactory(),
        product_name=sku.product.name,
        sku_name=sku.name,
        sku_code=sku.code,
        unit_price=sku.price,
        quantity=quantity,
        tax_rate=Decimal("0.0910"),
        tax_amount=Decimal("9.10"),
        line_total=sku.price * quantity,
    )


def click(product, *, count: int, days_ago: float = 0) -> None:
    note = NoteFactory(images=0)
    for _ in range(count):
        row = ProductCardClick.objects.create(note=note, product=product, action="buy")
        ProductCardClick.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )


def asking_note(topic_names, *, asks: int = 1, likes: int = 0, body: str = "Where to buy this?", **note):
    n = NoteFactory(images=0, like_count=likes, **note)
    for name in topic_names:
        n.topics.add(TopicFactory(name=name))
    for _ in range(asks):
        CommentFactory(note=n, body=body)
    Note.objects.filter(pk=n.pk).update(comment_count=asks)
    return n


@pytest.fixture
def shelves():
    """Serum: most talked about, 3 units left, sold 4 this week. Cream: high buzz, 200 in stock.
    Toner: little buzz. Serum and toner share a brand."""
    lumi, hana = BrandFactory(name="Lumi"), BrandFactory(name="Hana")
    serum = SkuFactory(product__name="Glow serum", product__brand=lumi, code="GLOW-30")
    cream = SkuFactory(product__name="Rich cream", product__brand=hana, code="RICH-50")
    toner = SkuFactory(product__name="Clear toner", product__brand=lumi, code="CLEAR-100")
    record = stock_give(sku=serum, quantity=10)
    StockRecord.objects.filter(pk=record.pk).update(allocated=7)
    stock_give(sku=cream, quantity=150)
    stock_give(sku=cream, warehouse=WarehouseFactory(code="SH-BONDED", name="Shanghai"), quantity=50)
    stock_give(sku=toner, quantity=40)
    buzz(serum.product, score=120, mentions=8, engagement=60, card_clicks=9)
    buzz(cream.product, score=90, mentions=5, engagement=40, card_clicks=4)
    buzz(toner.product, score=10, mentions=1, engagement=2)
    sell(serum, quantity=3)
    sell(serum, quantity=1, state=S.DELIVERED, days_ago=5)
    sell(serum, quantity=2, days_ago=20)  # only in the 30-day period
    sell(serum, quantity=5, state=S.CANCELLED, paid=False)
    sell(serum, quantity=6, state=S.REFUNDED)
    sell(serum, quantity=7, state=S.PENDING_PAYMENT, paid=False)
    sell(serum, quantity=8, days_ago=40)  # before either period
    click(serum.product, count=2)
    click(serum.product, count=3, days_ago=12)
    return {"serum": serum, "cream": cream, "toner": toner, "lumi": lumi, "hana": hana}


# --- products and brands -------------------------------------------------------------------------------


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
        assert client.post(path, {"score": 1}).status_code in (302, 403, 404)
    assert list(ProductBuzz.objects.order_by("pk").values_list("pk", "score")) == before


# --- queries -------------------------------------------------------------------------------------------


def _world(count: int) -> None:
    for i in range(count):
        sku = SkuFactory(product__brand=BrandFactory(name=f"B{i}"))
        stock_give(sku=sku, quantity=20 + i)
        buzz(sku.product, score=100 - i)
        sell(sku, quantity=1)
        click(sku.product, count=1)
        asking_note([f"wish{i}"], asks=1 + i % 3)


@pytest.mark.parametrize("count", [2, 10])
def test_the_overview_costs_four_queries_whatever_the_number_of_rows(count, django_assert_num_queries):
    _world(count)
    with django_assert_num_queries(4):  # products, brands, topics, sample notes
        demand = demand_overview(period=30)
    assert len(demand.products) == len(demand.brands) == len(demand.unsold_topics) == count
    assert all(t.samples for t in demand.unsold_topics)


@pytest.mark.parametrize("count", [2, 10])
def test_the_admin_page_costs_the_same_queries_whatever_the_number_of_rows(
    count, admin_client, django_assert_num_queries
):
    _world(count)
    url = reverse("admin:community_productbuzz_changelist")
    admin_client.get(url)  # warm the per-process caches (content types, ...)
    with django_assert_num_queries(6):  # session, user, and the overview's four
        response = admin_client.get(url)
    assert response.content.decode().count('data-testid="demand-product"') == count
