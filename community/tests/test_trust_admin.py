"""Operators: brand partnerships in admin, and the undeclared-partnership queue whose actions label the
note as sponsored, hide it, or dismiss the flag through services/trust.py, recording who and when.
Flags are never typed into; a flag already decided is left as it is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import DisclosureFlag, Note, Partnership
from community.selectors.notes import note_public_qs
from community.services import trust as services
from community.tests.factories import FeedNoteFactory
from community.tests.support.trust import open_flag, partnership, product, tag
from core.errors import Conflict
from mall.tests.factories import BrandFactory
from tests.support.admin import run_action, said

pytestmark = pytest.mark.django_db
State = DisclosureFlag.State


@pytest.fixture
def operator(client):
    user = UserFactory(is_staff=True, is_superuser=True, username="op_li")
    client.force_login(user)
    client.user = user
    return client


def flagged(*, brand_name: str = "Glossier"):
    """A note tagging a partner brand's product without declaring the partnership, and its open flag."""
    writer = UserFactory(username=f"writer_{brand_name.lower()}")
    brand = BrandFactory(name=brand_name)
    deal = partnership(writer=writer, brand=brand, title="Spring glow")
    item, _sku = product(brand=brand)
    note = FeedNoteFactory(author=writer, title=f"{brand_name} toner")
    tag(note, item)
    return note, deal, open_flag(note=note, deal=deal)


def run(client, action: str, flags):
    return run_action(client, reverse("admin:community_disclosureflag_changelist"), action, flags)


# --- partnerships ------------------------------------------------------------------------------------------


@pytest.mark.clocks
def test_an_operator_records_a_partnership_and_is_noted_as_its_creator(operator):
    writer = UserFactory(username="lily")
    brand = BrandFactory(name="Glossier")
    today = timezone.localdate()

    response = operator.post(
        reverse("admin:community_partnership_add"),
        {
            "brand": brand.pk,
            "writer": writer.pk,
            "title": "Spring glow",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(),
        },
    )

    assert response.status_code == 302
    deal = Partnership.objects.get()
    assert (deal.brand, deal.writer, deal.created_by) == (brand, writer, operator.user)


