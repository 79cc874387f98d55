"""The purchase-link API: notes created and edited with products and a partnership (JSON and multipart),
the note output's product cards, sponsored and sponsor, the add-to-cart endpoint and the catalog search."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from community.models import Note, NoteProduct, ProductCardClick
from community.tests.factories import private_note
from community.tests.support.links import partnership, product, tagged_note
from flashsale.models import FlashSale
from flashsale.tests.factories import FlashSaleFactory
from mall.models import CartLine
from tests.support.images import image_upload

pytestmark = pytest.mark.django_db


def _links(note_id):
    return list(
        NoteProduct.objects.filter(note_id=note_id).order_by("position").values_list("product_id", "sku_id")
    )


def test_publish_with_products_and_a_partnership_as_multipart(member_api):
    deal = partnership(writer=member_api.user)
    serum, (sku,) = product("Serum", brand=deal.brand)
    cream, _ = product("Cream")

    response = member_api.post(
        "/api/notes/",
        {"title": "Haul", "images": [image_upload("a.jpg", 300, 400)], "products": [f"{serum.pk}:{sku.pk}", str(cream.pk)],
         "partnership": str(deal.pk)},
        format="multipart",
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    data = response.json()
    assert _links(data["id"]) == [(serum.pk, sku.pk), (cream.pk, None)]
    assert data["sponsored"] is True and data["sponsor"] == deal.brand.name
    assert [c["product"]["id"] for c in data["products"]] == [serum.pk, cream.pk]
    first = data["products"][0]
    assert first["sku"] == {"id": sku.pk, "name": sku.name, "price": "100.00"}
    assert first["price"] == "100.00" and first["stock_state"] == "in_stock" and first["on_sale"] is True
    assert first["bought_here"] is False and first["flash"] is None
    assert first["url"].endswith(f"/mall/products/{serum.slug}/?ref=note:{data['id']}")
    assert first["cart"].endswith(f"/api/notes/{data['id']}/products/{serum.pk}/cart/")
    assert first["image"].startswith("http://testserver/media/")


def test_publish_with_products_as_one_json_part(member_api):
    serum, _ = product("Serum")
    response = member_api.post(
        "/api/notes/",
        {
            "title": "Haul",
            "images": [image_upload("a.jpg", 300, 400)],
            "products": f'[{{"product": {serum.pk}}}]',
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert _links(response.json()["id"]) == [(serum.pk, None)]
    assert response.json()["sponsored"] is False and response.json()["sponsor"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"products": ["abc"]}, "products"),
        ({"products": ["1", "2", "3", "4", "5", "6"]}, "products"),
        ({"products": '{"product": 1}'}, "products"),
        ({"partnership": "999999"}, "partnership"),
        ({"partnership": "x"}, "partnership"),
    ],
)
def test_refused_inputs_are_400_and_store_nothing(member_api, payload, field):
    for _ in range(6):
        product()
    data = {"title": "Haul", "images": [image_upload("a.jpg", 300, 400)], **payload}
    response = member_api.post("/api/notes/", data, format="multipart")
    assert response.status_code == 400
    assert field in response.json()
    assert Note.objects.count() == 0


def test_someone_elses_partnership_is_refused(member_api):
    theirs = partnership(writer=UserFactory())
    response = member_api.post(
        "/api/notes/",
        {"title": "Haul", "images": [image_upload("a.jpg", 300, 400)], "partnership": theirs.pk},
        format="multipart",
    )
    assert response.status_code == 400 and "partnership" in response.json()
    assert Note.objects.count() == 0


def test_patch_replaces_products_and_partnership_only_when_given(member_api):
    a, _ = product("A")
    b, (b_sku,) = product("B")
    deal = partnership(writer=member_api.user)
    note = tagged_note(products=[a], author=member_api.user)
    url = f"/api/notes/{note.pk}/"

    assert member_api.patch(url, {"title": "Same links"}, format="json").status_code == 200
    assert _links(note.pk) == [(a.pk, None)]

    response = member_api.patch(
        url,
        {"products": [{"product": b.pk, "sku": b_sku.pk}, {"product": a.pk}], "partnership": deal.pk},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert _links(note.pk) == [(b.pk, b_sku.pk), (a.pk, None)]
    assert response.json()["sponsor"] == deal.brand.name

    response = member_api.patch(url, {"products": [], "partnership": None}, format="json")
    assert _links(note.pk) == [] and response.json()["sponsored"] is False


def test_note_detail_shows_a_live_flash_price(member_api):
    serum, (sku,) = product("Serum")
    sale = FlashSaleFactory(sku=sku, state=FlashSale.State.PUBLISHED, price=Decimal("39.90"))
    note = tagged_note(products=[serum])

    flash = member_api.get(f"/api/notes/{note.pk}/").json()["products"][0]["flash"]

    assert flash["price"] == "39.90" and flash["url"].endswith(f"/flash/sales/{sale.pk}/")
    assert flash["label"] and flash["ends_at"]


@pytest.mark.parametrize("size", [1, 5])
def test_note_detail_query_count_is_constant(member_api, django_assert_num_queries, size):
    note = tagged_note(products=[product(f"P{i}")[0] for i in range(size)])
    # the note with its topics and mentions (2: note_page folds them into the note's query) + 4 for the links
    with django_assert_num_queries(2 + 4):
        response = member_api.get(f"/api/notes/{note.pk}/")
    assert len(response.json()["products"]) == size


def test_cart_endpoint_adds_with_the_referral_and_records_the_click():
    serum, (sku,) = product("Serum")
    note = tagged_note(products=[serum])
    anonymous = APIClient()

    response = anonymous.post(f"/api/notes/{note.pk}/products/{serum.pk}/cart/")

    assert response.status_code == 201, response.json()
    assert response.json()["line"]["referral"] == f"note:{note.pk}" and response.json()["cart_count"] == 1
    assert CartLine.objects.get().referral == f"note:{note.pk}"
    assert list(ProductCardClick.objects.values_list("action", "user")) == [("cart", None)]


@pytest.mark.parametrize("case", ["private note", "untagged", "sold out"])
def test_cart_endpoint_refusals(member_api, case):
    serum, _ = product("Serum", stock=0 if case == "sold out" else 5)
    other, _ = product("Other")
    note = private_note() if case == "private note" else tagged_note(products=[serum])
    if case == "private note":
        NoteProduct.objects.create(note=note, product=serum)
    product_id = other.pk if case == "untagged" else serum.pk

    response = member_api.post(f"/api/notes/{note.pk}/products/{product_id}/cart/")

    assert response.status_code == (409 if case == "sold out" else 404)
    assert CartLine.objects.count() == 0 and ProductCardClick.objects.count() == 0


def test_catalog_search_api(member_api):
    serum, (sku,) = product("Night serum")
    product("Cream")
    response = member_api.get("/api/catalog/search/", {"q": "serum"})
    assert response.status_code == 200
    assert [(r["id"], [v["id"] for v in r["variants"]]) for r in response.json()] == [(serum.pk, [sku.pk])]
    assert APIClient().get("/api/catalog/search/", {"q": "serum"}).status_code == 403


def test_forged_huge_ids_are_refused_not_crashed(member_api, client):
    serum, _ = product("Serum")
    note = tagged_note(products=[serum])
    huge = 10**25

    response = member_api.post(
        "/api/notes/",
        {
            "title": "x",
            "images": [image_upload("a.jpg", 300, 400)],
            "products": [f"{huge}:{huge}"],
            "partnership": str(huge),
        },
        format="multipart",
    )
    assert response.status_code == 400 and Note.objects.count() == 1
    assert member_api.post(f"/api/notes/{note.pk}/products/{huge}/cart/").status_code == 404
    assert member_api.post(f"/api/notes/{huge}/products/{serum.pk}/cart/").status_code == 404
    assert client.get(f"/notes/{note.pk}/products/{huge}/").status_code == 404
    assert client.get(f"/notes/{huge}/products/{serum.pk}/").status_code == 404
    assert ProductCardClick.objects.count() == 0 and CartLine.objects.count() == 0


def test_the_notes_list_carries_the_trust_chips_in_one_query(member_api, django_assert_num_queries):
    deal = partnership(writer=member_api.user)
    sponsored = tagged_note(author=member_api.user)
    sponsored.partnership = deal
    sponsored.save(update_fields=["partnership"])
    tagged_note()

    with django_assert_num_queries(1):
        items = member_api.get("/api/notes/").json()["results"]

    chips = {i["id"]: (i["sponsored"], i["sponsor"], i["bought_here"]) for i in items}
    assert chips[sponsored.pk] == (True, deal.brand.name, False)
    assert sorted(chips.values())[0] == (False, None, False)


def test_anonymous_cart_calls_are_rate_limited_per_address(monkeypatch, settings):
    from core.api import AnonymousThrottle

    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    settings.VISITOR_ANONYMOUS_PER_ADDRESS = 2
    serum, _skus = product("Serum")
    note = tagged_note(products=[serum])
    url = f"/api/notes/{note.pk}/products/{serum.pk}/cart/"

    # Cookieless calls: each makes a cart and a session; each is a new visitor, of whom the address
    # counts VISITOR_ANONYMOUS_PER_ADDRESS.
    answers = [APIClient().post(url).status_code for _ in range(5)]

    assert answers == [201, 201, 201, 429, 429]
    assert CartLine.objects.count() == 3
    assert ProductCardClick.objects.count() == 2
