"""The "bought here" badge: derived only from the writer's delivered orders of a tagged product, shown on
feed cards, search results, the note page and in the feed/search API; never obtainable otherwise (API
input, compose form, admin), gone once the order is returned."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from community.models import Note
from community.selectors.purchases import notes_bought_here
from community.tests.support.trust import (
    order_delivered,
    order_paid,
    order_returned,
    order_shipped,
    product,
    tagged_note,
    writer_shopper,
)
from mall.services.orders import (
    order_confirm_delivery,
    order_receive_return,
    order_request_return,
    order_ship,
)
from tests.support.images import image_upload

pytestmark = pytest.mark.django_db


def card_html(html: str, note_id: int) -> str:
    start = html.index(f'data-note-id="{note_id}"')
    return html[start : html.index("</article>", start)]


def feed_card(api, note_id: int) -> dict:
    return next(c for c in api.get("/api/feed/").json()["results"] if c["id"] == note_id)


def badge_everywhere(client, api, note: Note) -> dict[str, bool]:
    """Whether the badge shows on the feed card, the feed API, the search page and API, the note page."""
    home = client.get(reverse("community:feed_hot")).content.decode()
    search = client.get(reverse("community:search"), {"q": "面霜"}).content.decode()
    search_api = api.get("/api/search/notes/", {"q": "面霜"}).json()["results"]
    page = client.get(reverse("community:note", args=[note.pk])).content.decode()
    return {
        "feed": 'data-testid="chip-bought-here"' in card_html(home, note.pk),
        "feed_api": feed_card(api, note.pk)["bought_here"],
        "search": 'data-testid="chip-bought-here"' in card_html(search, note.pk),
        "search_api": next(r for r in search_api if r["id"] == note.pk)["bought_here"],
        "note_page": 'data-testid="note-bought-here"' in page,
    }


NONE = dict.fromkeys(("feed", "feed_api", "search", "search_api", "note_page"), False)
ALL = dict.fromkeys(NONE, True)


def test_the_badge_follows_the_order_from_paid_to_delivered_to_returned(client, api):
    shopper = writer_shopper()
    cream, sku = product(name="Barrier cream")
    note = tagged_note(author=shopper[0], products=[cream], title="修护面霜")
    assert badge_everywhere(client, api, note) == NONE

    order = order_paid(shopper, sku)
    assert badge_everywhere(client, api, note) == NONE  # paid, not received

    order_ship(order=order, tracking_number="SF100001")
    assert badge_everywhere(client, api, note) == NONE  # on its way, not received

    order_confirm_delivery(order=order)
    assert badge_everywhere(client, api, note) == ALL
    page = client.get(reverse("community:note", args=[note.pk])).content.decode()
    assert re.search(r'data-testid="note-bought-product">Barrier cream<', page)

    order.refresh_from_db()
    order_request_return(order=order, reason="Wrong shade")
    assert badge_everywhere(client, api, note) == ALL  # still in the buyer's hands until it comes back

    order.refresh_from_db()
    order_receive_return(order=order)
    assert badge_everywhere(client, api, note) == NONE


def test_a_shipped_order_gives_no_badge(client, api):
    shopper = writer_shopper()
    cream, sku = product()
    note = tagged_note(author=shopper[0], products=[cream], title="面霜")
    order_shipped(shopper, sku)
    assert badge_everywhere(client, api, note) == NONE


def test_only_the_writers_own_delivery_of_a_tagged_product_counts(client, api):
    writer = writer_shopper()
    reader = writer_shopper()
    cream, cream_sku = product(name="Cream")
    serum, serum_sku = product(name="Serum")
    note = tagged_note(author=writer[0], products=[cream], title="面霜 review")

    order_delivered(reader, cream_sku)  # somebody else bought the tagged product
    order_delivered(writer, serum_sku)  # the writer bought something not tagged

    assert badge_everywhere(client, api, note) == NONE
    assert notes_bought_here(note_ids=[note.pk]) == {}


def test_the_note_page_names_only_the_tagged_products_the_writer_received(client):
    writer = writer_shopper()
    cream, cream_sku = product(name="Cream One")
    serum, _serum_sku = product(name="Serum Two")
    note = tagged_note(author=writer[0], products=[cream, serum])
    order_delivered(writer, cream_sku)

    page = client.get(reverse("community:note", args=[note.pk])).content.decode()

    assert re.findall(r'data-testid="note-bought-product">([^<]+)<', page) == ["Cream One"]
    assert notes_bought_here(note_ids=[note.pk]) == {note.pk: {cream.pk}}


def test_a_returned_order_takes_the_badge_away_even_with_another_pending(client, api):
    writer = writer_shopper()
    cream, sku = product()
    note = tagged_note(author=writer[0], products=[cream], title="面霜")
    order_returned(order_delivered(writer, sku))
    order_paid(writer, sku)  # bought again, not yet delivered

    assert badge_everywhere(client, api, note) == NONE


# --- nobody can set it ----------------------------------------------------------------------------------


def test_posting_bought_here_to_the_api_sets_nothing(api):
    writer = UserFactory()
    cream, _sku = product()
    api.force_authenticate(writer)

    response = api.post(
        "/api/notes/",
        {
            "title": "I swear I bought it",
            "images": [image_upload()],
            "products": [str(cream.pk)],
            "bought_here": "true",
            "verified": "true",
            "verified_products": [str(cream.pk)],
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    note_id = response.json()["id"]
    assert "bought_here" not in response.json() or response.json()["bought_here"] is False
    assert all(not card["bought_here"] for card in response.json()["products"])
    assert notes_bought_here(note_ids=[note_id]) == {}
    assert feed_card(APIClient(), note_id)["bought_here"] is False


def test_posting_bought_here_to_the_compose_form_sets_nothing(client):
    writer = UserFactory()
    cream, _sku = product()
    client.force_login(writer)

    response = client.post(
        reverse("community:note_new"),
        {
            "title": "Trust me",
            "body": "",
            "visibility": "public",
            "images": [image_upload()],
            "products": [str(cream.pk)],
            "bought_here": "on",
            "verified": "1",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    note = Note.objects.get(author=writer)
    assert list(note.product_links.values_list("product_id", flat=True)) == [cream.pk]
    assert notes_bought_here(note_ids=[note.pk]) == {}
    html = client.get(reverse("community:note", args=[note.pk])).content.decode()
    assert 'data-testid="note-bought-here"' not in html


def test_no_admin_form_has_a_field_that_could_set_the_badge(client):
    from django.contrib import admin
    from django.test import RequestFactory

    operator = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = operator
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("community", "mall"):
            continue
        fields = set(model_admin.get_form(request).base_fields)
        assert not fields & {"bought_here", "verified", "is_verified"}, model


def test_posting_bought_here_to_the_note_admin_sets_nothing(client):
    writer = writer_shopper()
    cream, _sku = product()
    note = tagged_note(author=writer[0], products=[cream])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    client.post(
        reverse("admin:community_note_change", args=[note.pk]),
        {"bought_here": "on", "verified": "on", "title": "changed"},
    )

    assert notes_bought_here(note_ids=[note.pk]) == {}
    note.refresh_from_db()
    assert note.title != "changed"
