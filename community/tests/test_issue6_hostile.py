"""Hostile input against every page and API endpoint of the purchase-link / trust / statistics / demand
features (issue 6): anonymous, another user and staff; ids that are not numbers, negative or past a
bigint; garbage, NUL bytes and lone surrogates; JSON bodies of the wrong shape. Nothing answers 500,
nothing leaks another user's data, and a refusal changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from community.models import DisclosureFlag, Note, NoteProduct, Partnership, ProductCardClick
from community.tests.factories import image_upload
from community.tests.factories_notes import hidden_note, private_note
from community.tests.test_trust_support import (
    order_delivered,
    partnership,
    product,
    tagged_note,
    writer_shopper,
)
from mall.models import Cart, CartLine

pytestmark = pytest.mark.django_db

HUGE = str(2**63)
HOSTILE_VALUES = [
    "abc",
    "-1",
    "0",
    HUGE,
    str(2**64),
    "9" * 400,
    "1e3",
    " 7 ",
    "٧",  # an Arabic-Indic seven: int() reads it, a path converter does not
    "\x00",
    "7\x00",
    "x" * 10_000,
    "%ED%A0%80",  # a lone surrogate, percent-encoded (sent raw, see _get)
]


def _counts() -> dict[str, int]:
    return {
        "notes": Note.objects.count(),
        "links": NoteProduct.objects.count(),
        "clicks": ProductCardClick.objects.count(),
        "carts": Cart.objects.count(),
        "lines": CartLine.objects.count(),
        "flags": DisclosureFlag.objects.count(),
        "partnerships": Partnership.objects.count(),
    }


def _get(client, path: str, **params):
    """GET with ``params`` in the query string; a value starting with '%' is sent as it is (raw bytes)."""
    if not params:
        return client.get(path)
    from urllib.parse import quote

    parts = []
    for key, value in params.items():
        encoded = value if value.startswith("%") else quote(value, safe="")
        parts.append(f"{key}={encoded}")
    return client.get(f"{path}?{'&'.join(parts)}")


class World:
    pass


@pytest.fixture
def world():
    w = World()
    w.shopper = writer_shopper()
    w.writer = w.shopper[0]
    w.other = UserFactory()
    w.staff = UserFactory(is_staff=True, is_superuser=True)
    w.deal = partnership(writer=w.writer)
    w.product, w.sku = product("Serum", brand=w.deal.brand)
    w.other_product, w.other_sku = product("Cream")
    w.note = tagged_note(author=w.writer, products=[w.product])
    w.private = private_note(author=w.writer)
    NoteProduct.objects.create(note=w.private, product=w.product, position=0)
    w.hidden = hidden_note(author=w.writer)
    NoteProduct.objects.create(note=w.hidden, product=w.product, position=0)
    w.order = order_delivered(w.shopper, w.sku)
    w.other_deal = partnership(writer=w.other, title="Other's deal")
    return w


def _page_client(user=None, csrf=False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user)
    return client


def _api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _who(world, name):
    return {"anonymous": None, "other": world.other, "writer": world.writer, "staff": world.staff}[name]


WHO = ["anonymous", "other", "writer", "staff"]


# --- GET pages and API lists with every hostile query value ----------------------------------------------


GET_PAGES = [
    ("/notes/products/search/", "q"),
    ("/notes/for-product/{product}/all/", "cursor"),
    ("/me/stats/", "days"),
    ("/me/stats/", "note"),
    ("/notes/new/", "from_order"),
    ("/admin/community/productbuzz/", "period"),
    ("/admin/community/partnership/", "q"),
    ("/admin/community/disclosureflag/", "q"),
    ("/", "sponsored"),
    ("/search/", "q"),
]

GET_APIS = [
    ("/api/catalog/search/", "q"),
    ("/api/products/{product}/notes/", "cursor"),
    ("/api/products/{product}/notes/", "page_size"),
    ("/api/me/stats/", "days"),
    ("/api/me/stats/", "note"),
    ("/api/recommendations/products/", "limit"),
    ("/api/operators/demand/", "period"),
    ("/api/notes/", "author"),
    ("/api/feed/", "sponsored"),
    ("/api/search/notes/", "q"),
    ("/api/search/notes/", "sponsored"),
]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("path", "param"), GET_PAGES)
def test_pages_never_500_on_hostile_query_values(world, who, path, param):
    client = _page_client(_who(world, who))
    before = _counts()
    for value in HOSTILE_VALUES:
        response = _get(client, path.format(product=world.product.pk), **{param: value})
        assert response.status_code < 500, (path, param, value, response.status_code)
    assert _counts() == before


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("path", "param"), GET_APIS)
def test_apis_never_500_on_hostile_query_values(world, who, path, param):
    client = _api_client(_who(world, who))
    before = _counts()
    for value in HOSTILE_VALUES:
        response = _get(client, path.format(product=world.product.pk), **{param: value})
        assert response.status_code < 500, (path, param, value, response.status_code)
    assert _counts() == before


# --- ids in the path ----------------------------------------------------------------------------------------

ID_PATHS_GET = [
    "/notes/{note}/products/{product}/",
    "/notes/for-product/{product}/",
    "/notes/for-product/{product}/all/",
    "/notes/{note}/",
    "/notes/{note}/edit/",
    "/api/products/{product}/notes/",
    "/api/notes/{note}/",
]
ID_PATHS_POST = [
    "/notes/{note}/products/{product}/buy/",
    "/notes/{note}/products/{product}/cart/",
    "/api/notes/{note}/products/{product}/cart/",
]
BAD_IDS = ["0", HUGE, str(2**64), "9" * 40, "-1", "abc"]


@pytest.mark.parametrize("who", WHO)
def test_forged_ids_in_paths_answer_4xx_and_record_nothing(world, who):
    user = _who(world, who)
    before = _counts()
    for template in ID_PATHS_GET + ID_PATHS_POST:
        client = _api_client(user) if template.startswith("/api/") else _page_client(user)
        send = client.post if template in ID_PATHS_POST else client.get
        for bad in BAD_IDS:
            paths = []
            if "{note}" in template:
                paths.append(template.format(note=bad, product=world.product.pk))
            if "{product}" in template:
                paths.append(template.format(note=world.note.pk, product=bad))
            for path in paths:
                response = send(path)
                # 404/400, or the login page for a page that needs a signed-in writer.
                assert response.status_code in (302, 400, 404, 405), (path, response.status_code)
                if response.status_code == 302:
                    assert who == "anonymous" and "/accounts/login/" in response["Location"]
    assert _counts() == before


# --- the notes API: bodies of the wrong shape ----------------------------------------------------------------

WRONG_BODIES = [
    [],
    [{"title": "x"}],
    "a string",
    42,
    None,
    {"title": "Haul", "products": "not a list"},
    {"title": "Haul", "products": {"product": 1}},
    {"title": "Haul", "products": [{"product": "x"}]},
    {"title": "Haul", "products": [{"product": None}]},
    {"title": "Haul", "products": [{"product": True}]},
    {"title": "Haul", "products": [{"product": 2**63}]},
    {"title": "Haul", "products": [{"product": -1}]},
    {"title": "Haul", "products": [{"product": "\x00"}]},
    {"title": "Haul", "products": [{"product": "\ud800"}]},
    {"title": "Haul", "products": [[1, 2]]},
    {"title": "Haul", "products": ["1:2"]},
    {"title": "Haul", "products": [None]},
    {"title": "Haul", "products": [{"product": 1, "sku": "x"}]},
    {"title": "Haul", "products": [{"product": 1, "sku": {"id": 1}}]},
    {"title": "Haul", "partnership": "abc"},
    {"title": "Haul", "partnership": 2**63},
    {"title": "Haul", "partnership": -1},
    {"title": "Haul", "partnership": [1]},
    {"title": "Haul", "partnership": {"id": 1}},
    {"title": "Haul", "partnership": True},
    {"title": "Haul", "partnership": "\x00"},
    {"title": "\x00"},
    {"title": "\ud800 lone"},
    {"title": "Haul", "body": "\ud800"},
    {"title": "Haul", "location": "\ud800"},
    {"title": "Haul", "visibility": ["public"]},
    {"title": "Haul", "image_order": "x"},
    {"title": "Haul", "image_order": {"a": 1}},
    {"title": ["Haul"]},
    {"title": {"a": 1}},
]


def _json(client, method: str, path: str, body):
    raw = json.dumps(body)
    return getattr(client, method)(path, data=raw, content_type="application/json")


@pytest.mark.parametrize("body", WRONG_BODIES, ids=lambda b: repr(b)[:40])
def test_note_create_api_refuses_wrong_bodies_without_writing(world, body):
    client = _api_client(world.writer)
    before = _counts()
    response = _json(client, "post", "/api/notes/", body)
    assert 400 <= response.status_code < 500, (body, response.status_code)
    assert _counts() == before


@pytest.mark.parametrize("body", WRONG_BODIES, ids=lambda b: repr(b)[:40])
def test_note_edit_api_refuses_wrong_bodies_without_writing(world, body):
    client = _api_client(world.writer)
    note = Note.objects.get(pk=world.note.pk)
    before = _counts()
    response = _json(client, "patch", f"/api/notes/{note.pk}/", body)
    assert 400 <= response.status_code < 500, (body, response.status_code)
    assert _counts() == before
    after = Note.objects.get(pk=note.pk)
    assert (after.title, after.body, after.partnership_id, after.updated_at) == (
        note.title,
        note.body,
        note.partnership_id,
        note.updated_at,
    )


# --- products and partnership the service must refuse (API create/edit and the pages) -----------------------


def _refused_payloads(w) -> dict[str, dict]:
    """name -> {"products": [...], "partnership": id or None}, each one the service refuses."""
    from community.tests.test_trust_support import product as make_product

    extra = [make_product(f"Extra {i}")[0] for i in range(5)]
    retired, _sku = make_product("Retired")
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    ended = partnership(writer=w.writer, title="Ended")
    Partnership.objects.filter(pk=ended.pk).update(
        starts_on=ended.starts_on - timedelta(days=730),
        ends_on=ended.starts_on - timedelta(days=365),
    )
    upcoming = partnership(writer=w.writer, title="Upcoming")
    Partnership.objects.filter(pk=upcoming.pk).update(
        starts_on=upcoming.ends_on + timedelta(days=365),
        ends_on=upcoming.ends_on + timedelta(days=730),
    )
    return {
        "six products": {"products": [{"product": p.pk} for p in [w.product, *extra]]},
        "duplicate": {"products": [{"product": w.product.pk}, {"product": w.product.pk}]},
        "duplicate with sku": {
            "products": [{"product": w.product.pk}, {"product": w.product.pk, "sku": w.sku.pk}]
        },
        "sku of another product": {"products": [{"product": w.product.pk, "sku": w.other_sku.pk}]},
        "unknown product": {"products": [{"product": 2**62}]},
        "product off sale": {"products": [{"product": retired.pk}]},
        "partnership of another writer": {"partnership": w.other_deal.pk},
        "ended partnership": {"partnership": ended.pk},
        "upcoming partnership": {"partnership": upcoming.pk},
        "unknown partnership": {"partnership": 2**62},
        "partnership past bigint": {"partnership": 2**63},
    }


REFUSED = [
    "six products",
    "duplicate",
    "duplicate with sku",
    "sku of another product",
    "unknown product",
    "product off sale",
    "partnership of another writer",
    "ended partnership",
    "upcoming partnership",
    "unknown partnership",
    "partnership past bigint",
]


def _multipart_products(items) -> list[str]:
    return [f"{i['product']}:{i['sku']}" if i.get("sku") else str(i["product"]) for i in items]


@pytest.mark.parametrize("case", REFUSED)
def test_api_create_refuses_bad_links_and_writes_nothing(world, case):
    payload = _refused_payloads(world)[case]
    client = _api_client(world.writer)
    before = _counts()
    data = {"title": "Haul", "images": [image_upload("a.jpg", 300, 400)]}
    if "products" in payload:
        data["products"] = _multipart_products(payload["products"])
    if "partnership" in payload:
        data["partnership"] = str(payload["partnership"])
    response = client.post("/api/notes/", data, format="multipart")
    assert response.status_code == 400, (case, response.status_code, response.content[:300])
    assert _counts() == before


@pytest.mark.parametrize("case", REFUSED)
def test_api_edit_refuses_bad_links_and_changes_nothing(world, case):
    payload = _refused_payloads(world)[case]
    client = _api_client(world.writer)
    before = _counts()
    links_before = list(NoteProduct.objects.filter(note=world.note).values_list("product_id", "sku_id"))
    response = _json(client, "patch", f"/api/notes/{world.note.pk}/", {"title": "Changed", **payload})
    assert response.status_code == 400, (case, response.status_code, response.content[:300])
    assert _counts() == before
    note = Note.objects.get(pk=world.note.pk)
    assert note.title != "Changed" and note.partnership_id is None
    assert list(NoteProduct.objects.filter(note=note).values_list("product_id", "sku_id")) == links_before


# The page's form keeps a product picked twice once (the picker may send both), so duplicates are not
# refusals there: see test_page_keeps_a_product_picked_twice_once.
PAGE_REFUSED = [case for case in REFUSED if not case.startswith("duplicate")]


@pytest.mark.parametrize("case", PAGE_REFUSED)
def test_page_create_refuses_bad_links_and_writes_nothing(world, case):
    payload = _refused_payloads(world)[case]
    client = _page_client(world.writer)
    before = _counts()
    data = {
        "title": "Haul",
        "body": "",
        "location": "",
        "visibility": "public",
        "image_order": "",
        "images": [image_upload("a.jpg", 300, 400)],
    }
    if "products" in payload:
        data["products"] = _multipart_products(payload["products"])
    if "partnership" in payload:
        data["partnership"] = str(payload["partnership"])
    response = client.post(reverse("community:note_new"), data)
    assert response.status_code == 400, (case, response.status_code)
    assert _counts() == before


@pytest.mark.parametrize("case", PAGE_REFUSED)
def test_page_edit_refuses_bad_links_and_changes_nothing(world, case):
    payload = _refused_payloads(world)[case]
    client = _page_client(world.writer)
    before = _counts()
    data = {
        "title": "Changed",
        "body": "",
        "location": "",
        "visibility": "public",
        "image_order": ",".join(str(i) for i in world.note.images.values_list("pk", flat=True)),
    }
    if "products" in payload:
        data["products"] = _multipart_products(payload["products"])
    if "partnership" in payload:
        data["partnership"] = str(payload["partnership"])
    response = client.post(reverse("community:note_edit", args=[world.note.pk]), data)
    assert response.status_code == 400, (case, response.status_code)
    assert _counts() == before
    assert Note.objects.get(pk=world.note.pk).title != "Changed"


def test_page_keeps_a_product_picked_twice_once(world):
    client = _page_client(world.writer)
    response = client.post(
        reverse("community:note_new"),
        {
            "title": "Haul",
            "visibility": "public",
            "images": [image_upload("a.jpg", 300, 400)],
            "products": [str(world.product.pk), f"{world.product.pk}:{world.sku.pk}"],
        },
    )
    assert response.status_code == 302
    note = Note.objects.latest("id")
    assert list(NoteProduct.objects.filter(note=note).values_list("product_id", "sku_id")) == [
        (world.product.pk, None)
    ]


GARBAGE_FORM_PRODUCTS = [
    ["x"],
    ["\x00"],
    ["1:x"],
    [":"],
    ["-1"],
    [str(2**63)],
    ["1" * 41],
    ["1"] * 25,
    ["1:2:3"],
]


@pytest.mark.parametrize("tokens", GARBAGE_FORM_PRODUCTS, ids=lambda t: repr(t)[:30])
def test_page_create_refuses_garbage_product_tokens(world, tokens):
    client = _page_client(world.writer)
    before = _counts()
    response = client.post(
        reverse("community:note_new"),
        {
            "title": "Haul",
            "visibility": "public",
            "images": [image_upload("a.jpg", 300, 400)],
            "products": tokens,
        },
    )
    assert response.status_code == 400, (tokens, response.status_code)
    assert _counts() == before


@pytest.mark.parametrize("value", ["abc", "\x00", "-1", "1.5", HUGE, "9" * 40])
def test_page_create_refuses_garbage_partnership(world, value):
    client = _page_client(world.writer)
    before = _counts()
    response = client.post(
        reverse("community:note_new"),
        {
            "title": "Haul",
            "visibility": "public",
            "images": [image_upload("a.jpg", 300, 400)],
            "partnership": value,
        },
    )
    assert response.status_code == 400, (value, response.status_code)
    assert _counts() == before


# --- taps on cards: only for what the reader is shown, once, never by a forged request ---------------------


def _card_paths(note_id: int, product_id: int) -> dict[str, str]:
    return {
        "open": f"/notes/{note_id}/products/{product_id}/",
        "buy": f"/notes/{note_id}/products/{product_id}/buy/",
        "cart": f"/notes/{note_id}/products/{product_id}/cart/",
        "api": f"/api/notes/{note_id}/products/{product_id}/cart/",
    }


@pytest.mark.parametrize("who", ["anonymous", "other", "staff"])
@pytest.mark.parametrize("which", ["private", "hidden"])
def test_cards_of_notes_the_reader_cannot_see_record_nothing(world, who, which):
    note = getattr(world, which)
    user = _who(world, who)
    before = _counts()
    for action, path in _card_paths(note.pk, world.product.pk).items():
        client = _api_client(user) if action == "api" else _page_client(user)
        response = client.get(path) if action == "open" else client.post(path)
        assert response.status_code == 404, (action, response.status_code)
    assert _counts() == before


def test_a_product_the_note_does_not_tag_records_nothing(world):
    before = _counts()
    for action, path in _card_paths(world.note.pk, world.other_product.pk).items():
        client = _api_client(world.other) if action == "api" else _page_client(world.other)
        response = client.get(path) if action == "open" else client.post(path)
        assert response.status_code == 404, (action, response.status_code)
    assert _counts() == before


def test_wrong_methods_on_card_endpoints_record_nothing(world):
    before = _counts()
    paths = _card_paths(world.note.pk, world.product.pk)
    client = _page_client(world.other)
    api = _api_client(world.other)
    assert client.post(paths["open"]).status_code == 405
    assert client.head(paths["open"]).status_code == 405
    for name in ("buy", "cart"):
        assert client.get(paths[name]).status_code == 405
        assert client.put(paths[name]).status_code == 405
    assert api.get(paths["api"]).status_code == 405
    assert api.put(paths["api"]).status_code == 405
    assert api.delete(paths["api"]).status_code == 405
    assert _counts() == before


@pytest.mark.parametrize("who", ["anonymous", "other"])
@pytest.mark.parametrize("action", ["buy", "cart"])
def test_card_posts_without_a_csrf_token_are_refused_and_record_nothing(world, who, action):
    client = _page_client(_who(world, who), csrf=True)
    before = _counts()
    response = client.post(_card_paths(world.note.pk, world.product.pk)[action])
    assert response.status_code == 403
    assert _counts() == before


def test_api_cart_by_a_signed_in_session_without_csrf_is_refused(world):
    client = _page_client(world.other, csrf=True)  # a browser session, not a token
    before = _counts()
    response = client.post(_card_paths(world.note.pk, world.product.pk)["api"])
    assert response.status_code == 403
    assert _counts() == before


@pytest.mark.parametrize("body", ['{"quantity": 99}', "[1]", '"x"', "\x00", "{"])
def test_api_cart_ignores_any_body_and_adds_one_unit(world, body):
    client = _api_client(world.other)
    response = client.post(
        _card_paths(world.note.pk, world.product.pk)["api"], data=body, content_type="application/json"
    )
    assert response.status_code in (201, 400), response.status_code
    lines = list(CartLine.objects.filter(cart__user=world.other).values_list("quantity", "referral"))
    if response.status_code == 201:
        assert lines == [(1, f"note:{world.note.pk}")]
        assert ProductCardClick.objects.filter(note=world.note, user=world.other).count() == 1
    else:
        assert lines == [] and not ProductCardClick.objects.exists()


# --- nobody reads what is not theirs -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other", "staff"])
def test_statistics_of_another_writers_note_are_not_found(world, who):
    page = _page_client(_who(world, who))
    api = _api_client(_who(world, who))
    for note in (world.note, world.private, world.hidden):
        response = page.get(f"/me/stats/?note={note.pk}")
        assert response.status_code == 404
        assert note.title not in response.content.decode()
        response = api.get(f"/api/me/stats/?note={note.pk}")
        assert response.status_code == 404
        assert note.title not in response.content.decode()


def test_statistics_never_list_another_writers_notes(world):
    response = _api_client(world.other).get("/api/me/stats/?days=30")
    assert response.status_code == 200
    body = response.json()
    assert body["has_notes"] is False and body["notes"] == []
    page = _page_client(world.other).get("/me/stats/?days=30").content.decode()
    for note in (world.note, world.private, world.hidden):
        assert note.title not in page


def test_statistics_anonymous_is_asked_to_sign_in(world):
    assert _api_client().get("/api/me/stats/").status_code in (401, 403)
    response = _page_client().get("/me/stats/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_from_order_of_another_user_tags_nothing(world):
    from community.selectors.links import order_link_items

    assert order_link_items(user=world.writer, number=world.order.number)  # the writer's own: found
    assert order_link_items(user=world.other, number=world.order.number) is None
    assert order_link_items(user=world.staff, number=world.order.number) is None
    response = _page_client(world.other).get(f"/notes/new/?from_order={world.order.number}")
    assert response.status_code == 200
    picked = [p.product.pk for p in response.context["picked"]]
    assert picked == []
    assert "Only your own delivered orders" in response.content.decode()


def test_from_order_not_delivered_yet_tags_nothing(world):
    from community.selectors.links import order_link_items
    from community.tests.test_trust_support import order_paid

    paid = order_paid(world.shopper, world.other_sku)
    assert order_link_items(user=world.writer, number=paid.number) is None
    assert order_link_items(user=world.writer, number=paid.number + "\n") is None
    assert order_link_items(user=world.writer, number=world.order.number.lower()) is None


def test_compose_and_edit_offer_only_the_writers_own_partnerships(world):
    for path in ("/notes/new/", f"/notes/{world.note.pk}/edit/"):
        html = _page_client(world.writer).get(path).content.decode()
        assert world.deal.title in html
        assert world.other_deal.title not in html


def test_product_notes_never_show_private_or_hidden_notes(world):
    anon = _page_client()
    for path in (f"/notes/for-product/{world.product.pk}/", f"/notes/for-product/{world.product.pk}/all/"):
        html = anon.get(path).content.decode()
        assert world.note.title in html
        assert world.private.title not in html and world.hidden.title not in html
    # Not even to their writer: the product's page is public.
    data = _api_client(world.writer).get(f"/api/products/{world.product.pk}/notes/").json()
    assert [n["id"] for n in data["results"]] == [world.note.pk]


def test_note_edit_of_another_writer_is_not_found(world):
    for who in ("other", "staff"):
        client = _page_client(_who(world, who))
        assert client.get(f"/notes/{world.note.pk}/edit/").status_code == 404
        before = _counts()
        response = client.post(
            f"/notes/{world.note.pk}/edit/",
            {"title": "Mine now", "visibility": "public", "partnership": str(world.other_deal.pk)},
        )
        assert response.status_code == 404
        assert _counts() == before
        api = _api_client(_who(world, who))
        response = _json(api, "patch", f"/api/notes/{world.note.pk}/", {"partnership": world.other_deal.pk})
        assert response.status_code == 404
    assert Note.objects.get(pk=world.note.pk).partnership_id is None


def test_operator_demand_is_for_staff_only(world):
    assert _api_client().get("/api/operators/demand/").status_code in (401, 403)
    assert _api_client(world.writer).get("/api/operators/demand/").status_code == 403
    assert _api_client(world.staff).get("/api/operators/demand/").status_code == 200
    response = _page_client(world.writer).get("/admin/community/productbuzz/")
    assert response.status_code == 302
    assert _page_client(world.staff).get("/admin/community/productbuzz/").status_code == 200


def test_recommendations_never_come_from_private_or_hidden_notes(world):
    from community.models import Follow
    from community.tests.factories import TopicFactory

    secret, _sku = product("Secret lipstick")
    shade = TopicFactory(name="secretshade")
    for note in (world.private, world.hidden):
        NoteProduct.objects.create(note=note, product=secret, position=1)
        note.topics.add(shade)
    Follow.objects.create(follower=world.other, followee=world.writer)
    response = _api_client(world.other).get("/api/recommendations/products/")
    assert response.status_code == 200
    assert secret.pk not in [r["id"] for r in response.json()["results"]]
    assert "secretshade" not in response.content.decode()


# --- sponsored notes keep their label; operators decide a flag once ------------------------------------------


def _undeclared_note(world):
    """The writer posts a note tagging their partner brand's product without declaring it (the API)."""
    response = _api_client(world.writer).post(
        "/api/notes/",
        {
            "title": "Love this serum",
            "images": [image_upload("a.jpg", 300, 400)],
            "products": [str(world.product.pk)],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content[:300]
    return Note.objects.get(pk=response.json()["id"])


def test_a_dismissed_flag_is_not_reopened_by_the_writers_next_edit(world):
    from community.services.trust import disclosure_flag_dismiss

    note = _undeclared_note(world)
    flag = DisclosureFlag.objects.get(note=note, state=DisclosureFlag.State.OPEN)
    disclosure_flag_dismiss(flag=flag, operator=world.staff)

    response = _json(_api_client(world.writer), "patch", f"/api/notes/{note.pk}/", {"title": "Typo fixed"})

    assert response.status_code == 200
    assert not DisclosureFlag.objects.filter(note=note, state=DisclosureFlag.State.OPEN).exists()


def test_a_hidden_note_is_not_flagged_again_when_its_writer_edits_it(world):
    from community.services.trust import disclosure_flag_hide

    note = _undeclared_note(world)
    flag = DisclosureFlag.objects.get(note=note, state=DisclosureFlag.State.OPEN)
    disclosure_flag_hide(flag=flag, operator=world.staff)

    response = _json(_api_client(world.writer), "patch", f"/api/notes/{note.pk}/", {"title": "Please"})

    assert response.status_code == 200
    assert not DisclosureFlag.objects.filter(note=note, state=DisclosureFlag.State.OPEN).exists()


def test_dropping_an_operators_label_sends_the_note_back_to_the_queue(world):
    from community.services.trust import disclosure_flag_label

    note = _undeclared_note(world)
    flag = DisclosureFlag.objects.get(note=note, state=DisclosureFlag.State.OPEN)
    disclosure_flag_label(flag=flag, operator=world.staff)
    assert Note.objects.get(pk=note.pk).partnership_id == world.deal.pk

    response = _json(_api_client(world.writer), "patch", f"/api/notes/{note.pk}/", {"partnership": None})

    assert response.status_code == 200
    assert DisclosureFlag.objects.filter(note=note, state=DisclosureFlag.State.OPEN).count() == 1


def _declared_note(world, title: str = "Sponsored glow"):
    """The writer posts a note under their partnership through the API, tagged #glowup."""
    response = _api_client(world.writer).post(
        "/api/notes/",
        {
            "title": title,
            "body": "Loved it #glowup",
            "images": [image_upload("a.jpg", 300, 400)],
            "products": [str(world.product.pk)],
            "partnership": str(world.deal.pk),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content[:300]
    note = Note.objects.get(pk=response.json()["id"])
    # Feeds show notes with a ready cover; the renditions task is not run here.
    from community.models import NoteImage

    NoteImage.objects.filter(note=note).update(state=NoteImage.State.READY, feed="f.webp", detail="d.webp")
    return note


def _results(body) -> list[dict]:
    return body["results"] if isinstance(body, dict) else body


def test_a_sponsored_note_carries_its_label_in_every_api_list(world):
    from community.models import Like
    from community.services.search import note_search_index

    note = _declared_note(world)
    note_search_index(note_id=note.pk)
    Like.objects.create(user=world.other, note=note)
    from community.services.interactions import note_collect

    note_collect(user=world.other, note=note)
    reader = _api_client(world.other)
    lists = [
        "/api/notes/",
        f"/api/notes/?author={world.writer.pk}",
        "/api/feed/",
        "/api/search/notes/?q=Sponsored",
        f"/api/users/{world.writer.pk}/notes/",
        f"/api/users/{world.other.pk}/likes/",
        f"/api/users/{world.other.pk}/collects/",
        f"/api/products/{world.product.pk}/notes/",
        "/api/topics/glowup/notes/",
    ]
    for path in lists:
        response = reader.get(path)
        assert response.status_code == 200, (path, response.status_code)
        found = [r for r in _results(response.json()) if r["id"] == note.pk]
        assert found, (path, "the note is missing")
        assert found[0]["sponsored"] is True and found[0]["sponsor"] == world.deal.brand.name, path
    detail = reader.get(f"/api/notes/{note.pk}/").json()
    assert detail["sponsored"] is True and detail["sponsor"] == world.deal.brand.name
    for path in ("/api/feed/?sponsored=hide", "/api/search/notes/?q=Sponsored&sponsored=hide"):
        response = reader.get(path)
        assert response.status_code == 200
        assert note.pk not in [r["id"] for r in _results(response.json())], path


def test_the_writer_editing_a_sponsored_note_keeps_its_label_unless_they_drop_it(world):
    note = _declared_note(world)
    client = _api_client(world.writer)
    assert _json(client, "patch", f"/api/notes/{note.pk}/", {"title": "Still sponsored"}).status_code == 200
    assert Note.objects.get(pk=note.pk).partnership_id == world.deal.pk
    # The page's form posts the partnership it showed: the label stays.
    page = _page_client(world.writer)
    form = page.get(f"/notes/{note.pk}/edit/").context["form"]
    assert form.initial["partnership"] == world.deal.pk
    response = page.post(
        f"/notes/{note.pk}/edit/",
        {
            "title": "Edited on the page",
            "visibility": "public",
            "image_order": ",".join(str(i) for i in note.images.values_list("pk", flat=True)),
            "products": [str(world.product.pk)],
            "partnership": str(world.deal.pk),
        },
    )
    assert response.status_code == 302
    assert Note.objects.get(pk=note.pk).partnership_id == world.deal.pk


def test_a_declared_partnership_that_ended_stays_on_the_note_through_edits(world):
    note = _declared_note(world)
    today = world.deal.starts_on
    Partnership.objects.filter(pk=world.deal.pk).update(
        starts_on=today - timedelta(days=730), ends_on=today - timedelta(days=365)
    )
    response = _json(
        _api_client(world.writer), "patch", f"/api/notes/{note.pk}/", {"partnership": world.deal.pk}
    )
    assert response.status_code == 200
    page = _page_client(world.writer)
    response = page.post(
        f"/notes/{note.pk}/edit/",
        {
            "title": "After the campaign",
            "visibility": "public",
            "image_order": ",".join(str(i) for i in note.images.values_list("pk", flat=True)),
            "partnership": str(world.deal.pk),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Note.objects.get(pk=note.pk).partnership_id == world.deal.pk


# --- fixed query counts on the new pages and APIs ------------------------------------------------------------


def _grow(world, count: int) -> None:
    """``count`` more writers, each with a partnership of a brand of their own, a declared note tagging the
    brand's product and the world's product (received by its writer: bought here), an undeclared note
    flagged for operators, a like and a comment asking where to buy, a card tap; the writer's own notes
    grow too; then the buzz is recomputed."""
    from community.models import Comment, Like
    from community.services.buzz import product_buzz_recompute
    from community.services.disclosure import note_disclosure_check
    from community.services.search import note_search_index
    from community.tests.factories import TopicFactory
    from community.tests.test_trust_support import tagged_note as trust_tagged_note

    topic = TopicFactory(name="serumtalk")
    for _ in range(count):
        shopper = writer_shopper()
        writer = shopper[0]
        deal = partnership(writer=writer, title="Serum campaign")
        made, sku = product("Serum plus", brand=deal.brand)
        order_delivered(shopper, sku)
        declared = trust_tagged_note(
            author=writer, products=[made, world.product], partnership=deal, title="Serum dream"
        )
        declared.topics.add(topic)
        note_search_index(note_id=declared.pk)
        undeclared = trust_tagged_note(author=writer, products=[made], title="Serum again")
        note_disclosure_check(note=undeclared)
        Like.objects.create(user=world.other, note=declared)
        Comment.objects.create(note=declared, author=world.other, body="link please?")
        ProductCardClick.objects.create(note=declared, product=made, action=ProductCardClick.Action.OPEN)
        mine = trust_tagged_note(author=world.writer, products=[made], title="Serum mine")
        Like.objects.create(user=writer, note=mine)
        ProductCardClick.objects.create(note=mine, product=made, action=ProductCardClick.Action.CART)
    product_buzz_recompute()


def _query_count(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


FIXED_QUERY_PATHS = [
    ("other", "/api/notes/"),
    ("other", "/api/feed/"),
    ("other", "/api/search/notes/?q=Serum"),
    ("other", "/api/products/{product}/notes/"),
    ("anonymous", "/api/products/{product}/notes/"),
    ("other", "/api/recommendations/products/?limit=20"),
    ("anonymous", "/api/recommendations/products/?limit=20"),
    ("writer", "/api/me/stats/?days=30"),
    ("writer", "/me/stats/?days=30"),
    ("staff", "/api/operators/demand/"),
    ("staff", "/admin/community/productbuzz/?period=7"),
    ("staff", "/admin/community/disclosureflag/?state__exact=open"),
    ("staff", "/admin/community/partnership/"),
    ("writer", "/api/catalog/search/?q=Serum"),
    ("writer", "/notes/products/search/?q=Serum"),
    ("writer", "/notes/new/"),
    ("anonymous", "/notes/for-product/{product}/"),
    ("other", "/notes/for-product/{product}/all/"),
    ("other", "/notes/{note}/"),
    ("other", "/"),
    ("other", "/?sponsored=hide"),
    ("other", "/search/?q=Serum"),
    ("other", "/topics/serumtalk/"),
    ("other", "/users/{writer}/"),
    ("writer", "/notes/{note}/edit/"),
]


@pytest.mark.parametrize(("who", "path"), FIXED_QUERY_PATHS)
def test_new_pages_and_apis_cost_the_same_whatever_the_data(world, who, path):
    user = _who(world, who)
    client = _api_client(user) if path.startswith("/api/") else _page_client(user)
    path = path.format(product=world.product.pk, note=world.note.pk, writer=world.writer.pk)
    _grow(world, 2)
    client.get(path)  # warm the caches (session, content types, translations)
    small = _query_count(client, path)
    _grow(world, 4)
    assert _query_count(client, path) == small


# --- cards whose product or variant went away -----------------------------------------------------------------


@pytest.mark.parametrize(
    "change", ["product off sale", "variant off sale", "variant deleted", "all variants off"]
)
def test_cards_whose_product_changed_never_500_and_refuse_to_sell(world, change):
    from mall.models import Sku

    extra_sku = Sku.objects.create(product=world.product, name="Travel size", code="TRAVEL-1", price="10.00")
    note = tagged_note(author=world.writer, products=[])
    NoteProduct.objects.create(note=note, product=world.product, sku=extra_sku, position=0)
    if change == "product off sale":
        type(world.product).objects.filter(pk=world.product.pk).update(is_active=False)
    elif change == "variant off sale":
        Sku.objects.filter(pk=extra_sku.pk).update(is_active=False)
    elif change == "variant deleted":
        extra_sku.delete()
    else:
        Sku.objects.filter(product=world.product).update(is_active=False)
    reader = _page_client(world.other)
    assert reader.get(f"/notes/{note.pk}/").status_code == 200
    detail = _api_client(world.other).get(f"/api/notes/{note.pk}/")
    assert detail.status_code == 200
    card = detail.json()["products"][0]
    before = _counts()
    paths = _card_paths(note.pk, world.product.pk)
    buy = reader.post(paths["buy"])
    cart = _api_client(world.other).post(paths["api"])
    if change in ("product off sale", "all variants off"):
        assert card["on_sale"] is False or card["stock_state"] == "sold_out"
        assert buy.status_code == 302 and "#note-products" in buy["Location"]
        assert cart.status_code in (404, 409)
        assert _counts() == before
    else:
        # The variant gives way to the product's other (in stock) variant, as the card says.
        assert card["on_sale"] is True
        assert cart.status_code == 201
        assert CartLine.objects.get(cart__user=world.other).sku_id == world.sku.pk


def test_labelling_a_second_brand_never_replaces_the_sponsor_the_writer_declared(world):
    from community.services.trust import disclosure_flag_label
    from core.errors import Conflict

    second = partnership(writer=world.writer, title="Second brand")
    lipstick, _sku = product("Lipstick", brand=second.brand)
    response = _api_client(world.writer).post(
        "/api/notes/",
        {
            "title": "Two brands",
            "images": [image_upload("a.jpg", 300, 400)],
            "products": [str(world.product.pk), str(lipstick.pk)],
            "partnership": str(world.deal.pk),
        },
        format="multipart",
    )
    assert response.status_code == 201
    note = Note.objects.get(pk=response.json()["id"])
    flag = DisclosureFlag.objects.get(note=note, state=DisclosureFlag.State.OPEN)
    assert flag.partnership_id == second.pk

    with pytest.raises(Conflict):
        disclosure_flag_label(flag=flag, operator=world.staff)

    assert Note.objects.get(pk=note.pk).partnership_id == world.deal.pk
    flag.refresh_from_db()
    assert flag.state == DisclosureFlag.State.OPEN and flag.handled_by is None


def test_the_queue_says_why_a_label_was_refused(world):
    second = partnership(writer=world.writer, title="Second brand")
    lipstick, _sku = product("Lipstick", brand=second.brand)
    note = tagged_note(author=world.writer, products=[world.product, lipstick], partnership=world.deal)
    flag = DisclosureFlag.objects.create(note=note, partnership=second)
    response = _page_client(world.staff).post(
        "/admin/community/disclosureflag/?state__exact=open",
        {"action": "label_sponsored", "_selected_action": [flag.pk]},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "already declares" in html
    assert "already handled" not in html
    assert Note.objects.get(pk=note.pk).partnership_id == world.deal.pk


@pytest.mark.parametrize(
    "part",
    [
        "[",
        "[1, 2]",
        '[{"product": "\\ud800"}]',
        "[" * 50_000 + "]" * 50_000,
        '[{"product": 1, "sku": []}]',
        "[null]",
    ],
    ids=["open", "ints", "surrogate", "deep", "sku list", "null"],
)
def test_multipart_products_as_one_json_part_that_is_garbage(world, part):
    client = _api_client(world.writer)
    before = _counts()
    response = client.post(
        "/api/notes/",
        {"title": "Haul", "images": [image_upload("a.jpg", 300, 400)], "products": part},
        format="multipart",
    )
    assert response.status_code == 400, response.status_code
    response = client.patch(f"/api/notes/{world.note.pk}/", {"products": part}, format="multipart")
    assert response.status_code == 400, response.status_code
    assert _counts() == before


def test_extra_fields_cannot_set_a_badge_or_a_sponsor(world):
    client = _api_client(world.other)
    response = client.post(
        "/api/notes/",
        {
            "title": "Not bought",
            "images": [image_upload("a.jpg", 300, 400)],
            "products": [str(world.product.pk)],
            "bought_here": "true",
            "verified": "true",
            "sponsored": "true",
            "sponsor": "Glossier",
            "partnership_id": str(world.deal.pk),
            "author": str(world.writer.pk),
        },
        format="multipart",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["products"][0]["bought_here"] is False
    assert body["sponsored"] is False and body["sponsor"] is None
    note = Note.objects.get(pk=body["id"])
    assert note.author_id == world.other.pk and note.partnership_id is None


@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_json_body_nested_past_the_parsers_depth_is_a_400(world, method):
    client = _api_client(world.writer)
    path = "/api/notes/" if method == "post" else f"/api/notes/{world.note.pk}/"
    body = '{"products": ' + "[" * 50_000 + "]" * 50_000 + "}"
    before = _counts()
    response = getattr(client, method)(path, data=body, content_type="application/json")
    assert response.status_code == 400, response.status_code
    assert _counts() == before


# --- a dead Redis --------------------------------------------------------------------------------------------


def _dead(cache: dict) -> dict:
    options = {**cache.get("OPTIONS", {}), "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2}
    return {**cache, "LOCATION": "redis://127.0.0.1:1/0", "OPTIONS": options}


DEAD_REDIS_PATHS = [
    ("anonymous", "get", "/notes/{note}/products/{product}/"),
    ("anonymous", "post", "/notes/{note}/products/{product}/cart/"),
    ("other", "post", "/notes/{note}/products/{product}/cart/"),
    ("other", "post", "/api/notes/{note}/products/{product}/cart/"),
    ("anonymous", "get", "/notes/for-product/{product}/"),
    ("anonymous", "get", "/notes/for-product/{product}/all/"),
    ("other", "get", "/notes/for-product/{product}/all/"),
    ("other", "get", "/api/products/{product}/notes/"),
    ("writer", "get", "/me/stats/"),
    ("writer", "get", "/api/me/stats/"),
    ("other", "get", "/api/recommendations/products/"),
    ("staff", "get", "/api/operators/demand/"),
    ("writer", "get", "/api/catalog/search/?q=Serum"),
]


@pytest.mark.parametrize(("who", "method", "path"), DEAD_REDIS_PATHS)
def test_a_dead_redis_is_no_500_on_the_new_pages(world, settings, who, method, path):
    user = _who(world, who)
    client = _api_client(user) if path.startswith("/api/") else _page_client(user)
    # Every cache on a port nothing listens on, with the site's own options (sessions fall back to the
    # database; see config/settings.py).
    settings.CACHES = {alias: _dead(cache) for alias, cache in settings.CACHES.items()}
    response = getattr(client, method)(path.format(note=world.note.pk, product=world.product.pk))
    assert response.status_code < 500, response.status_code


# --- operators' screens with forged filters and forms ----------------------------------------------------------

ADMIN_QUERIES = [
    "/admin/community/disclosureflag/?state__exact=%00",
    "/admin/community/disclosureflag/?state__exact=nope",
    "/admin/community/disclosureflag/?partnership__brand__id__exact=abc",
    f"/admin/community/disclosureflag/?partnership__brand__id__exact={HUGE}",
    "/admin/community/disclosureflag/?created_at__gte=garbage",
    "/admin/community/disclosureflag/?o=99",
    "/admin/community/disclosureflag/?q=%ED%A0%80",
    "/admin/community/partnership/?period=nope",
    "/admin/community/partnership/?starts_on__year=abc",
    "/admin/community/partnership/?starts_on__year=2026&starts_on__month=13",
    f"/admin/community/partnership/?brand__id__exact={HUGE}",
    "/admin/community/partnership/?q=%00",
    "/admin/community/productbuzz/?period=7&o=1&q=x",
    f"/admin/community/disclosureflag/{HUGE}/change/",
    "/admin/community/disclosureflag/abc/change/",
    f"/admin/community/partnership/{HUGE}/change/",
]


@pytest.mark.parametrize("path", ADMIN_QUERIES)
def test_operators_screens_never_500_on_forged_filters(world, path):
    before = _counts()
    response = _page_client(world.staff).get(path)
    assert response.status_code < 500, response.status_code
    assert _counts() == before


@pytest.mark.parametrize(
    "fields",
    [
        {"starts_on": "2026-12-31", "ends_on": "2026-01-01"},
        {"starts_on": "garbage", "ends_on": "2026-01-01"},
        {"starts_on": "99999-01-01", "ends_on": "2026-01-01"},
        {"writer": HUGE},
        {"brand": "abc"},
        {"title": "\x00"},
    ],
    ids=["reversed", "garbage date", "year 99999", "huge writer", "garbage brand", "NUL title"],
)
def test_a_forged_partnership_form_is_refused_and_records_nothing(world, fields):
    data = {
        "brand": world.deal.brand.pk,
        "writer": world.writer.pk,
        "title": "Forged",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        **fields,
    }
    before = _counts()
    response = _page_client(world.staff).post("/admin/community/partnership/add/", data)
    # the form again, with its errors (a NUL anywhere is refused before the admin: core.middleware)
    assert response.status_code == (400 if any("\x00" in str(v) for v in fields.values()) else 200)
    assert _counts() == before


def test_flag_actions_with_forged_ids_change_nothing(world):
    before = _counts()
    for ids in (["abc"], [HUGE], ["-1"], []):
        response = _page_client(world.staff).post(
            "/admin/community/disclosureflag/?state__exact=open",
            {"action": "label_sponsored", "_selected_action": ids},
        )
        assert response.status_code < 500, (ids, response.status_code)
    assert _counts() == before


def test_private_and_hidden_notes_and_their_cards_stay_with_their_writer(world):
    for who in ("anonymous", "other", "staff"):
        api = _api_client(_who(world, who))
        listed = [n["id"] for n in api.get(f"/api/notes/?author={world.writer.pk}").json()["results"]]
        assert world.note.pk in listed
        assert world.private.pk not in listed and world.hidden.pk not in listed
        for note in (world.private, world.hidden):
            response = api.get(f"/api/notes/{note.pk}/")
            assert response.status_code == 404
            assert world.product.name not in response.content.decode()
    own = _api_client(world.writer).get(f"/api/notes/{world.private.pk}/")
    assert own.status_code == 200 and [c["product"]["id"] for c in own.json()["products"]] == [
        world.product.pk
    ]


def test_a_partnership_with_declared_notes_keeps_its_brand_and_writer(world):
    from mall.tests.factories import BrandFactory

    note = _declared_note(world)
    other_brand = BrandFactory(name="Someone else")
    response = _page_client(world.staff).post(
        f"/admin/community/partnership/{world.deal.pk}/change/",
        {
            "brand": other_brand.pk,
            "writer": world.other.pk,
            "title": "Renamed",
            "starts_on": world.deal.starts_on.isoformat(),
            "ends_on": world.deal.ends_on.isoformat(),
        },
    )
    assert response.status_code == 302
    deal = Partnership.objects.get(pk=world.deal.pk)
    assert (deal.brand_id, deal.writer_id, deal.title) == (world.deal.brand_id, world.writer.pk, "Renamed")
    body = _api_client(world.other).get(f"/api/notes/{note.pk}/").json()
    assert body["sponsor"] == world.deal.brand.name
    # Without declared notes an operator may still correct a slip.
    response = _page_client(world.staff).post(
        f"/admin/community/partnership/{world.other_deal.pk}/change/",
        {
            "brand": other_brand.pk,
            "writer": world.other.pk,
            "title": "Fixed",
            "starts_on": world.other_deal.starts_on.isoformat(),
            "ends_on": world.other_deal.ends_on.isoformat(),
        },
    )
    assert response.status_code == 302
    assert Partnership.objects.get(pk=world.other_deal.pk).brand_id == other_brand.pk


@pytest.mark.parametrize("page", ["new", "edit", "delete"])
def test_compose_and_edit_without_a_csrf_token_write_nothing(world, page):
    client = _page_client(world.writer, csrf=True)
    path = {
        "new": "/notes/new/",
        "edit": f"/notes/{world.note.pk}/edit/",
        "delete": f"/notes/{world.note.pk}/delete/",
    }[page]
    before = _counts()
    response = client.post(
        path,
        {
            "title": "Forged",
            "visibility": "public",
            "images": [image_upload("a.jpg", 300, 400)],
            "products": [str(world.other_product.pk)],
            "partnership": str(world.deal.pk),
        },
    )
    assert response.status_code == 403
    assert _counts() == before
    assert Note.objects.get(pk=world.note.pk).partnership_id is None


def test_a_posted_form_never_shows_a_product_that_is_not_on_sale(world):
    from community.tests.test_trust_support import product as make_product

    unreleased, _sku = make_product("Unreleased secret palette")
    type(unreleased).objects.filter(pk=unreleased.pk).update(is_active=False)
    client = _page_client(world.other)
    for path in ("/notes/new/", None):
        if path is None:
            mine = tagged_note(author=world.other, products=[])
            path = f"/notes/{mine.pk}/edit/"
        response = client.post(path, {"title": "", "visibility": "public", "products": [str(unreleased.pk)]})
        assert response.status_code == 400
        assert "Unreleased secret palette" not in response.content.decode(), path


def test_the_edit_page_still_shows_a_tagged_product_that_went_off_sale(world):
    type(world.product).objects.filter(pk=world.product.pk).update(is_active=False)
    page = _page_client(world.writer)
    assert world.product.name in page.get(f"/notes/{world.note.pk}/edit/").content.decode()
    response = page.post(
        f"/notes/{world.note.pk}/edit/",
        {"title": "", "visibility": "public", "products": [str(world.product.pk)]},
    )
    assert response.status_code == 400
    assert world.product.name in response.content.decode()


def test_the_statistics_note_parameter_is_in_the_openapi_schema(world):
    schema = _api_client().get("/api/schema/?format=json").json()
    parameters = {p["name"] for p in schema["paths"]["/api/me/stats/"]["get"]["parameters"]}
    assert {"days", "note"} <= parameters


def test_no_badge_without_the_writers_own_delivered_order(world):
    from community.tests.test_trust_support import order_returned, order_shipped

    newcomer_shopper = writer_shopper()
    newcomer = newcomer_shopper[0]
    order_shipped(newcomer_shopper, world.sku)  # on its way, not received
    order_returned(order_delivered(newcomer_shopper, world.sku))  # received, then sent back
    order_delivered(world.shopper, world.other_sku)  # the world's writer received it: not the newcomer
    note = tagged_note(author=newcomer, products=[world.product, world.other_product])
    card = _api_client(world.other).get(f"/api/notes/{note.pk}/").json()["products"]
    assert [c["bought_here"] for c in card] == [False, False]
    listed = _api_client(world.other).get(f"/api/products/{world.product.pk}/notes/").json()["results"]
    mine = [n for n in listed if n["id"] == note.pk][0]
    assert mine["verified"] is False and mine["bought_here"] is False
    feed = _api_client(world.other).get(f"/api/users/{newcomer.pk}/notes/").json()["results"]
    assert [n["bought_here"] for n in feed] == [False]


def test_a_hundred_thousand_products_are_refused_before_each_is_read(world):
    import time

    client = _api_client(world.writer)
    body = json.dumps({"products": [{"product": 1}] * 100_000})
    started = time.monotonic()
    response = client.patch(f"/api/notes/{world.note.pk}/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["products"] == ["A note tags at most 5 products; this one has 100000."]
    assert time.monotonic() - started < 0.5


def test_tagging_a_partner_brand_in_an_old_note_after_the_deal_starts_is_flagged(world):
    import datetime

    from community.tests.test_trust_support import product as make_product
    from mall.tests.factories import BrandFactory

    old = tagged_note(author=world.writer, products=[])
    Note.objects.filter(pk=old.pk).update(created_at=old.created_at - datetime.timedelta(days=90))
    brand = BrandFactory(name="New deal brand")
    new_deal = partnership(writer=world.writer, brand=brand, title="Signed this week")
    serum, _sku = make_product("New deal serum", brand=brand)

    response = _json(
        _api_client(world.writer), "patch", f"/api/notes/{old.pk}/", {"products": [{"product": serum.pk}]}
    )

    assert response.status_code == 200
    assert DisclosureFlag.objects.filter(
        note=old, partnership=new_deal, state=DisclosureFlag.State.OPEN
    ).exists()


def test_the_writers_own_taps_are_not_counted_as_readers_interest(world):
    before = ProductCardClick.objects.count()
    paths = _card_paths(world.note.pk, world.product.pk)
    writer = _page_client(world.writer)
    assert writer.get(paths["open"]).status_code == 302
    assert writer.post(paths["cart"]).status_code == 302
    assert _api_client(world.writer).post(paths["api"]).status_code == 201
    assert ProductCardClick.objects.count() == before
    stats = _api_client(world.writer).get(f"/api/me/stats/?note={world.note.pk}").json()
    assert stats["totals"]["card_clicks"] == 0
    # A reader's tap still counts.
    assert _page_client(world.other).get(paths["open"]).status_code == 302
    assert ProductCardClick.objects.count() == before + 1


def test_a_sponsored_note_carries_its_label_on_every_page(world):
    from community.models import Like
    from community.services.search import note_search_index

    note = _declared_note(world)
    note_search_index(note_id=note.pk)
    Like.objects.create(user=world.other, note=note)
    reader = _page_client(world.other)
    pages = [
        "/",
        "/search/?q=Sponsored",
        "/topics/glowup/",
        f"/users/{world.writer.pk}/",
        f"/notes/for-product/{world.product.pk}/",
        f"/notes/for-product/{world.product.pk}/all/",
    ]
    for path in pages:
        html = reader.get(path).content.decode()
        at = html.find(f"/notes/{note.pk}/")
        assert at != -1, (path, "the note is missing")
        assert 'data-testid="chip-sponsored"' in html and world.deal.brand.name in html, path
    page = reader.get(f"/notes/{note.pk}/").content.decode()
    assert world.deal.brand.name in page and "Sponsored" in page
    for path in ("/?sponsored=hide", "/search/?q=Sponsored&sponsored=hide"):
        assert f"/notes/{note.pk}/" not in reader.get(path).content.decode(), path
