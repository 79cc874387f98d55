"""Purchase links under hostile input: note bodies of the wrong shape, products and partnerships the
service must refuse (API and pages), forged or garbage product tokens, taps on cards the reader is not
shown or with a forged method or no CSRF token, products that went away, and the writer's own taps."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from community.models import Note, NoteProduct, Partnership, ProductCardClick
from community.tests.support.hostile import (
    HUGE,
    api_client,
    card_paths,
    counts,
    page_client,
    send_json,
    who_is,
)
from community.tests.support.trust import partnership, tagged_note
from mall.models import CartLine
from tests.support.images import image_upload

pytestmark = pytest.mark.django_db


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


@pytest.mark.parametrize("body", WRONG_BODIES, ids=lambda b: repr(b)[:40])
def test_note_create_api_refuses_wrong_bodies_without_writing(writer_world, body):
    client = api_client(writer_world.writer)
    before = counts()
    response = send_json(client, "post", "/api/notes/", body)
    assert 400 <= response.status_code < 500, (body, response.status_code)
    assert counts() == before


@pytest.mark.parametrize("body", WRONG_BODIES, ids=lambda b: repr(b)[:40])
def test_note_edit_api_refuses_wrong_bodies_without_writing(writer_world, body):
    client = api_client(writer_world.writer)
    note = Note.objects.get(pk=writer_world.note.pk)
    before = counts()
    response = send_json(client, "patch", f"/api/notes/{note.pk}/", body)
    assert 400 <= response.status_code < 500, (body, response.status_code)
    assert counts() == before
    after = Note.objects.get(pk=note.pk)
    assert (after.title, after.body, after.partnership_id, after.updated_at) == (
        note.title,
        note.body,
        note.partnership_id,
        note.updated_at,
    )


def _refused_payloads(w) -> dict[str, dict]:
    """name -> {"products": [...], "partnership": id or None}, each one the service refuses."""
    from community.tests.support.trust import product as make_product

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
def test_api_create_refuses_bad_links_and_writes_nothing(writer_world, case):
    payload = _refused_payloads(writer_world)[case]
    client = api_client(writer_world.writer)
    before = counts()
    data = {"title": "Haul", "images": [image_upload("a.jpg", 300, 400)]}
    if "products" in payload:
        data["products"] = _multipart_products(payload["products"])
    if "partnership" in payload:
        data["partnership"] = str(payload["partnership"])
    response = client.post("/api/notes/", data, format="multipart")
    assert response.status_code == 400, (case, response.status_code, response.content[:300])
    assert counts() == before


@pytest.mark.parametrize("case", REFUSED)
def test_api_edit_refuses_bad_links_and_changes_nothing(writer_world, case):
    payload = _refused_payloads(writer_world)[case]
    client = api_client(writer_world.writer)
    before = counts()
    links_before = list(
        NoteProduct.objects.filter(note=writer_world.note).values_list("product_id", "sku_id")
    )
    response = send_json(
        client, "patch", f"/api/notes/{writer_world.note.pk}/", {"title": "Changed", **payload}
    )
    assert response.status_code == 400, (case, response.status_code, response.content[:300])
    assert counts() == before
    note = Note.objects.get(pk=writer_world.note.pk)
    assert note.title != "Changed" and note.partnership_id is None
    assert list(NoteProduct.objects.filter(note=note).values_list("product_id", "sku_id")) == links_before


# The page's form keeps a product picked twice once (the picker may send both), so duplicates are not
# refusals there: see test_page_keeps_a_product_picked_twice_once.
PAGE_REFUSED = [case for case in REFUSED if not case.startswith("duplicate")]


@pytest.mark.parametrize("case", PAGE_REFUSED)
def test_page_create_refuses_bad_links_and_writes_nothing(writer_world, case):
    payload = _refused_payloads(writer_world)[case]
    client = page_client(writer_world.writer)
    before = counts()
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
    assert counts() == before


@pytest.mark.parametrize("case", PAGE_REFUSED)
def test_page_edit_refuses_bad_links_and_changes_nothing(writer_world, case):
    payload = _refused_payloads(writer_world)[case]
    client = page_client(writer_world.writer)
    before = counts()
    data = {
        "title": "Changed",
        "body": "",
        "location": "",
        "visibility": "public",
        "image_order": ",".join(str(i) for i in writer_world.note.images.values_list("pk", flat=True)),
    }
    if "products" in payload:
        data["products"] = _multipart_products(payload["products"])
    if "partnership" in payload:
        data["partnership"] = str(payload["partnership"])
    response = client.post(reverse("community:note_edit", args=[writer_world.note.pk]), data)
    assert response.status_code == 400, (case, response.status_code)
    assert counts() == before
    assert Note.objects.get(pk=writer_world.note.pk).title != "Changed"


def test_page_keeps_a_product_picked_twice_once(writer_world):
    client = page_client(writer_world.writer)
    response = client.post(
        reverse("community:note_new"),
        {
            "title": "Haul",
            "visibility": "public",
            "images": [image_upload("a.jpg", 300, 400)],
            "products": [str(writer_world.product.pk), f"{writer_world.product.pk}:{writer_world.sku.pk}"],
        },
    )
    assert response.status_code == 302
    note = Note.objects.latest("id")
    assert list(NoteProduct.objects.filter(note=note).values_list("product_id", "sku_id")) == [
        (writer_world.product.pk, None)
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
def test_page_create_refuses_garbage_product_tokens(writer_world, tokens):
    client = page_client(writer_world.writer)
    before = counts()
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
    assert counts() == before


@pytest.mark.parametrize("value", ["abc", "\x00", "-1", "1.5", HUGE, "9" * 40])
def test_page_create_refuses_garbage_partnership(writer_world, value):
    client = page_client(writer_world.writer)
    before = counts()
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
    assert counts() == before


@pytest.mark.parametrize("who", ["anonymous", "other", "staff"])
@pytest.mark.parametrize("which", ["private", "hidden"])
def test_cards_of_notes_the_reader_cannot_see_record_nothing(writer_world, who, which):
    note = getattr(writer_world, which)
    user = who_is(writer_world, who)
    before = counts()
    for action, path in card_paths(note.pk, writer_world.product.pk).items():
        client = api_client(user) if action == "api" else page_client(user)
        response = client.get(path) if action == "open" else client.post(path)
        assert response.status_code == 404, (action, response.status_code)
    assert counts() == before


def test_a_product_the_note_does_not_tag_records_nothing(writer_world):
    before = counts()
    for action, path in card_paths(writer_world.note.pk, writer_world.other_product.pk).items():
        client = api_client(writer_world.other) if action == "api" else page_client(writer_world.other)
        response = client.get(path) if action == "open" else client.post(path)
        assert response.status_code == 404, (action, response.status_code)
    assert counts() == before


def test_wrong_methods_on_card_endpoints_record_nothing(writer_world):
    before = counts()
    paths = card_paths(writer_world.note.pk, writer_world.product.pk)
    client = page_client(writer_world.other)
    api = api_client(writer_world.other)
    assert client.put(paths["open"]).status_code == 405  # the tap itself is a POST
    assert client.delete(paths["open"]).status_code == 405
    assert client.head(paths["open"]).status_code == 405
    for name in ("buy", "cart"):
        assert client.get(paths[name]).status_code == 405
        assert client.put(paths[name]).status_code == 405
    assert api.get(paths["api"]).status_code == 405
    assert api.put(paths["api"]).status_code == 405
    assert api.delete(paths["api"]).status_code == 405
    assert counts() == before


@pytest.mark.parametrize("who", ["anonymous", "other"])
@pytest.mark.parametrize("action", ["buy", "cart"])
def test_card_posts_without_a_csrf_token_are_refused_and_record_nothing(writer_world, who, action):
    client = page_client(who_is(writer_world, who), csrf=True)
    before = counts()
    response = client.post(card_paths(writer_world.note.pk, writer_world.product.pk)[action])
    assert response.status_code == 403
    assert counts() == before


def test_api_cart_by_a_signed_in_session_without_csrf_is_refused(writer_world):
    client = page_client(writer_world.other, csrf=True)  # a browser session, not a token
    before = counts()
    response = client.post(card_paths(writer_world.note.pk, writer_world.product.pk)["api"])
    assert response.status_code == 403
    assert counts() == before


@pytest.mark.parametrize("body", ['{"quantity": 99}', "[1]", '"x"', "\x00", "{"])
def test_api_cart_ignores_any_body_and_adds_one_unit(writer_world, body):
    client = api_client(writer_world.other)
    response = client.post(
        card_paths(writer_world.note.pk, writer_world.product.pk)["api"],
        data=body,
        content_type="application/json",
    )
    # The endpoint takes no body (its schema says so): whatever is sent, valid JSON or not, is never read.
    assert response.status_code == 201, response.content[:200]
    lines = list(CartLine.objects.filter(cart__user=writer_world.other).values_list("quantity", "referral"))
    assert lines == [(1, f"note:{writer_world.note.pk}")]
    assert ProductCardClick.objects.filter(note=writer_world.note, user=writer_world.other).count() == 1


def test_from_order_of_another_user_tags_nothing(writer_world):
    from community.selectors.links import order_link_items

    assert order_link_items(
        user=writer_world.writer, number=writer_world.order.number
    )  # the writer's own: found
    assert order_link_items(user=writer_world.other, number=writer_world.order.number) is None
    assert order_link_items(user=writer_world.staff, number=writer_world.order.number) is None
    response = page_client(writer_world.other).get(f"/notes/new/?from_order={writer_world.order.number}")
    assert response.status_code == 200
    picked = [p.product.pk for p in response.context["picked"]]
    assert picked == []
    assert "Only your own delivered orders" in response.content.decode()


def test_from_order_not_delivered_yet_tags_nothing(writer_world):
    from community.selectors.links import order_link_items
    from community.tests.support.trust import order_paid

    paid = order_paid(writer_world.shopper, writer_world.other_sku)
    assert order_link_items(user=writer_world.writer, number=paid.number) is None
    assert order_link_items(user=writer_world.writer, number=paid.number + "\n") is None
    assert order_link_items(user=writer_world.writer, number=writer_world.order.number.lower()) is None


def test_compose_and_edit_offer_only_the_writers_own_partnerships(writer_world):
    for path in ("/notes/new/", f"/notes/{writer_world.note.pk}/edit/"):
        html = page_client(writer_world.writer).get(path).content.decode()
        assert writer_world.deal.title in html
        assert writer_world.other_deal.title not in html


def test_note_edit_of_another_writer_is_not_found(writer_world):
    for who in ("other", "staff"):
        client = page_client(who_is(writer_world, who))
        assert client.get(f"/notes/{writer_world.note.pk}/edit/").status_code == 404
        before = counts()
        response = client.post(
            f"/notes/{writer_world.note.pk}/edit/",
            {"title": "Mine now", "visibility": "public", "partnership": str(writer_world.other_deal.pk)},
        )
        assert response.status_code == 404
        assert counts() == before
        api = api_client(who_is(writer_world, who))
        response = send_json(
            api, "patch", f"/api/notes/{writer_world.note.pk}/", {"partnership": writer_world.other_deal.pk}
        )
        assert response.status_code == 404
    assert Note.objects.get(pk=writer_world.note.pk).partnership_id is None


@pytest.mark.parametrize(
    "change", ["product off sale", "variant off sale", "variant deleted", "all variants off"]
)
def test_cards_whose_product_changed_never_500_and_refuse_to_sell(writer_world, change):
    from mall.models import Sku

    extra_sku = Sku.objects.create(
        product=writer_world.product, name="Travel size", code="TRAVEL-1", price="10.00"
    )
    note = tagged_note(author=writer_world.writer, products=[])
    NoteProduct.objects.create(note=note, product=writer_world.product, sku=extra_sku, position=0)
    if change == "product off sale":
        type(writer_world.product).objects.filter(pk=writer_world.product.pk).update(is_active=False)
    elif change == "variant off sale":
        Sku.objects.filter(pk=extra_sku.pk).update(is_active=False)
    elif change == "variant deleted":
        extra_sku.delete()
    else:
        Sku.objects.filter(product=writer_world.product).update(is_active=False)
    reader = page_client(writer_world.other)
    assert reader.get(f"/notes/{note.pk}/").status_code == 200
    detail = api_client(writer_world.other).get(f"/api/notes/{note.pk}/")
    assert detail.status_code == 200
    card = detail.json()["products"][0]
    before = counts()
    paths = card_paths(note.pk, writer_world.product.pk)
    buy = reader.post(paths["buy"])
    cart = api_client(writer_world.other).post(paths["api"])
    if change in ("product off sale", "all variants off"):
        assert card["on_sale"] is False
        assert buy.status_code == 302 and "#note-products" in buy["Location"]
        assert cart.status_code == 409
        assert counts() == before
    else:
        # The variant gives way to the product's other (in stock) variant, as the card says.
        assert card["on_sale"] is True
        assert cart.status_code == 201
        assert CartLine.objects.get(cart__user=writer_world.other).sku_id == writer_world.sku.pk


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
def test_multipart_products_as_one_json_part_that_is_garbage(writer_world, part):
    client = api_client(writer_world.writer)
    before = counts()
    response = client.post(
        "/api/notes/",
        {"title": "Haul", "images": [image_upload("a.jpg", 300, 400)], "products": part},
        format="multipart",
    )
    assert response.status_code == 400, response.status_code
    response = client.patch(f"/api/notes/{writer_world.note.pk}/", {"products": part}, format="multipart")
    assert response.status_code == 400, response.status_code
    assert counts() == before


@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_json_body_nested_past_the_parsers_depth_is_a_400(writer_world, method):
    client = api_client(writer_world.writer)
    path = "/api/notes/" if method == "post" else f"/api/notes/{writer_world.note.pk}/"
    body = '{"products": ' + "[" * 50_000 + "]" * 50_000 + "}"
    before = counts()
    response = getattr(client, method)(path, data=body, content_type="application/json")
    assert response.status_code == 400, response.status_code
    assert counts() == before


def test_private_and_hidden_notes_and_their_cards_stay_with_their_writer(writer_world):
    for who in ("anonymous", "other", "staff"):
        api = api_client(who_is(writer_world, who))
        listed = [n["id"] for n in api.get(f"/api/notes/?author={writer_world.writer.pk}").json()["results"]]
        assert writer_world.note.pk in listed
        assert writer_world.private.pk not in listed and writer_world.hidden.pk not in listed
        for note in (writer_world.private, writer_world.hidden):
            response = api.get(f"/api/notes/{note.pk}/")
            assert response.status_code == 404
            assert writer_world.product.name not in response.content.decode()
    own = api_client(writer_world.writer).get(f"/api/notes/{writer_world.private.pk}/")
    assert own.status_code == 200 and [c["product"]["id"] for c in own.json()["products"]] == [
        writer_world.product.pk
    ]


@pytest.mark.parametrize("page", ["new", "edit", "delete"])
def test_compose_and_edit_without_a_csrf_token_write_nothing(writer_world, page):
    client = page_client(writer_world.writer, csrf=True)
    path = {
        "new": "/notes/new/",
        "edit": f"/notes/{writer_world.note.pk}/edit/",
        "delete": f"/notes/{writer_world.note.pk}/delete/",
    }[page]
    before = counts()
    response = client.post(
        path,
        {
            "title": "Forged",
            "visibility": "public",
            "images": [image_upload("a.jpg", 300, 400)],
            "products": [str(writer_world.other_product.pk)],
            "partnership": str(writer_world.deal.pk),
        },
    )
    assert response.status_code == 403
    assert counts() == before
    assert Note.objects.get(pk=writer_world.note.pk).partnership_id is None


def test_a_posted_form_never_shows_a_product_that_is_not_on_sale(writer_world):
    from community.tests.support.trust import product as make_product

    unreleased, _sku = make_product("Unreleased secret palette")
    type(unreleased).objects.filter(pk=unreleased.pk).update(is_active=False)
    client = page_client(writer_world.other)
    for path in ("/notes/new/", None):
        if path is None:
            mine = tagged_note(author=writer_world.other, products=[])
            path = f"/notes/{mine.pk}/edit/"
        response = client.post(path, {"title": "", "visibility": "public", "products": [str(unreleased.pk)]})
        assert response.status_code == 400
        assert "Unreleased secret palette" not in response.content.decode(), path


def test_the_edit_page_still_shows_a_tagged_product_that_went_off_sale(writer_world):
    type(writer_world.product).objects.filter(pk=writer_world.product.pk).update(is_active=False)
    page = page_client(writer_world.writer)
    assert writer_world.product.name in page.get(f"/notes/{writer_world.note.pk}/edit/").content.decode()
    response = page.post(
        f"/notes/{writer_world.note.pk}/edit/",
        {"title": "", "visibility": "public", "products": [str(writer_world.product.pk)]},
    )
    assert response.status_code == 400
    assert writer_world.product.name in response.content.decode()


def test_a_hundred_thousand_products_are_refused_before_each_is_read(writer_world):
    import time

    client = api_client(writer_world.writer)
    body = json.dumps({"products": [{"product": 1}] * 100_000})
    started = time.monotonic()
    response = client.patch(f"/api/notes/{writer_world.note.pk}/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["products"] == ["A note tags at most 5 products; this one has 100000."]
    assert time.monotonic() - started < 0.5


def test_the_writers_own_taps_are_not_counted_as_readers_interest(writer_world):
    before = ProductCardClick.objects.count()
    paths = card_paths(writer_world.note.pk, writer_world.product.pk)
    writer = page_client(writer_world.writer)
    assert writer.post(paths["open"]).status_code == 303
    assert writer.post(paths["cart"]).status_code == 302
    assert api_client(writer_world.writer).post(paths["api"]).status_code == 201
    assert ProductCardClick.objects.count() == before
    stats = api_client(writer_world.writer).get(f"/api/me/stats/?note={writer_world.note.pk}").json()
    assert stats["totals"]["card_clicks"] == 0
    # A reader's tap still counts.
    assert page_client(writer_world.other).post(paths["open"]).status_code == 303
    assert ProductCardClick.objects.count() == before + 1
