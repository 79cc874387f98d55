"""Hostile input against every page and API endpoint of the purchase-link / trust / statistics / demand
features (issue 6): anonymous, another user and staff; ids that are not numbers, negative or past a
bigint; garbage, NUL bytes and lone surrogates; JSON bodies of the wrong shape. Nothing answers 500,
nothing leaks another user's data, and a refusal changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from community.models import DisclosureFlag, Note, NoteProduct, Partnership, ProductCardClick
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
