"""Trust under hostile input: sponsored labels that stay through edits and on every list and page,
disclosure flags decided once, forged operator forms and actions, badges nobody can set by posting."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.models import DisclosureFlag, Note, Partnership
from community.tests.support.hostile import (
    HUGE,
    api_client,
    counts,
    page_client,
    send_json,
)
from community.tests.support.trust import order_delivered, partnership, product, tagged_note, writer_shopper
from tests.support.images import image_upload

pytestmark = pytest.mark.django_db


def test_product_notes_never_show_private_or_hidden_notes(writer_world):
    anon = page_client()
    for path in (
        f"/notes/for-product/{writer_world.product.pk}/",
        f"/notes/for-product/{writer_world.product.pk}/all/",
    ):
        html = anon.get(path).content.decode()
        assert writer_world.note.title in html
        assert writer_world.private.title not in html and writer_world.hidden.title not in html
    # Not even to their writer: the product's page is public.
    data = api_client(writer_world.writer).get(f"/api/products/{writer_world.product.pk}/notes/").json()
    assert [n["id"] for n in data["results"]] == [writer_world.note.pk]


def _undeclared_note(writer_world):
    """The writer posts a note tagging their partner brand's product without declaring it (the API)."""
    response = api_client(writer_world.writer).post(
        "/api/notes/",
        {
            "title": "Love this serum",
            "images": [image_upload("a.jpg", 300, 400)],
            "products": [str(writer_world.product.pk)],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content[:300]
    return Note.objects.get(pk=response.json()["id"])


def test_a_dismissed_flag_is_not_reopened_by_the_writers_next_edit(writer_world):
    from community.services.trust import disclosure_flag_dismiss

    note = _undeclared_note(writer_world)
    flag = DisclosureFlag.objects.get(note=note, state=DisclosureFlag.State.OPEN)
    disclosure_flag_dismiss(flag=flag, operator=writer_world.staff)

    response = send_json(
        api_client(writer_world.writer), "patch", f"/api/notes/{note.pk}/", {"title": "Typo fixed"}
    )

    assert response.status_code == 200
    assert not DisclosureFlag.objects.filter(note=note, state=DisclosureFlag.State.OPEN).exists()


def test_a_hidden_note_is_not_flagged_again_when_its_writer_edits_it(writer_world):
    from community.services.trust import disclosure_flag_hide

    note = _undeclared_note(writer_world)
    flag = DisclosureFlag.objects.get(note=note, state=DisclosureFlag.State.OPEN)
    disclosure_flag_hide(flag=flag, operator=writer_world.staff)

    response = send_json(
        api_client(writer_world.writer), "patch", f"/api/notes/{note.pk}/", {"title": "Please"}
    )

    assert response.status_code == 200
    assert not DisclosureFlag.objects.filter(note=note, state=DisclosureFlag.State.OPEN).exists()


def test_dropping_an_operators_label_sends_the_note_back_to_the_queue(writer_world):
    from community.services.trust import disclosure_flag_label

    note = _undeclared_note(writer_world)
    flag = DisclosureFlag.objects.get(note=note, state=DisclosureFlag.State.OPEN)
    disclosure_flag_label(flag=flag, operator=writer_world.staff)
    assert Note.objects.get(pk=note.pk).partnership_id == writer_world.deal.pk

    response = send_json(
        api_client(writer_world.writer), "patch", f"/api/notes/{note.pk}/", {"partnership": None}
    )

    assert response.status_code == 200
    assert DisclosureFlag.objects.filter(note=note, state=DisclosureFlag.State.OPEN).count() == 1


def _declared_note(writer_world, title: str = "Sponsored glow"):
    """The writer posts a note under their partnership through the API, tagged #glowup."""
    response = api_client(writer_world.writer).post(
        "/api/notes/",
        {
            "title": title,
            "body": "Loved it #glowup",
            "images": [image_upload("a.jpg", 300, 400)],
            "products": [str(writer_world.product.pk)],
            "partnership": str(writer_world.deal.pk),
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


def test_a_sponsored_note_carries_its_label_in_every_api_list(writer_world):
    from community.models import Like
    from community.services.search import note_search_index

    note = _declared_note(writer_world)
    note_search_index(note_id=note.pk)
    Like.objects.create(user=writer_world.other, note=note)
    from community.services.interactions import note_collect

    note_collect(user=writer_world.other, note=note)
    reader = api_client(writer_world.other)
    lists = [
        "/api/notes/",
        f"/api/notes/?author={writer_world.writer.pk}",
        "/api/feed/",
        "/api/search/notes/?q=Sponsored",
        f"/api/users/{writer_world.writer.pk}/notes/",
        f"/api/users/{writer_world.other.pk}/likes/",
        f"/api/users/{writer_world.other.pk}/collects/",
        f"/api/products/{writer_world.product.pk}/notes/",
        "/api/topics/glowup/notes/",
    ]
    for path in lists:
        response = reader.get(path)
        assert response.status_code == 200, (path, response.status_code)
        found = [r for r in _results(response.json()) if r["id"] == note.pk]
        assert found, (path, "the note is missing")
        assert found[0]["sponsored"] is True and found[0]["sponsor"] == writer_world.deal.brand.name, path
    detail = reader.get(f"/api/notes/{note.pk}/").json()
    assert detail["sponsored"] is True and detail["sponsor"] == writer_world.deal.brand.name
    for path in ("/api/feed/?sponsored=hide", "/api/search/notes/?q=Sponsored&sponsored=hide"):
        response = reader.get(path)
        assert response.status_code == 200
        assert note.pk not in [r["id"] for r in _results(response.json())], path


def test_the_writer_editing_a_sponsored_note_keeps_its_label_unless_they_drop_it(writer_world):
    note = _declared_note(writer_world)
    client = api_client(writer_world.writer)
    assert (
        send_json(client, "patch", f"/api/notes/{note.pk}/", {"title": "Still sponsored"}).status_code == 200
    )
    assert Note.objects.get(pk=note.pk).partnership_id == writer_world.deal.pk
    # The page's form posts the partnership it showed: the label stays.
    page = page_client(writer_world.writer)
    form = page.get(f"/notes/{note.pk}/edit/").context["form"]
    assert form.initial["partnership"] == writer_world.deal.pk
    response = page.post(
        f"/notes/{note.pk}/edit/",
        {
            "title": "Edited on the page",
            "visibility": "public",
            "image_order": ",".join(str(i) for i in note.images.values_list("pk", flat=True)),
            "products": [str(writer_world.product.pk)],
            "partnership": str(writer_world.deal.pk),
        },
    )
    assert response.status_code == 302
    assert Note.objects.get(pk=note.pk).partnership_id == writer_world.deal.pk


def test_a_declared_partnership_that_ended_stays_on_the_note_through_edits(writer_world):
    note = _declared_note(writer_world)
    today = writer_world.deal.starts_on
    Partnership.objects.filter(pk=writer_world.deal.pk).update(
        starts_on=today - timedelta(days=730), ends_on=today - timedelta(days=365)
    )
    response = send_json(
        api_client(writer_world.writer),
        "patch",
        f"/api/notes/{note.pk}/",
        {"partnership": writer_world.deal.pk},
    )
    assert response.status_code == 200
    page = page_client(writer_world.writer)
    response = page.post(
        f"/notes/{note.pk}/edit/",
        {
            "title": "After the campaign",
            "visibility": "public",
            "image_order": ",".join(str(i) for i in note.images.values_list("pk", flat=True)),
            "partnership": str(writer_world.deal.pk),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Note.objects.get(pk=note.pk).partnership_id == writer_world.deal.pk


def test_labelling_a_second_brand_never_replaces_the_sponsor_the_writer_declared(writer_world):
    from community.services.trust import disclosure_flag_label
    from core.errors import Conflict

    second = partnership(writer=writer_world.writer, title="Second brand")
    lipstick, _sku = product("Lipstick", brand=second.brand)
    response = api_client(writer_world.writer).post(
        "/api/notes/",
        {
            "title": "Two brands",
            "images": [image_upload("a.jpg", 300, 400)],
            "products": [str(writer_world.product.pk), str(lipstick.pk)],
            "partnership": str(writer_world.deal.pk),
        },
        format="multipart",
    )
    assert response.status_code == 201
    note = Note.objects.get(pk=response.json()["id"])
    flag = DisclosureFlag.objects.get(note=note, state=DisclosureFlag.State.OPEN)
    assert flag.partnership_id == second.pk

    with pytest.raises(Conflict):
        disclosure_flag_label(flag=flag, operator=writer_world.staff)

    assert Note.objects.get(pk=note.pk).partnership_id == writer_world.deal.pk
    flag.refresh_from_db()
    assert flag.state == DisclosureFlag.State.OPEN and flag.handled_by is None


def test_the_queue_says_why_a_label_was_refused(writer_world):
    second = partnership(writer=writer_world.writer, title="Second brand")
    lipstick, _sku = product("Lipstick", brand=second.brand)
    note = tagged_note(
        author=writer_world.writer, products=[writer_world.product, lipstick], partnership=writer_world.deal
    )
    flag = DisclosureFlag.objects.create(note=note, partnership=second)
    response = page_client(writer_world.staff).post(
        "/admin/community/disclosureflag/?state__exact=open",
        {"action": "label_sponsored", "_selected_action": [flag.pk]},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "already declares" in html
    assert "already handled" not in html
    assert Note.objects.get(pk=note.pk).partnership_id == writer_world.deal.pk


def test_extra_fields_cannot_set_a_badge_or_a_sponsor(writer_world):
    client = api_client(writer_world.other)
    response = client.post(
        "/api/notes/",
        {
            "title": "Not bought",
            "images": [image_upload("a.jpg", 300, 400)],
            "products": [str(writer_world.product.pk)],
            "bought_here": "true",
            "verified": "true",
            "sponsored": "true",
            "sponsor": "Glossier",
            "partnership_id": str(writer_world.deal.pk),
            "author": str(writer_world.writer.pk),
        },
        format="multipart",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["products"][0]["bought_here"] is False
    assert body["sponsored"] is False and body["sponsor"] is None
    note = Note.objects.get(pk=body["id"])
    assert note.author_id == writer_world.other.pk and note.partnership_id is None


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
def test_a_forged_partnership_form_is_refused_and_records_nothing(writer_world, fields):
    data = {
        "brand": writer_world.deal.brand.pk,
        "writer": writer_world.writer.pk,
        "title": "Forged",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        **fields,
    }
    before = counts()
    response = page_client(writer_world.staff).post("/admin/community/partnership/add/", data)
    # the form again, with its errors (a NUL anywhere is refused before the admin: core.middleware)
    assert response.status_code == (400 if any("\x00" in str(v) for v in fields.values()) else 200)
    assert counts() == before


def test_flag_actions_with_forged_ids_change_nothing(writer_world):
    before = counts()
    for ids in (["abc"], [HUGE], ["-1"], []):
        response = page_client(writer_world.staff).post(
            "/admin/community/disclosureflag/?state__exact=open",
            {"action": "label_sponsored", "_selected_action": ids},
        )
        assert response.status_code < 500, (ids, response.status_code)
    assert counts() == before


def test_a_partnership_with_declared_notes_keeps_its_brand_and_writer(writer_world):
    from mall.tests.factories import BrandFactory

    note = _declared_note(writer_world)
    other_brand = BrandFactory(name="Someone else")
    response = page_client(writer_world.staff).post(
        f"/admin/community/partnership/{writer_world.deal.pk}/change/",
        {
            "brand": other_brand.pk,
            "writer": writer_world.other.pk,
            "title": "Renamed",
            "starts_on": writer_world.deal.starts_on.isoformat(),
            "ends_on": writer_world.deal.ends_on.isoformat(),
        },
    )
    assert response.status_code == 302
    deal = Partnership.objects.get(pk=writer_world.deal.pk)
    assert (deal.brand_id, deal.writer_id, deal.title) == (
        writer_world.deal.brand_id,
        writer_world.writer.pk,
        "Renamed",
    )
    body = api_client(writer_world.other).get(f"/api/notes/{note.pk}/").json()
    assert body["sponsor"] == writer_world.deal.brand.name
    # Without declared notes an operator may still correct a slip.
    response = page_client(writer_world.staff).post(
        f"/admin/community/partnership/{writer_world.other_deal.pk}/change/",
        {
            "brand": other_brand.pk,
            "writer": writer_world.other.pk,
            "title": "Fixed",
            "starts_on": writer_world.other_deal.starts_on.isoformat(),
            "ends_on": writer_world.other_deal.ends_on.isoformat(),
        },
    )
    assert response.status_code == 302
    assert Partnership.objects.get(pk=writer_world.other_deal.pk).brand_id == other_brand.pk


def test_no_badge_without_the_writers_own_delivered_order(writer_world):
    from community.tests.support.trust import order_returned, order_shipped

    newcomer_shopper = writer_shopper()
    newcomer = newcomer_shopper[0]
    order_shipped(newcomer_shopper, writer_world.sku)  # on its way, not received
    order_returned(order_delivered(newcomer_shopper, writer_world.sku))  # received, then sent back
    order_delivered(
        writer_world.shopper, writer_world.other_sku
    )  # the writer_world's writer received it: not the newcomer
    note = tagged_note(author=newcomer, products=[writer_world.product, writer_world.other_product])
    card = api_client(writer_world.other).get(f"/api/notes/{note.pk}/").json()["products"]
    assert [c["bought_here"] for c in card] == [False, False]
    listed = (
        api_client(writer_world.other)
        .get(f"/api/products/{writer_world.product.pk}/notes/")
        .json()["results"]
    )
    mine = [n for n in listed if n["id"] == note.pk][0]
    assert mine["verified"] is False and mine["bought_here"] is False
    feed = api_client(writer_world.other).get(f"/api/users/{newcomer.pk}/notes/").json()["results"]
    assert [n["bought_here"] for n in feed] == [False]


def test_tagging_a_partner_brand_in_an_old_note_after_the_deal_starts_is_flagged(writer_world):
    import datetime

    from community.tests.support.trust import product as make_product
    from mall.tests.factories import BrandFactory

    old = tagged_note(author=writer_world.writer, products=[])
    Note.objects.filter(pk=old.pk).update(created_at=old.created_at - datetime.timedelta(days=90))
    brand = BrandFactory(name="New deal brand")
    new_deal = partnership(writer=writer_world.writer, brand=brand, title="Signed this week")
    serum, _sku = make_product("New deal serum", brand=brand)

    response = send_json(
        api_client(writer_world.writer),
        "patch",
        f"/api/notes/{old.pk}/",
        {"products": [{"product": serum.pk}]},
    )

    assert response.status_code == 200
    assert DisclosureFlag.objects.filter(
        note=old, partnership=new_deal, state=DisclosureFlag.State.OPEN
    ).exists()


def test_a_sponsored_note_carries_its_label_on_every_page(writer_world):
    from community.models import Like
    from community.services.search import note_search_index

    note = _declared_note(writer_world)
    note_search_index(note_id=note.pk)
    Like.objects.create(user=writer_world.other, note=note)
    reader = page_client(writer_world.other)
    pages = [
        "/hot/",  # the personal feed (/) leaves out notes the reader liked, as this one did
        "/search/?q=Sponsored",
        "/topics/glowup/",
        f"/users/{writer_world.writer.pk}/",
        f"/notes/for-product/{writer_world.product.pk}/",
        f"/notes/for-product/{writer_world.product.pk}/all/",
    ]
    for path in pages:
        html = reader.get(path).content.decode()
        at = html.find(f"/notes/{note.pk}/")
        assert at != -1, (path, "the note is missing")
        assert 'data-testid="chip-sponsored"' in html and writer_world.deal.brand.name in html, path
    page = reader.get(f"/notes/{note.pk}/").content.decode()
    assert writer_world.deal.brand.name in page and "Sponsored" in page
    for path in ("/?sponsored=hide", "/hot/?sponsored=hide", "/search/?q=Sponsored&sponsored=hide"):
        assert f"/notes/{note.pk}/" not in reader.get(path).content.decode(), path
