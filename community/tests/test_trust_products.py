"""Notes about a product ("buyer shows"): the fragment the mall's product page loads, the full page, the
API; verified purchases first then the most liked; fixed queries whatever the number of notes. And the
order page's invitation to write about a delivered order."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from community.models import Note
from community.selectors import trust as selectors
from community.tests.factories import FeedNoteFactory, like
from community.tests.support.trust import (
    order_delivered,
    order_paid,
    order_returned,
    order_shipped,
    product,
    sponsored_note,
    tag,
    tagged_note,
    writer_shopper,
)
from mall.models import Order, Product

pytestmark = pytest.mark.django_db

NOTE_IDS = re.compile(r'data-testid="product-note" data-note-id="(\d+)" data-verified="(true|false)"')


@pytest.fixture
def api():
    return APIClient()


def shown(response) -> list[tuple[int, bool]]:
    return [(int(i), v == "true") for i, v in NOTE_IDS.findall(response.content.decode())]


def buyer_shows(count: int, *, verified_every: int = 3):
    """A product with ``count`` notes tagging it; every ``verified_every``-th writer received it."""
    item, sku = product(name="Barrier cream")
    notes = []
    for i in range(count):
        writer = writer_shopper()
        if i % verified_every == 0:
            order_delivered(writer, sku)
        note = tagged_note(author=writer[0], products=[item], title=f"Note {i}")
        Note.objects.filter(pk=note.pk).update(like_count=i)
        notes.append(note)
    return item, sku, notes


def test_the_fragment_lists_verified_buyers_first_then_the_most_liked(client):
    item, sku = product()
    liked_most = tagged_note(author=UserFactory(), products=[item])
    Note.objects.filter(pk=liked_most.pk).update(like_count=500)
    liked_less = tagged_note(author=UserFactory(), products=[item])
    Note.objects.filter(pk=liked_less.pk).update(like_count=20)
    buyer = writer_shopper()
    verified = tagged_note(author=buyer[0], products=[item])
    Note.objects.filter(pk=verified.pk).update(like_count=3)
    order_delivered(buyer, sku)

    response = client.get(reverse("community:product_notes_fragment", args=[item.pk]))

    assert response.status_code == 200
    assert shown(response) == [(verified.pk, True), (liked_most.pk, False), (liked_less.pk, False)]
    html = response.content.decode()
    first = html[html.index(f'data-note-id="{verified.pk}"') :]
    assert 'data-testid="chip-bought-here"' in first[: first.index("</li>")]
    assert reverse("community:note", args=[verified.pk]) in html
    assert "product-notes-more" not in html  # everything fits


def test_verified_means_this_product_and_goes_away_with_a_return(client):
    cream, _cream_sku = product()
    serum, serum_sku = product()
    writer = writer_shopper()
    note = tagged_note(author=writer[0], products=[cream, serum])
    order = order_delivered(writer, serum_sku)  # received the serum, not the cream
    url = reverse("community:product_notes_fragment", args=[cream.pk])

    assert shown(client.get(url)) == [(note.pk, False)]
    assert shown(client.get(reverse("community:product_notes_fragment", args=[serum.pk]))) == [
        (note.pk, True)
    ]

    order_returned(order)
    assert shown(client.get(reverse("community:product_notes_fragment", args=[serum.pk]))) == [
        (note.pk, False)
    ]


def test_paid_or_shipped_orders_do_not_verify(client):
    item, sku = product()
    paid_writer, shipped_writer = writer_shopper(), writer_shopper()
    paid = tagged_note(author=paid_writer[0], products=[item])
    shipped = tagged_note(author=shipped_writer[0], products=[item])
    order_paid(paid_writer, sku)
    order_shipped(shipped_writer, sku)

    result = dict(shown(client.get(reverse("community:product_notes_fragment", args=[item.pk]))))

    assert result == {paid.pk: False, shipped.pk: False}


def test_only_public_published_notes_tagging_the_product_are_listed(client):
    item, _sku = product()
    other, _other_sku = product()
    public = tagged_note(author=UserFactory(), products=[item])
    tagged_note(author=UserFactory(), products=[item], visibility=Note.Visibility.PRIVATE)
    tagged_note(author=UserFactory(), products=[item], status=Note.Status.HIDDEN)
    tagged_note(author=UserFactory(), products=[other])
    FeedNoteFactory()

    assert shown(client.get(reverse("community:product_notes_fragment", args=[item.pk]))) == [
        (public.pk, False)
    ]


def test_sponsored_notes_about_the_product_carry_their_label(client):
    item, _sku = product()
    note = sponsored_note(brand_name="Glossier")
    tag(note, item)
    html = client.get(reverse("community:product_notes_fragment", args=[item.pk])).content.decode()
    assert "Sponsored · Glossier" in html


def test_the_fragment_caps_the_list_and_links_to_all(client):
    item, _sku, notes = buyer_shows(selectors.PREVIEW_SIZE + 2)

    response = client.get(reverse("community:product_notes_fragment", args=[item.pk]))

    assert len(shown(response)) == selectors.PREVIEW_SIZE
    assert reverse("community:product_notes", args=[item.pk]) in response.content.decode()
    assert 'data-testid="product-notes-more"' in response.content.decode()


def test_a_product_without_notes_invites_a_note(client):
    item, _sku = product()
    html = client.get(reverse("community:product_notes_fragment", args=[item.pk])).content.decode()
    assert 'data-testid="product-notes-empty"' in html and reverse("community:note_new") in html


@pytest.mark.parametrize("url_name", ["community:product_notes_fragment", "community:product_notes"])
def test_unknown_or_inactive_products_are_404(client, url_name):
    item, _sku = product()
    tagged_note(author=UserFactory(), products=[item])
    Product.objects.filter(pk=item.pk).update(is_active=False)

    assert client.get(reverse(url_name, args=[item.pk])).status_code == 404
    assert client.get(reverse(url_name, args=[item.pk + 1000])).status_code == 404
    assert client.get(reverse(url_name, args=[2**63])).status_code == 404


@pytest.mark.parametrize("count", [2, 10])
def test_the_fragment_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    item, _sku, _notes = buyer_shows(count)
    with django_assert_num_queries(2):  # the product, the notes with their verified flag
        response = client.get(reverse("community:product_notes_fragment", args=[item.pk]))
    assert len(shown(response)) == min(count, selectors.PREVIEW_SIZE)


# --- the full page ----------------------------------------------------------------------------------------


def sentinel(response) -> str:
    found = re.search(r'<li class="pn-more" hx-get="([^"]+)"', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else ""


def test_the_full_page_pages_through_every_note_in_order(client, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    item, _sku, notes = buyer_shows(8)
    verified = [n for i, n in enumerate(notes) if i % 3 == 0]
    expected = sorted(verified, key=lambda n: -notes.index(n)) + sorted(
        [n for n in notes if n not in verified], key=lambda n: -notes.index(n)
    )

    page = client.get(reverse("community:product_notes", args=[item.pk]))
    html = page.content.decode()
    assert "Barrier cream" in html and reverse("mall:product", args=[item.slug]) in html
    seen = shown(page)
    next_url = sentinel(page)
    while next_url:
        fragment = client.get(next_url, headers={"HX-Request": "true"})
        assert "<html" not in fragment.content.decode()
        seen += shown(fragment)
        next_url = sentinel(fragment)

    assert [i for i, _v in seen] == [n.pk for n in expected]
    assert [v for _i, v in seen] == [True] * len(verified) + [False] * (len(notes) - len(verified))


def test_the_full_page_works_without_javascript(client, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    item, _sku, _notes = buyer_shows(3)
    page = client.get(reverse("community:product_notes", args=[item.pk]))
    link = re.search(r'<a class="btn btn-outline" href="([^"]+)">More notes', page.content.decode())
    second = client.get(link.group(1).replace("&amp;", "&"))
    assert second.status_code == 200 and len(shown(second)) == 1


def test_a_forged_cursor_is_a_400(client):
    item, _sku = product()
    response = client.get(reverse("community:product_notes", args=[item.pk]), {"cursor": "forged"})
    assert response.status_code == 400


@pytest.mark.parametrize("count", [2, 10])
def test_the_full_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    item, _sku, notes = buyer_shows(count)
    reader = UserFactory()
    for note in notes[::2]:
        like(reader, note)
    with django_assert_num_queries(2):  # product, notes (anonymous: no viewer state)
        client.get(reverse("community:product_notes", args=[item.pk]))
    client.force_login(reader)
    client.get(reverse("community:product_notes", args=[item.pk]))
    # the user (session cached), product, notes, the viewer's likes and collects, the tab bar's unread count
    with django_assert_num_queries(5):
        response = client.get(reverse("community:product_notes", args=[item.pk]))
    assert len(shown(response)) == count


# --- the mall's product page ----------------------------------------------------------------------------


def test_the_mall_product_page_loads_the_notes_fragment_and_links_to_all(client):
    item, _sku = product(name="Barrier cream")

    html = client.get(reverse("mall:product", args=[item.slug])).content.decode()

    section = html[html.index('id="product-notes"') :]
    section = section[: section.index("</section>")]
    assert "Notes about this product" in section
    assert f'hx-get="{reverse("community:product_notes_fragment", args=[item.pk])}"' in section
    assert f'href="{reverse("community:product_notes", args=[item.pk])}"' in section
    assert "community-trust.css" in section


# --- API ------------------------------------------------------------------------------------------------


def test_the_api_lists_the_same_notes_in_the_same_order(api, client):
    item, _sku, notes = buyer_shows(5)
    fragment = [i for i, _v in shown(client.get(reverse("community:product_notes_fragment", args=[item.pk])))]

    body = api.get(f"/api/products/{item.pk}/notes/", {"page_size": 2}).json()
    results = list(body["results"])
    next_url = body["next"]
    while next_url:
        page = api.get(next_url).json()
        results += page["results"]
        next_url = page["next"]

    assert body["product"] == {
        "id": item.pk,
        "name": "Barrier cream",
        "slug": item.slug,
        "brand": item.brand.name,
    }
    assert [r["id"] for r in results] == fragment
    card = results[0]
    assert card["verified"] is True and card["bought_here"] is True and card["sponsored"] is False
    assert set(card) >= {"id", "title", "author", "cover", "like_count", "liked", "collected", "sponsor"}
    assert card["cover"]["url"].startswith("http")


def test_the_api_is_404_for_a_product_not_on_sale(api):
    item, _sku = product()
    Product.objects.filter(pk=item.pk).update(is_active=False)
    assert api.get(f"/api/products/{item.pk}/notes/").status_code == 404
    assert api.get("/api/products/999999/notes/").status_code == 404
    assert api.get(f"/api/products/{item.pk}/notes/", {"cursor": "nope"}).status_code == 404


@pytest.mark.parametrize("count", [2, 10])
def test_the_api_runs_a_fixed_number_of_queries(api, django_assert_num_queries, count):
    item, _sku, _notes = buyer_shows(count)
    api.force_authenticate(UserFactory())
    with django_assert_num_queries(3):  # product, notes, the viewer's likes and collects
        results = api.get(f"/api/products/{item.pk}/notes/").json()["results"]
    assert len(results) == count


# --- the order page's invitation -------------------------------------------------------------------------


def test_a_delivered_order_invites_a_note_with_its_products(client):
    shopper = writer_shopper()
    item, sku = product(name="Barrier cream")
    order = order_delivered(shopper, sku)
    client.force_login(shopper[0])

    html = client.get(reverse("mall:order", args=[order.number])).content.decode()

    invite = html[html.index('data-testid="order-invite"') :]
    invite = invite[: invite.index("</section>")]
    assert "Share what you bought" in invite and "Barrier cream" in invite
    assert f'href="{reverse("community:note_new")}?from_order={order.number}"' in invite
    assert invite.count('data-testid="order-invite-item"') == 1


def test_a_completed_order_invites_too(client):
    shopper = writer_shopper()
    _item, sku = product()
    order = order_delivered(shopper, sku)
    from tests.support.orders import order_move

    order_move(order, Order.State.COMPLETED)
    client.force_login(shopper[0])
    assert (
        'data-testid="order-invite"'
        in client.get(reverse("mall:order", args=[order.number])).content.decode()
    )


def test_orders_not_yet_received_or_sent_back_show_no_invitation(client):
    shopper = writer_shopper()
    _item, sku = product()
    client.force_login(shopper[0])
    from tests.support.orders import place_order

    orders = [
        place_order(shopper=shopper, sku=sku),
        order_paid(shopper, sku),
        order_shipped(shopper, sku),
        order_returned(order_delivered(shopper, sku)),
    ]
    for order in orders:
        html = client.get(reverse("mall:order", args=[order.number])).content.decode()
        assert 'data-testid="order-invite"' not in html, order.state


def test_hostile_titles_and_names_are_escaped_in_the_fragment(client):
    item, _sku = product()
    tagged_note(author=UserFactory(nickname='<b hx-get="/x">'), products=[item], title="<script>x</script>")
    html = client.get(reverse("community:product_notes_fragment", args=[item.pk])).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert '<b hx-get="/x">' not in html
    assert re.search(r'<li class="pn-card" hx-disable', html)
