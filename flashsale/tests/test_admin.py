"""The operators' console: creating a sale with its checks, and every action through the admin client,
with what changed (or, when refused, that nothing did)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from flashsale import keys
from flashsale.models import FlashSale
from flashsale.services import materialize
from flashsale.tests.factories import FlashSaleFactory
from flashsale.tests.helpers import buy, live_sale
from mall.models import Order, StockMovement, StockRecord
from mall.services.orders import order_transition
from mall.tests.factories import SkuFactory, WarehouseFactory, buyer, stock_give
from tests.support.admin import run_action, said

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/flashsale/flashsale/"


def sale_action(client, name: str, *sales):
    return run_action(client, CHANGELIST, f"sale_{name}", sales)


def press(client, sale, name: str):
    return client.post(reverse("admin:flashsale_flashsale_console_action", args=[sale.pk, name]), follow=True)


def record_of(sale) -> StockRecord:
    return StockRecord.objects.get(sku=sale.sku, warehouse=sale.warehouse)


def sku_by_code() -> bool:
    """The form asks for the SKU's code unless the mall registers a searchable SKU admin (autocomplete)."""
    from django.contrib import admin

    from mall.models import Sku

    sku_admin = admin.site._registry.get(Sku)
    return sku_admin is None or not sku_admin.search_fields


def add_form(sku_row, warehouse, **overrides) -> dict:
    start = timezone.localtime(timezone.now() + timedelta(hours=1))
    end = start + timedelta(hours=2)
    data = {
        "title": "Spring welfare club",
        "sku": sku_row.code if sku_by_code() else sku_row.pk,
        "warehouse": warehouse.pk,
        "price": "59.00",
        "quota": "10",
        "per_user_limit": "1",
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%Y-%m-%d"),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "is_cross_border": "on",
    }
    data.update(overrides)
    return data


# --- creating a sale ------------------------------------------------------------------------------------


