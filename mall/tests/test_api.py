"""The mall API: catalog lists with filters, sorts and cursors in fixed queries; the cart; checkout holds;
orders placed once per idempotency key; the buyer's actions; 404 for another shopper on every route."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.keyset import cursor_encode
from mall.models import CartLine, Order, Reservation, StockRecord
from mall.services.orders import order_ship
from mall.tests.factories import BrandFactory, buyer, cart_with, category_pair, shop_product
from tests.support.orders import order_move, place_order

pytestmark = pytest.mark.django_db

S = Order.State


@pytest.fixture
def api():
    client = APIClient()
    who = buyer()
    client.force_authenticate(who[0])
    client.who = who
    return client


def product_slugs(response) -> list[str]:
    return [p["slug"] for p in response.json()["results"]]


# --- catalog --------------------------------------------------------------------------------------------------


def test_products_filter_sort_and_page_with_a_cursor():
    parent, child = category_pair()
    japan = BrandFactory(name="Sakura", slug="sakura", country="Japan")
    shop_product(slug="a", prices=("30.00",), category=child, brand=japan)
    shop_product(slug="b", prices=("10.00",), category=parent, brand=japan)
    korea = BrandFactory(name="Dew", slug="dew", country="South Korea")
    shop_product(slug="c", prices=("20.00",), category=parent, brand=korea)
    shop_product(slug="d", prices=("40.00",), brand=korea)
    client = APIClient()

    first = client.get("/api/mall/products/", {"category": "beauty", "sort": "price_asc", "page_size": 2})
    assert first.status_code == 200
    assert product_slugs(first) == ["b", "c"]
    body = first.json()
    assert body["results"][0]["min_price"] == "10.00" and body["results"][0]["is_cross_border"] is True
    assert body["results"][0]["cover"].startswith("http://testserver/")
    second = client.get(body["next"])
    assert product_slugs(second) == ["a"] and second.json()["next"] is None

    assert product_slugs(client.get("/api/mall/products/", {"brand": "sakura", "sort": "price_desc"})) == [
        "a",
        "b",
    ]
    assert product_slugs(client.get("/api/mall/products/", {"origin": "Japan", "price_min": "20"})) == ["a"]
    assert client.get("/api/mall/products/", {"cursor": "forged"}).status_code == 400


@pytest.mark.parametrize("count", [3, 12])
def test_the_product_list_costs_the_same_queries_for_3_or_12(count, django_assert_num_queries):
    for i in range(count):
        shop_product(slug=f"p{i}", prices=("10.00", "20.00"), images=2)
    with django_assert_num_queries(3):  # categories, products with covers, stock
        response = APIClient().get("/api/mall/products/", {"page_size": 20})
    assert len(response.json()["results"]) == count


def test_a_product_with_its_skus_stock_tax_and_provenance():
    _parent, child = category_pair()
    product, (small, large) = shop_product(
        slug="cream", prices=("100.00", "180.00"), stock=[3, 0], category=child
    )
    body = APIClient().get("/api/mall/products/cream/").json()
    assert body["category_path"] == ["beauty", "skincare"]
    assert body["brand"]["country"] == product.brand.country and body["brand"]["authorization"] == "official"
    assert body["tax_rate"] == "0.0910"
    assert [
        (s["code"], s["price"], s["tax_estimate"], s["available"], s["stock_state"]) for s in body["skus"]
    ] == [
        (small.code, "100.00", "9.10", 3, "low"),
        (large.code, "180.00", "16.38", 0, "sold_out"),
    ]
    assert APIClient().get("/api/mall/products/nope/").status_code == 404


def test_categories_come_parents_first_and_brands_with_provenance():
    category_pair()
    BrandFactory(name="Sakura", slug="sakura", country="Japan", authorization_ref="JP-1")
    categories = APIClient().get("/api/mall/categories/").json()
    assert [(c["slug"], c["parent"]) for c in categories] == [("beauty", None), ("skincare", "beauty")]
    brands = APIClient().get("/api/mall/brands/").json()
    assert brands[0]["slug"] == "sakura" and brands[0]["authorization_ref"] == "JP-1"


# --- cart -----------------------------------------------------------------------------------------------------


def test_the_cart_adds_changes_and_removes_lines(api):
    _p, (sku,) = shop_product(prices=("100.00",))
    response = api.post(
        "/api/mall/cart/", {"sku": sku.pk, "quantity": 2, "referral": "note:9"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["total"] == "218.20" and body["lines"][0]["quantity"] == 2
    line_id = body["lines"][0]["id"]
    assert CartLine.objects.get(pk=line_id).referral == "note:9"

    body = api.patch(f"/api/mall/cart/lines/{line_id}/", {"quantity": 3}, format="json").json()
    assert body["lines"][0]["quantity"] == 3 and body["subtotal"] == "300.00"
    body = api.patch(f"/api/mall/cart/lines/{line_id}/", {"selected": False}, format="json").json()
    assert body["total"] == "0.00"
    assert api.patch(f"/api/mall/cart/lines/{line_id}/", {"quantity": 100}, format="json").status_code == 400
    removed = api.delete(f"/api/mall/cart/lines/{line_id}/")
    assert removed.status_code == 204 and removed.content == b""
    assert api.get("/api/mall/cart/").json()["lines"] == []


def test_the_cart_needs_a_signed_in_user():
    assert APIClient().get("/api/mall/cart/").status_code == 403


# --- checkout and orders --------------------------------------------------------------------------------------


def test_checkout_holds_then_an_order_is_placed_once_per_key(api):
    user, address, identity = api.who
    _p, (sku,) = shop_product(prices=("100.00",), stock=5)
    cart_with(user=user, sku=sku, quantity=2)
    held = api.post("/api/mall/checkout/", {"identity": identity.pk}, format="json")
    assert held.status_code == 201
    summary = held.json()
    assert summary["total"] == "218.20" and summary["problems"] == [] and summary["is_cross_border"] is True
    assert Reservation.objects.get(checkout_token=summary["token"]).quantity == 2

    form = {
        "token": summary["token"],
        "address": address.pk,
        "identity": identity.pk,
        "idempotency_key": "abc",
    }
    placed = api.post("/api/mall/orders/", form, format="json")
    again = api.post("/api/mall/orders/", form, format="json")
    assert (placed.status_code, again.status_code) == (201, 200)
    assert placed.json()["number"] == again.json()["number"]
    body = placed.json()
    assert body["state"] == "pending_payment" and body["purchaser_id_number"] == identity.masked_number
    assert identity.id_number not in placed.content.decode()
    assert Order.objects.count() == 1 and StockRecord.objects.get(sku=sku).allocated == 2


def test_checkout_over_the_quota_is_a_clear_400_and_holds_nothing(api):
    user, _address, _identity = api.who
    _p, (sku,) = shop_product(prices=("3000.00",), stock=5)
    cart_with(user=user, sku=sku, quantity=2)
    response = api.post("/api/mall/checkout/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "quota_exceeded" and "¥5,000.00" in response.json()["detail"]
    assert not Reservation.objects.exists()


def test_orders_list_detail_and_actions(api):
    shopper = api.who
    unpaid = place_order(shopper=shopper)
    _p, (sku,) = shop_product(is_cross_border=False)
    shipped = order_move(place_order(shopper=shopper, sku=sku), S.PAID)
    order_ship(order=shipped, tracking_number="SF100001")

    listed = api.get("/api/mall/orders/").json()["results"]
    assert [o["number"] for o in listed] == [shipped.number, unpaid.number]
    assert [o["number"] for o in api.get("/api/mall/orders/", {"tab": "unpaid"}).json()["results"]] == [
        unpaid.number
    ]
    detail = api.get(f"/api/mall/orders/{shipped.number}/").json()
    assert (
        detail["tracking_number"] == "SF100001" and [e["to_state"] for e in detail["events"]][-1] == "shipped"
    )
    assert "server_time" in detail

    assert (
        api.post(f"/api/mall/orders/{unpaid.number}/cancel/", {}, format="json").json()["state"]
        == "cancelled"
    )
    assert api.post(f"/api/mall/orders/{unpaid.number}/cancel/", {}, format="json").status_code == 409
    delivered = api.post(f"/api/mall/orders/{shipped.number}/confirm-delivery/", {}, format="json").json()
    assert delivered["state"] == "delivered"
    assert api.post(f"/api/mall/orders/{shipped.number}/return/", {}, format="json").status_code == 400
    returned = api.post(f"/api/mall/orders/{shipped.number}/return/", {"reason": "Too small"}, format="json")
    assert returned.json()["state"] == "return_requested"


@pytest.mark.clocks
def test_a_return_after_the_window_is_refused(api):
    _p, (sku,) = shop_product(is_cross_border=False)
    order = order_move(place_order(shopper=api.who, sku=sku), S.PAID)
    order_ship(order=order, tracking_number="SF200002")
    order_move(order, S.DELIVERED, **{S.DELIVERED: {"delivered_at": timezone.now() - timedelta(days=31)}})
    response = api.post(f"/api/mall/orders/{order.number}/return/", {"reason": "late"}, format="json")
    assert response.status_code == 400 and "30 days" in response.json()["detail"]
    order.refresh_from_db()
    assert order.state == S.DELIVERED


@pytest.mark.parametrize("count", [2, 8])
def test_the_order_list_costs_the_same_queries_for_2_or_8(api, count, django_assert_num_queries):
    _p, (sku,) = shop_product(stock=50)
    for _ in range(count):
        place_order(shopper=api.who, sku=sku)
    with django_assert_num_queries(2):  # orders, their lines
        response = api.get("/api/mall/orders/")
    assert len(response.json()["results"]) == count


def test_another_shoppers_cart_lines_and_orders_are_404_on_every_route(api):
    stranger = buyer()
    _p, (sku,) = shop_product(stock=5)
    order = place_order(shopper=stranger, sku=sku)
    _q, (other,) = shop_product()
    their_cart = cart_with(user=stranger[0], sku=other, quantity=1)
    line = their_cart.lines.get()

    assert api.patch(f"/api/mall/cart/lines/{line.pk}/", {"quantity": 5}, format="json").status_code == 404
    assert api.delete(f"/api/mall/cart/lines/{line.pk}/").status_code == 404
    assert api.get(f"/api/mall/orders/{order.number}/").status_code == 404
    for action in ("cancel", "confirm-delivery", "return"):
        response = api.post(f"/api/mall/orders/{order.number}/{action}/", {"reason": "x"}, format="json")
        assert response.status_code == 404, action
    assert api.post(f"/api/payments/orders/{order.number}/pay/", {}, format="json").status_code == 404
    assert order.number not in api.get("/api/mall/orders/").content.decode()
    # Placing with their address or identity: 404 too, and no order.
    user, address, identity = api.who
    cart_with(user=user, sku=other)
    token = api.post("/api/mall/checkout/", {}, format="json").json()["token"]
    for form in (
        {"address": stranger[1].pk, "identity": identity.pk},
        {"address": address.pk, "identity": stranger[2].pk},
    ):
        response = api.post(
            "/api/mall/orders/", {"token": token, "idempotency_key": "k", **form}, format="json"
        )
        assert response.status_code == 404
    assert api.post("/api/mall/checkout/", {"identity": stranger[2].pk}, format="json").status_code == 404
    line.refresh_from_db()
    order.refresh_from_db()
    assert line.quantity == 1 and order.state == S.PENDING_PAYMENT
    assert not Order.objects.filter(user=user).exists()


def test_the_schema_documents_every_mall_route():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/mall/products/",
        "/api/mall/products/{slug}/",
        "/api/mall/categories/",
        "/api/mall/brands/",
        "/api/mall/cart/",
        "/api/mall/cart/lines/{line_id}/",
        "/api/mall/checkout/",
        "/api/mall/orders/",
        "/api/mall/orders/{number}/",
        "/api/mall/orders/{number}/{action}/",
    ):
        assert path in schema["paths"], path


@pytest.mark.parametrize("url", ["/api/mall/products/", "/api/mall/orders/"])
@pytest.mark.parametrize("cursor", ["forged", "foreign"])
def test_a_forged_or_foreign_cursor_is_a_clear_400_on_every_list(api, url, cursor):
    """Signed keyset cursors (core/keyset.py): a cursor of another list, or none of ours, is a 400 with the
    same error body as every other API list, not a 404 or a 500."""
    if cursor == "foreign":
        cursor = cursor_encode([1], salt="mall.some.other.list")
    response = api.get(url, {"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_cursor" and response.json()["detail"]
