"""The demo where the community meets the mall: made through the real checkout, gateway, customs and
delivery, so badges show on the notes of writers who received what they wrote about, one note is
declared sponsored, orders carry their note referral, and the stock ledger still balances."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.models import Note, NoteDailyViews, NoteProduct, Partnership, ProductCardClick
from community.selectors.purchases import notes_bought_here
from community.tests.factories import NoteFactory
from demo.seed import commerce as seed_commerce
from mall.models import Order, OrderLine, StockMovement
from mall.services.stock import stock_reconcile

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict[str, int]:
    return {
        "links": NoteProduct.objects.count(),
        "orders": Order.objects.count(),
        "movements": StockMovement.objects.count(),
        "partnerships": Partnership.objects.count(),
        "clicks": ProductCardClick.objects.count(),
    }


def test_seed_links_notes_to_products_with_badges_a_partnership_and_attributed_orders():
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first

    assert first["links"] == sum(len(slugs) for _w, _t, slugs in seed_commerce.LINKS)
    assert first["orders"] == len(seed_commerce.PURCHASES) + len(seed_commerce.ATTRIBUTED)
    assert set(Order.objects.values_list("state", flat=True)) == {Order.State.DELIVERED}
    assert stock_reconcile() == []

    # "Bought here" exactly where the writer received the product they tagged.
    linked = Note.objects.filter(product_links__isnull=False).distinct()
    verified = notes_bought_here(note_ids=linked.values_list("pk", flat=True))
    expected = {
        (note.author.username, note.title)
        for note in linked.select_related("author")
        for writer, slug in seed_commerce.PURCHASES
        if note.author.username == writer and note.product_links.filter(product__slug=slug).exists()
    }
    assert {(n.author.username, n.title) for n in linked.filter(pk__in=verified)} == expected
    assert len(expected) >= 3

    writer, brand, _title, note_title = seed_commerce.PARTNERSHIP
    sponsored = Note.objects.get(author__username=writer, title=note_title)
    assert sponsored.is_sponsored and sponsored.partnership.brand.slug == brand
    assert Note.objects.filter(partnership__isnull=False).count() == 1

    for buyer, author, title, slug in seed_commerce.ATTRIBUTED:
        note = Note.objects.get(author__username=author, title=title)
        line = OrderLine.objects.get(order__user__username=buyer, sku__product__slug=slug)
        assert line.referral == f"note:{note.pk}"


def test_daily_views_are_bounded_in_days_and_written_in_batches(monkeypatch):
    # Given three notes read for over a year
    monkeypatch.setattr(seed_commerce, "DAILY_VIEWS_BATCH", 50)
    notes = [NoteFactory(images=0) for _ in range(3)]
    Note.objects.filter(pk__in=[n.pk for n in notes]).update(
        created_at=timezone.now() - timedelta(days=400), view_count=1_000_000
    )

    # When their statistics are written
    with CaptureQueriesContext(connection) as queries:
        written = seed_commerce.daily_views_write(note_ids=[n.pk for n in notes])

    # Then each note has at most DAILY_VIEWS_DAYS days, in more than one bounded INSERT
    assert written == NoteDailyViews.objects.count() == 3 * seed_commerce.DAILY_VIEWS_DAYS
    inserts = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('INSERT INTO "community_notedailyviews"')
    ]
    assert len(inserts) == 3
    # Running it again writes nothing: the notes have their statistics
    assert seed_commerce.daily_views_write(note_ids=[n.pk for n in notes]) == 0
