"""Counters count people, not requests. The attacker inflates a note's views (which feed its hot score),
its card taps (which feed the writer's statistics and the operators' demand view) and its sales credit,
by rotating User-Agents and cookies, replaying taps, and carrying a note's referral onto other products."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import ProductCardClick
from community.selectors.creator_stats import creator_stats
from community.services.views_count import note_views_pending
from community.tests.factories import NoteFactory
from community.tests.support.links import product, tagged_note
from core.visitor import COOKIE
from tests.support.orders import order_row

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.1"


@pytest.fixture(autouse=True)
def behind_the_proxy(settings):
    settings.PROXY_COUNT = 1
    settings.VISITOR_ANONYMOUS_PER_ADDRESS = 3


def view(client, note, *, address: str, **headers):
    response = client.get(
        reverse("community:note", args=[note.pk]), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address, **headers
    )
    assert response.status_code == 200
    return response


def test_rotating_the_user_agent_is_not_a_new_viewer(client):
    note = NoteFactory()
    for n in range(20):
        view(client, note, address="198.51.100.7", HTTP_USER_AGENT=f"Bot/{n}")

    assert note_views_pending(note_id=note.pk) == 1


def test_a_client_that_drops_its_cookie_buys_its_address_a_handful_of_views(client):
    note = NoteFactory()
    for n in range(20):
        client.cookies.clear()
        view(client, note, address="198.51.100.7", HTTP_USER_AGENT=f"Bot/{n}")

    assert note_views_pending(note_id=note.pk) == 3  # VISITOR_ANONYMOUS_PER_ADDRESS


def test_rotating_cookies_from_one_address_buys_a_handful_of_views_at_most(client):
    note = NoteFactory()
    for _ in range(20):
        client.cookies.clear()
        first = view(client, note, address="198.51.100.7")  # mints a fresh signed visitor cookie
        assert COOKIE in first.cookies
        view(client, note, address="198.51.100.7")  # and comes back with it

    assert note_views_pending(note_id=note.pk) == 3


def test_a_forged_visitor_cookie_is_no_visitor_at_all(client):
    note = NoteFactory()
    for n in range(10):
        client.cookies[COOKIE] = f"forged-{n}"
        view(client, note, address="198.51.100.7")

    assert note_views_pending(note_id=note.pk) == 3


def test_honest_readers_each_count_once(client):
    note = NoteFactory()
    for n in range(5):
        client.cookies.clear()
        view(client, note, address=f"203.0.113.{n}")
        view(client, note, address=f"203.0.113.{n}")  # a reload

    reader = UserFactory()
    client.force_login(reader)
    view(client, note, address="203.0.113.99")
    view(client, note, address="203.0.113.100")  # the same account from elsewhere

    assert note_views_pending(note_id=note.pk) == 6


def test_a_card_tap_is_a_post_and_counts_once_per_visitor(client):
    serum, _ = product("Serum")
    note = tagged_note(products=[serum])
    url = reverse("community:note_product_open", args=[note.pk, serum.pk])

    for _ in range(10):
        client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")  # a link, a prefetch
        client.post(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")  # replayed taps

    assert ProductCardClick.objects.filter(note=note).count() == 1
    client.cookies.clear()
    client.post(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")  # another reader, another browser
    assert ProductCardClick.objects.filter(note=note).count() == 2


def test_a_referral_credits_a_note_only_for_a_product_it_tags():
    serum, (serum_sku,) = product("Serum")
    unrelated, (unrelated_sku,) = product("Handbag", prices=("900.00",))
    writer = UserFactory()
    note = tagged_note(products=[serum], author=writer)
    now = timezone.now()
    shopper = UserFactory()
    # The attacker types ?ref=note:<id> onto a product the note never mentions, and buys it.
    order_row(user=shopper, paid_at=now, lines=[{"sku": unrelated_sku, "referral": f"note:{note.pk}"}])
    order_row(user=shopper, paid_at=now, lines=[{"sku": serum_sku, "referral": f"note:{note.pk}"}])

    stats = creator_stats(user=writer, days=7)

    assert stats.totals["orders"] == 1
    assert stats.totals["revenue"] == Decimal(serum_sku.price)