@pytest.mark.clocks
def test_the_operator_creates_a_draft_sale(admin_client):
    sku = SkuFactory(price=Decimal("100.00"))
    warehouse = WarehouseFactory()
    response = admin_client.post(reverse("admin:flashsale_flashsale_add"), add_form(sku, warehouse))
    assert response.status_code == 302
    sale = FlashSale.objects.get()
    assert (sale.state, sale.sku, sale.price, sale.quota, sale.sold) == (
        "draft",
        sku,
        Decimal("59.00"),
        10,
        0,
    )
    # Creating touches no stock: that is publishing's job.
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.FLASH_IN).exists()
    # The draft reopens with the SKU's code in its box.
    html = admin_client.get(reverse("admin:flashsale_flashsale_change", args=[sale.pk])).content.decode()
    if sku_by_code():
        assert re.search(rf'name="sku" value="{sku.code}"', html)
    data = add_form(sku, warehouse, title="Renamed club", price="49.00")
    assert (
        admin_client.post(reverse("admin:flashsale_flashsale_change", args=[sale.pk]), data).status_code
        == 302
    )
    sale.refresh_from_db()
    assert (sale.title, sale.price, sale.sku_id) == ("Renamed club", Decimal("49.00"), sku.pk)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"price": "100.00"}, "price", "below the regular price"),
        ({"price": "120.00"}, "price", "below the regular price"),
        ({"quota": "0"}, "quota", "at least 1 unit"),
        ({"sku": "NO-SUCH-SKU"}, "sku", "No SKU has this code"),
        ({"per_user_limit": "0"}, "per_user_limit", "at least 1 unit"),
        ({"ends_at_0": "2020-01-01", "ends_at_1": "10:00:00"}, "ends_at", "end after it starts"),
    ],
)
def test_a_sale_that_makes_no_sense_is_refused_with_the_reason(admin_client, overrides, field, words):
    if field == "sku" and not sku_by_code():
        pytest.skip("the SKU is chosen from a search box, not typed")
    sku = SkuFactory(price=Decimal("100.00"))
    response = admin_client.post(
        reverse("admin:flashsale_flashsale_add"), add_form(sku, WarehouseFactory(), **overrides)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert words in " ".join(errors[field])
    assert not FlashSale.objects.exists()


@pytest.mark.clocks
def test_a_window_already_over_is_refused(admin_client):
    sku = SkuFactory(price=Decimal("100.00"))
    past = timezone.localtime(timezone.now() - timedelta(hours=3))
    data = add_form(
        sku,
        WarehouseFactory(),
        starts_at_0=past.strftime("%Y-%m-%d"),
        starts_at_1=past.strftime("%H:%M:%S"),
        ends_at_0=(past + timedelta(hours=1)).strftime("%Y-%m-%d"),
        ends_at_1=(past + timedelta(hours=1)).strftime("%H:%M:%S"),
    )
    response = admin_client.post(reverse("admin:flashsale_flashsale_add"), data)
    assert "already passed" in " ".join(response.context["adminform"].form.errors["ends_at"])
    assert not FlashSale.objects.exists()


def test_a_published_sale_keeps_its_terms(admin_client):
    sale = live_sale(quota=3)
    response = admin_client.get(reverse("admin:flashsale_flashsale_change", args=[sale.pk]))
    form = response.context["adminform"].form
    assert list(form.fields) == ["title"]
    assert f'href="/admin/flashsale/flashsale/{sale.pk}/console/"' in response.content.decode()
    # ...and cannot be deleted: it holds warehouse stock.
    assert admin_client.post(reverse("admin:flashsale_flashsale_delete", args=[sale.pk])).status_code == 403
    assert FlashSale.objects.filter(pk=sale.pk).exists()


# --- list ---------------------------------------------------------------------------------------------------


@pytest.mark.clocks
def test_the_list_shows_state_window_and_sold_of_quota(admin_client):
    sale = live_sale(quota=4)
    later = timezone.now() + timedelta(days=1)
    FlashSaleFactory(title="Later", starts_at=later, ends_at=later + timedelta(hours=1))
    response = admin_client.get(CHANGELIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "0 / 4" in html and "Live" in html and "Draft" in html
    assert reverse("admin:flashsale_flashsale_console", args=[sale.pk]) in html


# --- publish -------------------------------------------------------------------------------------------------


def test_publish_moves_the_quota_out_of_warehouse_stock(admin_client):
    sale = FlashSaleFactory(quota=6)
    stock_give(sku=sale.sku, warehouse=sale.warehouse, quantity=10)
    response = sale_action(admin_client, "publish", sale)
    sale.refresh_from_db()
    assert sale.state == "published"
    record = record_of(sale)
    assert (record.on_hand, record.allocated) == (10, 6)
    movement = StockMovement.objects.get(kind=StockMovement.Kind.FLASH_IN)
    assert (movement.allocated_delta, movement.source) == (6, sale.referral)
    assert any("Published" in m and "6 units" in m for m in said(response))


def test_publish_without_enough_stock_says_so_and_changes_nothing(admin_client):
    sale = FlashSaleFactory(quota=50)
    stock_give(sku=sale.sku, warehouse=sale.warehouse, quantity=10)
    movements_before = StockMovement.objects.count()
    response = sale_action(admin_client, "publish", sale)
    messages = said(response)
    assert any("Not enough stock: the quota is 50 but only 10 units are free" in m for m in messages), (
        messages
    )
    sale.refresh_from_db()
    assert (sale.state, sale.published_at) == ("draft", None)
    record = record_of(sale)
    assert (record.on_hand, record.allocated) == (10, 0)
    assert StockMovement.objects.count() == movements_before


def test_publish_from_the_console_button(admin_client):
    sale = FlashSaleFactory(quota=2)
    stock_give(sku=sale.sku, warehouse=sale.warehouse, quantity=2)
    response = press(admin_client, sale, "publish")
    assert response.redirect_chain[-1][0] == reverse("admin:flashsale_flashsale_console", args=[sale.pk])
    sale.refresh_from_db()
    assert sale.state == "published"


def test_publishing_twice_is_refused_in_words(admin_client):
    sale = live_sale(quota=2)
    response = sale_action(admin_client, "publish", sale)
    assert any("Only a draft sale can be published" in m for m in said(response))
    assert record_of(sale).allocated == 2


# --- warm, freeze, resume ------------------------------------------------------------------------------------


def test_warm_loads_the_sale_into_redis(admin_client, redis_conn):
    sale = FlashSaleFactory(quota=5)
    stock_give(sku=sale.sku, warehouse=sale.warehouse, quantity=5)
    sale_action(admin_client, "publish", sale)
    assert redis_conn.get(keys.stock(sale.pk)) is None
    response = press(admin_client, sale, "warm")
    assert redis_conn.get(keys.stock(sale.pk)) == "5"
    assert any("Loaded" in m for m in said(response))


def test_warming_a_draft_is_refused(admin_client, redis_conn):
    sale = FlashSaleFactory()
    response = sale_action(admin_client, "warm", sale)
    assert any("Only a published sale can be loaded" in m for m in said(response))
    assert redis_conn.get(keys.stock(sale.pk)) is None


def test_freeze_stops_admission_and_resume_rebuilds_and_reopens(admin_client, redis_conn):
    sale = live_sale(quota=3)
    user = buyer()[0]
    response = press(admin_client, sale, "freeze")
    sale.refresh_from_db()
    assert sale.frozen and redis_conn.hget(keys.meta(sale.pk), "frozen") == "1"
    assert any("Froze" in m for m in said(response))
    assert buy(sale, user).status == "not_loaded"

    # Redis loses the stock while frozen; resume rebuilds it from the database.
    redis_conn.delete(keys.stock(sale.pk))
    response = press(admin_client, sale, "resume")
    sale.refresh_from_db()
    assert not sale.frozen and redis_conn.get(keys.stock(sale.pk)) == "3"
    assert any("resumed" in m for m in said(response))
    assert buy(sale, user).status == "admitted"


def test_freezing_a_draft_is_refused(admin_client):
    sale = FlashSaleFactory()
    response = sale_action(admin_client, "freeze", sale)
    assert any("Only a published sale can be frozen" in m for m in said(response))
    sale.refresh_from_db()
    assert not sale.frozen


# --- end, reconcile ------------------------------------------------------------------------------------------


def test_end_gives_unsold_units_back_to_the_warehouse(admin_client):
    sale = live_sale(quota=5, stock=8)
    buy(sale, buyer()[0])  # one admission still waiting in the stream: it becomes an order first
    response = press(admin_client, sale, "end")
    sale.refresh_from_db()
    assert (sale.state, sale.sold, sale.quota) == ("ended", 1, 1)
    record = record_of(sale)
    assert (record.on_hand, record.allocated) == (8, 1)
    assert StockMovement.objects.get(kind=StockMovement.Kind.FLASH_OUT).allocated_delta == -4
    assert any("4 unsold units went back" in m for m in said(response))
    # Ending twice is refused and gives nothing back twice.
    response = sale_action(admin_client, "end", sale)
    assert any("Only a published sale can be ended" in m for m in said(response))
    assert record_of(sale).allocated == 1


def test_reconcile_reports_balanced_books(admin_client):
    sale = live_sale(quota=4)
    buy(sale, buyer()[0])
    response = sale_action(admin_client, "reconcile", sale)
    assert any("balances: quota 4 = Redis stock 3 + waiting 1 + live orders 0" in m for m in said(response))


def test_reconcile_rebuilds_a_sale_redis_lost(admin_client, redis_conn):
    sale = live_sale(quota=4)
    buy(sale, buyer()[0])
    materialize.sale_drain(sale_id=sale.pk)
    redis_conn.delete(*keys.sale_keys(sale.pk))
    response = press(admin_client, sale, "reconcile")
    assert redis_conn.get(keys.stock(sale.pk)) == "3"
    assert any("balances: quota 4 = Redis stock 3 + waiting 0 + live orders 1" in m for m in said(response))
    sale.refresh_from_db()
    assert not sale.frozen


def test_reconcile_on_a_draft_says_there_is_nothing_to_check(admin_client):
    sale = FlashSaleFactory()
    response = press(admin_client, sale, "reconcile")
    assert any("nothing to reconcile" in m for m in said(response))


def test_a_drift_is_said_as_an_error_and_a_freeze_as_a_warning(admin_client):
    from django.contrib import messages

    frozen, ended = live_sale(quota=3), live_sale(quota=3)
    levels = {str(m): m.level for m in get_messages(press(admin_client, frozen, "freeze").wsgi_request)}
    assert [level for text, level in levels.items() if "Froze" in text] == [messages.WARNING]
    press(admin_client, ended, "end")
    FlashSale.objects.filter(pk=ended.pk).update(quota=1)  # one unit the books cannot account for
    levels = {str(m): m.level for m in get_messages(press(admin_client, ended, "reconcile").wsgi_request)}
    assert [level for text, level in levels.items() if "drifts by 1" in text] == [messages.ERROR]


# --- the console page ----------------------------------------------------------------------------------------


def test_console_shows_live_figures(admin_client):
    sale = live_sale(quota=10)
    first, second, third = buyer()[0], buyer()[0], buyer()[0]
    buy(sale, first)
    buy(sale, second)
    materialize.sale_drain(sale_id=sale.pk)
    paid = Order.objects.get(user=first)
    with transaction.atomic():
        order_transition(order=paid, to_state=Order.State.PAID)
    buy(sale, third)  # waiting in the stream

    response = admin_client.get(reverse("admin:flashsale_flashsale_console", args=[sale.pk]))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.quota, figures.redis_stock, figures.waiting) == (10, 7, 1)
    assert (figures.pending_payment, figures.paid, figures.sold, figures.drift) == (1, 1, 2, 0)
    html = response.content.decode()
    for testid, value in [
        ("fig-redis-stock", 7),
        ("fig-waiting", 1),
        ("fig-pending", 1),
        ("fig-paid", 1),
        ("fig-sold", 2),
        ("fig-drift", 0),
    ]:
        assert f'data-testid="{testid}">{value}<' in html
    # The figures refresh themselves every 2 s from their fragment; the buttons post with CSRF.
    fragment = reverse("admin:flashsale_flashsale_console_figures", args=[sale.pk])
    assert f'hx-get="{fragment}"' in html and 'hx-trigger="every 2s"' in html
    assert "csrfmiddlewaretoken" in html
    assert 'data-testid="console-warm"' in html and 'data-testid="console-publish"' not in html


def test_console_fragment_follows_the_sale(admin_client):
    sale = live_sale(quota=3)
    url = reverse("admin:flashsale_flashsale_console_figures", args=[sale.pk])
    assert 'data-testid="fig-redis-stock">3<' in admin_client.get(url).content.decode()
    buy(sale, buyer()[0])
    html = admin_client.get(url).content.decode()
    assert 'data-testid="fig-redis-stock">2<' in html and 'data-testid="fig-waiting">1<' in html
    assert "<html" not in html  # a fragment, not a page


def test_console_of_a_draft_sale_shows_it_is_not_loaded(admin_client):
    sale = FlashSaleFactory()
    html = admin_client.get(reverse("admin:flashsale_flashsale_console", args=[sale.pk])).content.decode()
    assert "not loaded" in html and 'data-testid="console-publish"' in html


def test_console_actions_need_a_post_and_staff(client, admin_client):
    sale = live_sale(quota=2)
    url = reverse("admin:flashsale_flashsale_console_action", args=[sale.pk, "end"])
    assert admin_client.get(url).status_code == 405
    assert (
        admin_client.post(
            reverse("admin:flashsale_flashsale_console_action", args=[sale.pk, "nope"])
        ).status_code
        == 404
    )
    client.force_login(buyer()[0])
    response = client.post(url)
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert client.get(reverse("admin:flashsale_flashsale_console", args=[sale.pk])).status_code == 302
    sale.refresh_from_db()
    assert sale.state == "published"


def test_console_of_a_missing_sale_is_404(admin_client):
    assert admin_client.get(reverse("admin:flashsale_flashsale_console", args=[987654])).status_code == 404


def test_ending_a_sale_that_sold_nothing_gives_the_whole_quota_back(admin_client):
    # Regression: the quota CHECK (quota > 0) refused the ended sale's quota of 0.
    sale = live_sale(quota=5, stock=5)
    press(admin_client, sale, "end")
    sale.refresh_from_db()
    assert (sale.state, sale.quota, sale.sold) == ("ended", 0, 0)
    assert record_of(sale).allocated == 0
    response = press(admin_client, sale, "reconcile")
    assert any("balances: quota 0" in m for m in said(response))