@pytest.mark.clocks
def test_a_partnership_must_not_end_before_it_starts(operator):
    today = timezone.localdate()
    response = operator.post(
        reverse("admin:community_partnership_add"),
        {
            "brand": BrandFactory().pk,
            "writer": UserFactory().pk,
            "title": "Backwards",
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200 and not Partnership.objects.exists()


@pytest.mark.clocks
def test_the_partnership_list_counts_declared_notes_and_filters_by_period_and_brand(operator):
    writer = UserFactory()
    running = partnership(writer=writer, brand=BrandFactory(name="Glossier"), title="Running")
    ended = Partnership.objects.create(
        brand=BrandFactory(name="Sulwhasoo"),
        writer=writer,
        title="Ended",
        starts_on=timezone.localdate() - timedelta(days=60),
        ends_on=timezone.localdate() - timedelta(days=30),
    )
    FeedNoteFactory.create_batch(3, author=writer, partnership=running)
    url = reverse("admin:community_partnership_changelist")

    html = operator.get(url).content.decode()
    assert 'class="field-declared_notes">3<' in html and 'class="field-declared_notes">0<' in html
    active = operator.get(url, {"period": "active"}).context["cl"].result_list
    assert list(active) == [running]
    by_brand = operator.get(url, {"brand__id__exact": ended.brand_id}).context["cl"].result_list
    assert list(by_brand) == [ended]
    form = operator.get(reverse("admin:community_partnership_add")).content.decode()
    assert "admin-autocomplete" in form  # brand and writer are picked by search, not from a long list


@pytest.mark.parametrize("count", [2, 8])
def test_the_partnership_list_runs_a_fixed_number_of_queries(operator, django_assert_num_queries, count):
    for _ in range(count):
        deal = partnership(writer=UserFactory())
        FeedNoteFactory(author=deal.writer, partnership=deal)
    operator.get(reverse("admin:community_partnership_changelist"))
    # user, counts, the page with declared notes, the brand filter's choices, the date hierarchy...
    with django_assert_num_queries(8):
        operator.get(reverse("admin:community_partnership_changelist"))


def test_a_partnership_with_declared_notes_cannot_be_deleted(operator):
    deal = partnership(writer=UserFactory())
    FeedNoteFactory(author=deal.writer, partnership=deal)
    response = operator.get(reverse("admin:community_partnership_delete", args=[deal.pk]))
    assert response.status_code == 403
    assert Partnership.objects.filter(pk=deal.pk).exists()


# --- the queue ---------------------------------------------------------------------------------------------


def test_the_queue_opens_on_open_flags_and_shows_note_writer_brand_and_partnership(operator):
    note, deal, flag = flagged()
    _other_note, _other_deal, done = flagged(brand_name="Sulwhasoo")
    DisclosureFlag.objects.filter(pk=done.pk).update(state=State.DISMISSED)

    redirect = operator.get(reverse("admin:community_disclosureflag_changelist"))
    assert redirect.status_code == 302 and redirect["Location"].endswith("?state__exact=open")
    response = operator.get(redirect["Location"])

    assert list(response.context["cl"].result_list) == [flag]
    html = response.content.decode()
    assert "Glossier toner" in html and "writer_glossier" in html and "Spring glow" in html
    assert reverse("community:note", args=[note.pk]) in html
    assert reverse("admin:community_partnership_change", args=[deal.pk]) in html


@pytest.mark.parametrize("count", [2, 8])
def test_the_queue_runs_a_fixed_number_of_queries(operator, django_assert_num_queries, count):
    for i in range(count):
        flagged(brand_name=f"Brand{i}")
    url = reverse("admin:community_disclosureflag_changelist") + "?state__exact=open"
    operator.get(url)
    with django_assert_num_queries(6):
        response = operator.get(url)
    assert len(response.context["cl"].result_list) == count


def test_flags_are_never_added_or_typed_into(operator):
    note, deal, flag = flagged()

    assert operator.get(reverse("admin:community_disclosureflag_add")).status_code == 403
    page = operator.get(reverse("admin:community_disclosureflag_change", args=[flag.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'name="state"' not in html and 'name="_save"' not in html
    operator.post(
        reverse("admin:community_disclosureflag_change", args=[flag.pk]),
        {"state": State.DISMISSED, "note": FeedNoteFactory().pk},
    )
    flag.refresh_from_db()
    assert flag.state == State.OPEN and flag.note_id == note.pk and flag.handled_at is None
    assert operator.get(reverse("admin:community_disclosureflag_delete", args=[flag.pk])).status_code == 403


def test_label_binds_the_note_to_the_partnership_and_records_who_and_when(operator):
    note, deal, flag = flagged()

    response = run(operator, "label_sponsored", [flag])

    assert "Labelled 1 note as sponsored." in said(response)
    note.refresh_from_db()
    flag.refresh_from_db()
    assert note.partnership_id == deal.pk and note.is_sponsored
    assert flag.state == State.LABELLED and flag.handled_by == operator.user and flag.handled_at
    home = operator.get(reverse("home")).content.decode()
    assert "Sponsored · Glossier" in home


def test_hide_hides_the_note_through_moderation_and_settles_its_open_flags(operator):
    note, deal, flag = flagged()
    second_deal = partnership(writer=note.author, title="Autumn")
    second = open_flag(note=note, deal=second_deal)

    response = run(operator, "hide_note", [flag])

    assert "Hid 1 note." in said(response)
    note.refresh_from_db()
    assert note.status == Note.Status.HIDDEN and not note_public_qs().filter(pk=note.pk).exists()
    assert note.partnership_id is None
    for each in (flag, second):
        each.refresh_from_db()
        assert each.state == State.HIDDEN and each.handled_by == operator.user


def test_dismiss_closes_the_flag_and_changes_nothing_else(operator):
    note, deal, flag = flagged()

    response = run(operator, "dismiss", [flag])

    assert "Dismissed 1 flag." in said(response)
    flag.refresh_from_db()
    note.refresh_from_db()
    assert flag.state == State.DISMISSED and flag.handled_by == operator.user
    assert note.partnership_id is None and note.status == Note.Status.PUBLISHED


def test_a_flag_already_decided_is_left_as_it_was(operator):
    note, deal, flag = flagged()
    services.disclosure_flag_dismiss(flag=flag, operator=operator.user)
    flag.refresh_from_db()
    decided_at = flag.handled_at

    response = run(operator, "label_sponsored", [flag])

    assert "1 flag was already handled; it was left as it was." in said(response)
    note.refresh_from_db()
    flag.refresh_from_db()
    assert note.partnership_id is None and flag.state == State.DISMISSED and flag.handled_at == decided_at


def test_staff_without_permissions_cannot_act(client):
    note, deal, flag = flagged()
    client.force_login(UserFactory(is_staff=True))
    response = client.post(
        reverse("admin:community_disclosureflag_changelist"),
        {"action": "label_sponsored", "_selected_action": [str(flag.pk)]},
    )
    assert response.status_code == 403
    flag.refresh_from_db()
    note.refresh_from_db()
    assert flag.state == State.OPEN and note.partnership_id is None


# --- services -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "decide",
    [services.disclosure_flag_label, services.disclosure_flag_hide, services.disclosure_flag_dismiss],
)
def test_every_decision_happens_once(decide):
    note, deal, flag = flagged()
    operator = UserFactory()
    decide(flag=flag, operator=operator)
    after = DisclosureFlag.objects.values().get(pk=flag.pk)
    note_after = Note.objects.values("status", "partnership_id").get(pk=note.pk)

    for again in (
        services.disclosure_flag_label,
        services.disclosure_flag_hide,
        services.disclosure_flag_dismiss,
    ):
        with pytest.raises(Conflict):
            again(flag=DisclosureFlag.objects.get(pk=flag.pk), operator=UserFactory())

    assert DisclosureFlag.objects.values().get(pk=flag.pk) == after
    assert Note.objects.values("status", "partnership_id").get(pk=note.pk) == note_after


def test_an_undeclared_partner_brand_note_reaches_the_queue_and_labelling_shows_it_as_sponsored(operator):
    from rest_framework.test import APIClient

    from tests.support.images import image_upload

    writer = UserFactory(username="writer_wu")
    brand = BrandFactory(name="Sulwhasoo")
    deal = partnership(writer=writer, brand=brand, title="Ginseng month")
    item, _sku = product(brand=brand)
    api = APIClient()
    api.force_authenticate(writer)

    created = api.post(
        "/api/notes/",
        {"title": "My new serum", "images": [image_upload()], "products": [str(item.pk)]},
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    note_id = created.json()["id"]

    queue = operator.get(reverse("admin:community_disclosureflag_changelist") + "?state__exact=open")
    (flag,) = queue.context["cl"].result_list
    assert (flag.note_id, flag.partnership_id) == (note_id, deal.pk)
    assert "My new serum" in queue.content.decode() and "writer_wu" in queue.content.decode()
    card = next(c for c in APIClient().get("/api/feed/").json()["results"] if c["id"] == note_id)
    assert card["sponsored"] is False

    run(operator, "label_sponsored", [flag])

    card = next(c for c in APIClient().get("/api/feed/").json()["results"] if c["id"] == note_id)
    assert card["sponsored"] is True and card["sponsor"] == "Sulwhasoo"
